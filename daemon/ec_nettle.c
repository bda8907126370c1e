// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * BearSSL's EC hooks on nettle: a br_ec_impl and a br_ecdsa_sign.
 *
 * Only nettle's public API is used (ecc.h, ecdsa.h, curve25519.h): its
 * internal _nettle_ecc_* functions are exported under a version tag with no
 * promise of stability. That API takes scalars and points as GMP integers
 * or as its own ecc_scalar/ecc_point, allocated with GMP's allocator; we
 * build our integers with mpz_roinit_n() over limbs on our stack (no copy
 * on the heap), and wipe the limbs of every ecc_scalar, ecc_point and mpz
 * that held a secret before it is freed: neither nettle's *_clear() nor
 * mpz_clear() wipes. ECDSA uses the low-level ecc_ecdsa_sign(), whose
 * scratch is ours, so the nonce never reaches the heap.
 *
 * nettle has no point addition in its public API; muladd() adds its two
 * products in affine coordinates with GMP's constant-time mpn_sec_* and
 * mpn_cnd_* functions, doubling when the two are equal.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>

#include <gmp.h>
#include <nettle/curve25519.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#ifdef KTLSD_X25519_SODIUM
#include <sodium.h>
#endif

#include "ec_nettle.h"
#include "entropy.h"
#include "hash.h"

/* Limbs are full words: the byte conversions below count on it. */
_Static_assert(GMP_NAIL_BITS == 0, "GMP built with nail bits");

#define LIMB_BYTES		sizeof(mp_limb_t)
#define EC_MAX_BYTES		48	/* P-384's coordinates and order */
#define EC_MAX_LIMBS		((EC_MAX_BYTES + LIMB_BYTES - 1) / LIMB_BYTES)
/*
 * nettle 3.8 asks 11 n limbs for ecc_ecdsa_sign(), GMP 6.2 at most 4 n + 2
 * for the mpn_sec_* we call: both are checked against these at run time.
 */
#define SIGN_SCRATCH_LIMBS	(12 * EC_MAX_LIMBS)
#define FIELD_SCRATCH_LIMBS	(8 * EC_MAX_LIMBS)

#define CURVES	((UINT32_C(1) << BR_EC_secp256r1) | (UINT32_C(1) << BR_EC_secp384r1) | \
		 (UINT32_C(1) << BR_EC_secp521r1) | (UINT32_C(1) << BR_EC_curve25519))

/* A NIST curve nettle computes for us. */
struct nist_curve {
	int id;					/* BearSSL's (= TLS's) */
	const struct ecc_curve *(*nettle)(void);
	size_t len;				/* bytes of p, of the order, of a coordinate */
	uint8_t p[EC_MAX_BYTES];		/* the field's prime, big-endian */
};

/* The primes of SEC 2 v2 §2.4.2 (secp256r1) and §2.5.1 (secp384r1). */
static const struct nist_curve nist_curves[] = {
	{ BR_EC_secp256r1, nettle_get_secp_256r1, 32, {
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
	{ BR_EC_secp384r1, nettle_get_secp_384r1, 48, {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff } },
};

/* One call's view of a NIST curve: its numbers as limbs. */
struct nist_ctx {
	const struct nist_curve *c;
	const struct ecc_curve *ecc;
	size_t n;				/* limbs of a coordinate, of a scalar */
	mp_limb_t p[EC_MAX_LIMBS];
	mp_limb_t q[EC_MAX_LIMBS];		/* the order */
};

/* Scratch of the affine addition (secret when the products are): wiped after. */
struct add_work {
	mp_limb_t num[EC_MAX_LIMBS], den[EC_MAX_LIMBS], inv[EC_MAX_LIMBS], lambda[EC_MAX_LIMBS];
	mp_limb_t tan_num[EC_MAX_LIMBS], tan_den[EC_MAX_LIMBS], t[EC_MAX_LIMBS];
	mp_limb_t wide[2 * EC_MAX_LIMBS];
	mp_limb_t scratch[FIELD_SCRATCH_LIMBS];
};

static int supported(int curve)
{
	return curve >= 0 && curve < 32 && ((CURVES >> curve) & 1);
}

/* ---- numbers: bytes, limbs, constant-time tests ---- */

/* The big-endian @b (@len bytes, at most @n limbs' worth) into @r (@n limbs). */
static void be_to_limbs(mp_limb_t *r, size_t n, const uint8_t *b, size_t len)
{
	memset(r, 0, n * LIMB_BYTES);
	for (size_t i = 0; i < len; i++)
		r[i / LIMB_BYTES] |= (mp_limb_t)b[len - 1 - i] << (8 * (i % LIMB_BYTES));
}

/* The low @len bytes of @r (as many limbs as they take), big-endian, into @b. */
static void limbs_to_be(uint8_t *b, size_t len, const mp_limb_t *r)
{
	for (size_t i = 0; i < len; i++)
		b[len - 1 - i] = (uint8_t)(r[i / LIMB_BYTES] >> (8 * (i % LIMB_BYTES)));
}

/* 1 if @a (@n limbs) is zero, else 0; in constant time. */
static mp_limb_t ct_is_zero(const mp_limb_t *a, size_t n)
{
	mp_limb_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= a[i];
	return ((acc | (0 - acc)) >> (GMP_NUMB_BITS - 1)) ^ 1;
}

/* 1 if @a equals @b (@n limbs each), else 0; in constant time. */
static mp_limb_t ct_equal(const mp_limb_t *a, const mp_limb_t *b, size_t n)
{
	mp_limb_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= a[i] ^ b[i];
	return ct_is_zero(&acc, 1);
}

/* 1 if 0 < @k < @x's order, else 0; in constant time (mpn_sub_n's borrow). */
static mp_limb_t scalar_in_range(const struct nist_ctx *x, const mp_limb_t *k)
{
	mp_limb_t diff[EC_MAX_LIMBS], below;

	below = mpn_sub_n(diff, k, x->q, (mp_size_t)x->n);
	explicit_bzero(diff, sizeof(diff));
	return below & (ct_is_zero(k, x->n) ^ 1);
}

/*
 * The big-endian scalar @k (@klen bytes, leading zeros allowed) into @out.
 * Returns 1 if it is in [1, order - 1], else 0; in constant time.
 */
static mp_limb_t scalar_decode(const struct nist_ctx *x, mp_limb_t *out, const uint8_t *k, size_t klen)
{
	size_t extra = klen > x->c->len ? klen - x->c->len : 0;
	mp_limb_t high = 0;

	for (size_t i = 0; i < extra; i++)
		high |= k[i];
	be_to_limbs(out, x->n, k + extra, klen - extra);
	return ct_is_zero(&high, 1) & scalar_in_range(x, out);
}

/* mpz_clear() frees without wiping: zero every limb @z owns first. */
static void mpz_wipe_clear(mpz_t z)
{
	explicit_bzero(z->_mp_d, (size_t)z->_mp_alloc * LIMB_BYTES);
	mpz_clear(z);
}

/* ---- NIST curves: points and products through nettle ---- */

static const struct nist_curve *nist_find(int curve)
{
	for (size_t i = 0; i < sizeof(nist_curves) / sizeof(nist_curves[0]); i++)
		if (nist_curves[i].id == curve)
			return &nist_curves[i];
	return NULL;
}

/*
 * @x for @curve. Returns 1; or 0 if nettle does not compute on @curve for
 * us, or disagrees with what this file knows of it (sizes, scratch): the
 * caller then falls back on BearSSL.
 */
static int nist_ctx_init(struct nist_ctx *x, int curve)
{
	const unsigned char *order;
	size_t order_len;

	x->c = nist_find(curve);
	if (!x->c)
		return 0;
	x->ecc = x->c->nettle();
	x->n = (x->c->len + LIMB_BYTES - 1) / LIMB_BYTES;
	order = br_ec_all_m31.order(curve, &order_len);
	if ((size_t)ecc_size(x->ecc) != x->n || ecc_bit_size(x->ecc) != 8 * x->c->len ||
	    order_len != x->c->len)
		return 0;
	if ((size_t)ecc_ecdsa_sign_itch(x->ecc) > SIGN_SCRATCH_LIMBS ||
	    (size_t)mpn_sec_mul_itch((mp_size_t)x->n, (mp_size_t)x->n) > FIELD_SCRATCH_LIMBS ||
	    (size_t)mpn_sec_div_r_itch(2 * (mp_size_t)x->n, (mp_size_t)x->n) > FIELD_SCRATCH_LIMBS ||
	    (size_t)mpn_sec_invert_itch((mp_size_t)x->n) > FIELD_SCRATCH_LIMBS)
		return 0;
	be_to_limbs(x->q, x->n, order, order_len);
	be_to_limbs(x->p, x->n, x->c->p, x->c->len);
	return 1;
}

static size_t point_len(const struct nist_ctx *x)
{
	return 1 + 2 * x->c->len;
}

/* The uncompressed point @G into @pt. Returns 1, or 0 if @G is no point of the curve. */
static int point_decode(const struct nist_ctx *x, struct ecc_point *pt, const uint8_t *G)
{
	mp_limb_t X[EC_MAX_LIMBS], Y[EC_MAX_LIMBS];
	mpz_t xz, yz;

	if (G[0] != 0x04)
		return 0;
	be_to_limbs(X, x->n, G + 1, x->c->len);
	be_to_limbs(Y, x->n, G + 1 + x->c->len, x->c->len);
	/* Public values: nettle checks x, y < p and the curve's equation. */
	return ecc_point_set(pt, mpz_roinit_n(xz, X, (mp_size_t)x->n), mpz_roinit_n(yz, Y, (mp_size_t)x->n));
}

/* The affine coordinates of @pt into @xy (x then y, n limbs each). */
static void point_get(const struct nist_ctx *x, const struct ecc_point *pt, mp_limb_t *xy)
{
	mpz_t xz, yz;

	mpz_init(xz);
	mpz_init(yz);
	ecc_point_get(pt, xz, yz);
	memset(xy, 0, 2 * x->n * LIMB_BYTES);
	/* Both below p: at most n limbs each. */
	memcpy(xy, mpz_limbs_read(xz), mpz_size(xz) * LIMB_BYTES);
	memcpy(xy + x->n, mpz_limbs_read(yz), mpz_size(yz) * LIMB_BYTES);
	mpz_wipe_clear(xz);
	mpz_wipe_clear(yz);
}

/* @xy as an uncompressed point into @G. */
static void point_encode(const struct nist_ctx *x, uint8_t *G, const mp_limb_t *xy)
{
	G[0] = 0x04;
	limbs_to_be(G + 1, x->c->len, xy);
	limbs_to_be(G + 1 + x->c->len, x->c->len, xy + x->n);
}

/*
 * @k (@klen bytes, big-endian) times the point @P, or times the generator
 * when @P is NULL, into @xy (affine x then y). Returns 1; or 0, @xy
 * untouched, if @P is no point of the curve or @k is not in [1, order - 1].
 */
static int nist_product(const struct nist_ctx *x, const uint8_t *P, const uint8_t *k, size_t klen,
			mp_limb_t *xy)
{
	mp_limb_t kl[EC_MAX_LIMBS];
	struct ecc_scalar s;
	struct ecc_point pt, r;
	mpz_t kz;
	int ok = 0;

	ecc_point_init(&pt, x->ecc);
	ecc_point_init(&r, x->ecc);
	ecc_scalar_init(&s, x->ecc);
	if (P && !point_decode(x, &pt, P))
		goto out;
	/* The secret's one branch: a scalar out of range is a caller's bug. */
	if (!scalar_decode(x, kl, k, klen) || !ecc_scalar_set(&s, mpz_roinit_n(kz, kl, (mp_size_t)x->n)))
		goto out;
	if (P)
		ecc_point_mul(&r, &s, &pt);
	else
		ecc_point_mul_g(&r, &s);
	point_get(x, &r, xy);
	ok = 1;
out:
	explicit_bzero(kl, sizeof(kl));
	explicit_bzero(s.p, x->n * LIMB_BYTES);
	explicit_bzero(r.p, 2 * x->n * LIMB_BYTES);
	ecc_scalar_clear(&s);
	ecc_point_clear(&r);
	ecc_point_clear(&pt);
	return ok;
}

static uint32_t nist_mul(const struct nist_ctx *x, uint8_t *G, size_t Glen, const uint8_t *k, size_t klen)
{
	mp_limb_t xy[2 * EC_MAX_LIMBS];
	uint32_t ok = 0;

	if (Glen == point_len(x) && nist_product(x, G, k, klen, xy)) {
		point_encode(x, G, xy);
		ok = 1;
	}
	explicit_bzero(xy, sizeof(xy));
	return ok;
}

static size_t nist_mulgen(const struct nist_ctx *x, uint8_t *R, const uint8_t *k, size_t klen)
{
	mp_limb_t xy[2 * EC_MAX_LIMBS];
	size_t len = 0;

	if (nist_product(x, NULL, k, klen, xy)) {
		point_encode(x, R, xy);
		len = point_len(x);
	}
	explicit_bzero(xy, sizeof(xy));
	return len;
}

/* ---- NIST curves: field arithmetic mod p, in constant time ---- */

/* @r = @a @b mod p; @r may be @a or @b. */
static void fmul(const struct nist_ctx *x, mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b,
		 struct add_work *w)
{
	mp_size_t n = (mp_size_t)x->n;

	mpn_sec_mul(w->wide, a, n, b, n, w->scratch);
	mpn_sec_div_r(w->wide, 2 * n, x->p, n, w->scratch);
	memcpy(r, w->wide, x->n * LIMB_BYTES);
}

/* @r = @a + @b mod p, for @a, @b below p; @r may be either. */
static void fadd(const struct nist_ctx *x, mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b,
		 struct add_work *w)
{
	mp_size_t n = (mp_size_t)x->n;
	mp_limb_t carry = mpn_add_n(r, a, b, n);
	mp_limb_t borrow = mpn_sub_n(w->t, r, x->p, n);

	/* The sum minus p, if the sum overflowed or is not below p. */
	mpn_cnd_swap(carry | (borrow ^ 1), r, w->t, n);
}

/* @r = @a - @b mod p, for @a, @b below p; @r may be either. */
static void fsub(const struct nist_ctx *x, mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b)
{
	mp_size_t n = (mp_size_t)x->n;

	mpn_cnd_add_n(mpn_sub_n(r, a, b, n), r, r, x->p, n);
}

/*
 * @rxy = @axy + @bxy, affine points of the curve (x then y, n limbs each).
 * Returns 1; or 0 when the sum is the point at infinity (@bxy = -@axy),
 * @rxy then holding a value of no use. Both the chord's and the tangent's
 * slopes are computed and one is picked by mask: the time does not tell
 * which. With a = -3 (both curves), the tangent's is 3 (x^2 - 1) / 2y; its
 * denominator is never 0, a prime order curve having no point of order 2.
 */
static int affine_add(const struct nist_ctx *x, mp_limb_t *rxy, const mp_limb_t *axy, const mp_limb_t *bxy,
		      struct add_work *w)
{
	const mp_limb_t *ax = axy, *ay = axy + x->n, *bx = bxy, *by = bxy + x->n;
	mp_limb_t *rx = rxy, *ry = rxy + x->n, one[EC_MAX_LIMBS] = { 1 };
	mp_limb_t same_x = ct_equal(ax, bx, x->n), same_y = ct_equal(ay, by, x->n);
	int invertible;

	fsub(x, w->num, by, ay);
	fsub(x, w->den, bx, ax);
	fmul(x, w->tan_num, ax, ax, w);
	fsub(x, w->tan_num, w->tan_num, one);
	fadd(x, w->lambda, w->tan_num, w->tan_num, w);
	fadd(x, w->tan_num, w->lambda, w->tan_num, w);
	fadd(x, w->tan_den, ay, ay, w);
	mpn_cnd_swap(same_x, w->num, w->tan_num, (mp_size_t)x->n);
	mpn_cnd_swap(same_x, w->den, w->tan_den, (mp_size_t)x->n);
	/* mpn_sec_invert() consumes its input: give it a copy. */
	memcpy(w->t, w->den, x->n * LIMB_BYTES);
	invertible = mpn_sec_invert(w->inv, w->t, x->p, (mp_size_t)x->n,
				    2 * (mp_bitcnt_t)x->n * GMP_NUMB_BITS, w->scratch);
	fmul(x, w->lambda, w->num, w->inv, w);
	fmul(x, rx, w->lambda, w->lambda, w);
	fsub(x, rx, rx, ax);
	fsub(x, rx, rx, bx);
	fsub(x, ry, ax, rx);
	fmul(x, ry, w->lambda, ry, w);
	fsub(x, ry, ry, ay);
	return invertible && !(same_x & (same_y ^ 1));
}

static uint32_t nist_muladd(const struct nist_ctx *x, uint8_t *A, const uint8_t *B, size_t len,
			    const uint8_t *k1, size_t k1len, const uint8_t *k2, size_t k2len)
{
	struct {
		mp_limb_t a[2 * EC_MAX_LIMBS], b[2 * EC_MAX_LIMBS], sum[2 * EC_MAX_LIMBS];
		struct add_work add;
	} w;
	uint32_t ok = 0;

	if (len == point_len(x) && nist_product(x, A, k1, k1len, w.a) &&
	    nist_product(x, B, k2, k2len, w.b) && affine_add(x, w.sum, w.a, w.b, &w.add)) {
		point_encode(x, A, w.sum);
		ok = 1;
	}
	explicit_bzero(&w, sizeof(w));
	return ok;
}

/* ---- X25519 ---- */

#ifdef KTLSD_X25519_SODIUM
/*
 * libsodium's ladder, about twice nettle's speed. Both clamp the scalar
 * and ignore the top bit of u (RFC 7748 §5). Where nettle returns the
 * all-zero result of a small-order u, libsodium returns -1: its portable
 * code refuses such a u without writing anything, its AVX code finds the
 * result zero. Both mean the all-zero result, written here, which the
 * caller checks (RFC 8446 §7.4.2).
 */
static void x25519(uint8_t *out, const uint8_t *scalar, const uint8_t *u)
{
	if (crypto_scalarmult_curve25519(out, scalar, u) != 0)
		memset(out, 0, CURVE25519_SIZE);
}

static void x25519_base(uint8_t *out, const uint8_t *scalar)
{
	crypto_scalarmult_curve25519_base(out, scalar);
}
#else
static void x25519(uint8_t *out, const uint8_t *scalar, const uint8_t *u)
{
	curve25519_mul(out, scalar, u);
}

static void x25519_base(uint8_t *out, const uint8_t *scalar)
{
	curve25519_mul_g(out, scalar);
}
#endif

/*
 * BearSSL's conventions (bearssl_ec.h, br_ec_c25519_m31): the scalar in
 * RFC 7748's byte order, at most 32 bytes, a shorter one zero-extended at
 * its top end; it is clamped and the top bit of u ignored, as RFC 7748 §5
 * has it.
 */
static uint32_t x25519_mul(uint8_t *G, size_t Glen, const uint8_t *k, size_t klen)
{
	uint8_t scalar[CURVE25519_SIZE] = { 0 }, out[CURVE25519_SIZE];

	if (Glen != CURVE25519_SIZE || klen > CURVE25519_SIZE)
		return 0;
	if (klen)
		memcpy(scalar, k, klen);
	x25519(out, scalar, G);
	memcpy(G, out, sizeof(out));
	explicit_bzero(scalar, sizeof(scalar));
	explicit_bzero(out, sizeof(out));
	return 1;
}

static size_t x25519_mulgen(uint8_t *R, const uint8_t *k, size_t klen)
{
	uint8_t scalar[CURVE25519_SIZE] = { 0 };

	if (klen > CURVE25519_SIZE)
		return 0;
	if (klen)
		memcpy(scalar, k, klen);
	x25519_base(R, scalar);
	explicit_bzero(scalar, sizeof(scalar));
	return CURVE25519_SIZE;
}

/* ---- the br_ec_impl ---- */

static const unsigned char *api_generator(int curve, size_t *len)
{
	*len = 0;
	return supported(curve) ? br_ec_all_m31.generator(curve, len) : NULL;
}

static const unsigned char *api_order(int curve, size_t *len)
{
	*len = 0;
	return supported(curve) ? br_ec_all_m31.order(curve, len) : NULL;
}

static size_t api_xoff(int curve, size_t *len)
{
	*len = 0;
	return supported(curve) ? br_ec_all_m31.xoff(curve, len) : 0;
}

/*
 * BearSSL's mul() and muladd() for the other curves write their garbage
 * over the point when they fail; ours keep it, on every curve.
 */
static uint32_t fallback_mul(unsigned char *G, size_t Glen, const unsigned char *x, size_t xlen, int curve)
{
	unsigned char saved[BR_EC_KBUF_PUB_MAX_SIZE];
	uint32_t ok;

	if (!supported(curve) || Glen > sizeof(saved))
		return 0;
	memcpy(saved, G, Glen);
	ok = br_ec_all_m31.mul(G, Glen, x, xlen, curve);
	if (!ok)
		memcpy(G, saved, Glen);
	return ok;
}

static uint32_t fallback_muladd(unsigned char *A, const unsigned char *B, size_t len, const unsigned char *x,
				size_t xlen, const unsigned char *y, size_t ylen, int curve)
{
	unsigned char saved[BR_EC_KBUF_PUB_MAX_SIZE];
	uint32_t ok;

	if (!supported(curve) || len > sizeof(saved))
		return 0;
	memcpy(saved, A, len);
	ok = br_ec_all_m31.muladd(A, B, len, x, xlen, y, ylen, curve);
	if (!ok)
		memcpy(A, saved, len);
	return ok;
}

static uint32_t api_mul(unsigned char *G, size_t Glen, const unsigned char *x, size_t xlen, int curve)
{
	struct nist_ctx ctx;

	if (curve == BR_EC_curve25519)
		return x25519_mul(G, Glen, x, xlen);
	if (nist_ctx_init(&ctx, curve))
		return nist_mul(&ctx, G, Glen, x, xlen);
	return fallback_mul(G, Glen, x, xlen, curve);
}

static size_t api_mulgen(unsigned char *R, const unsigned char *x, size_t xlen, int curve)
{
	struct nist_ctx ctx;

	if (curve == BR_EC_curve25519)
		return x25519_mulgen(R, x, xlen);
	if (nist_ctx_init(&ctx, curve))
		return nist_mulgen(&ctx, R, x, xlen);
	return supported(curve) ? br_ec_all_m31.mulgen(R, x, xlen, curve) : 0;
}

static uint32_t api_muladd(unsigned char *A, const unsigned char *B, size_t len, const unsigned char *x,
			   size_t xlen, const unsigned char *y, size_t ylen, int curve)
{
	struct nist_ctx ctx;

	/* No ECDSA on Curve25519: BearSSL's c25519 muladd() returns 0 too. */
	if (curve == BR_EC_curve25519)
		return 0;
	if (nist_ctx_init(&ctx, curve))
		return nist_muladd(&ctx, A, B, len, x, xlen, y, ylen);
	return fallback_muladd(A, B, len, x, xlen, y, ylen, curve);
}

static const br_ec_impl ec_nettle = {
	.supported_curves = CURVES,
	.generator = api_generator,
	.order = api_order,
	.xoff = api_xoff,
	.mul = api_mul,
	.mulgen = api_mulgen,
	.muladd = api_muladd,
};

const br_ec_impl *ec_nettle_impl(void)
{
	return &ec_nettle;
}

/* ---- ECDSA ---- */

/* Everything a signature touches that is secret (key, nonce, scratch): wiped after. */
struct sign_work {
	br_hmac_drbg_context drbg;
	mp_limb_t z[EC_MAX_LIMBS], k[EC_MAX_LIMBS], r[EC_MAX_LIMBS], s[EC_MAX_LIMBS];
	mp_limb_t scratch[SIGN_SCRATCH_LIMBS];
	uint8_t bytes[EC_MAX_BYTES];
	uint8_t fresh[32];
	/* r || s, and room for br_ecdsa_raw_to_asn1() to grow it in place (9 bytes). */
	uint8_t sig[2 * EC_MAX_BYTES + 12];
};

/*
 * The nonce generator: a hedged one. Seeded with the key and the hash
 * alone it would be RFC 6979's idea, safe without any randomness; the
 * kernel's 32 bytes make two signatures of one hash differ, which blunts
 * fault attacks on a deterministic signer.
 */
static int nonce_seed(const struct nist_ctx *x, struct sign_work *w, const uint8_t *hash, size_t hash_len)
{
	if (entropy_fill(w->fresh, sizeof(w->fresh)))
		return -1;
	limbs_to_be(w->bytes, x->c->len, w->z);
	br_hmac_drbg_init(&w->drbg, hash_fast(&br_sha256_vtable), w->bytes, x->c->len);
	br_hmac_drbg_update(&w->drbg, hash, hash_len);
	br_hmac_drbg_update(&w->drbg, w->fresh, sizeof(w->fresh));
	return 0;
}

/* The next nonce in [1, order - 1] into w->k, drawn until one is (the order's length is whole bytes). */
static void nonce_draw(const struct nist_ctx *x, struct sign_work *w)
{
	do {
		br_hmac_drbg_generate(&w->drbg, w->bytes, x->c->len);
		be_to_limbs(w->k, x->n, w->bytes, x->c->len);
	} while (!scalar_in_range(x, w->k));
}

static size_t nist_sign(const struct nist_ctx *x, const br_hash_class *hf, const uint8_t *hash,
			const br_ec_private_key *sk, void *sig)
{
	size_t hash_len = (hf->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
	struct sign_work w;
	size_t sig_len = 0;

	if (!hash_len || !scalar_decode(x, w.z, sk->x, sk->xlen) || nonce_seed(x, &w, hash, hash_len))
		goto out;
	/* r or s of 0 is no signature (X9.62): another nonce then. */
	do {
		nonce_draw(x, &w);
		ecc_ecdsa_sign(x->ecc, w.z, w.k, hash_len, hash, w.r, w.s, w.scratch);
	} while (ct_is_zero(w.r, x->n) | ct_is_zero(w.s, x->n));
	limbs_to_be(w.sig, x->c->len, w.r);
	limbs_to_be(w.sig + x->c->len, x->c->len, w.s);
	sig_len = br_ecdsa_raw_to_asn1(w.sig, 2 * x->c->len);
	if (sig_len)
		memcpy(sig, w.sig, sig_len);
out:
	explicit_bzero(&w, sizeof(w));
	return sig_len;
}

size_t ec_nettle_ecdsa_sign_asn1(const br_ec_impl *impl, const br_hash_class *hf, const void *hash_value,
				 const br_ec_private_key *sk, void *sig)
{
	struct nist_ctx ctx;

	/* As BearSSL's signers: a curve @impl lacks is an error. */
	if (sk->curve < 0 || sk->curve >= 32 || !((impl->supported_curves >> sk->curve) & 1))
		return 0;
	if (nist_ctx_init(&ctx, sk->curve))
		return nist_sign(&ctx, hf, hash_value, sk, sig);
	return br_ecdsa_i31_sign_asn1(impl, hf, hash_value, sk, sig);
}
