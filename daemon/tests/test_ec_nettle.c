// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ec_nettle: the br_ec_impl on nettle against BearSSL's br_ec_all_m31 (the
 * same random scalars and points, from a seeded HMAC-DRBG), RFC 7748's and
 * RFC 5903's vectors and OpenSSL's ECDH; the points it refuses, as BearSSL
 * refuses them; muladd() against BearSSL's; ECDSA signatures checked by
 * BearSSL and by OpenSSL, hedged, and refused for a key of another curve.
 *
 * The seed is printed; EC_NETTLE_TEST_SEED=<64 hex digits> replays a run.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ec.h"
#include "ec_nettle.h"
#include "hex.h"
#include "tap.h"
#include "tmpdir_files.h"
#include "ec_vectors.h"

#define MAX_POINT	133	/* P-521 */
#define MAX_SCALAR	66
#define MAX_SIG		139

static const br_ec_impl *bear = &br_ec_all_m31;

struct curve {
	const char *name;
	int id;
	size_t point_len, scalar_len;
	int muls, muladds;		/* random trials against BearSSL */
};

static const struct curve curves[] = {
	{ "X25519", BR_EC_curve25519, 32, 32, 256, 0 },
	{ "P-256", BR_EC_secp256r1, 65, 32, 128, 64 },
	{ "P-384", BR_EC_secp384r1, 97, 48, 64, 32 },
	{ "P-521 (BearSSL's)", BR_EC_secp521r1, 133, 66, 8, 4 },
};
#define X25519	(&curves[0])
#define P256	(&curves[1])
#define P384	(&curves[2])
#define P521	(&curves[3])
#define N_CURVES (sizeof(curves) / sizeof(curves[0]))

/* ---- randomness: a seeded, replayable HMAC-DRBG ---- */

static void seed_rng(br_hmac_drbg_context *rng)
{
	const char *env = getenv("EC_NETTLE_TEST_SEED");
	uint8_t seed[32];
	size_t len = 0;
	char hex[65];

	if (env && (hex_parse(env, seed, sizeof(seed), &len) || len != sizeof(seed))) {
		fprintf(stderr, "EC_NETTLE_TEST_SEED: 64 hex digits\n");
		exit(2);
	}
	if (!env && getrandom(seed, sizeof(seed), 0) != sizeof(seed))
		abort();
	for (size_t i = 0; i < sizeof(seed); i++)
		snprintf(hex + 2 * i, 3, "%02x", seed[i]);
	diag("EC_NETTLE_TEST_SEED=%s", hex);
	br_hmac_drbg_init(rng, &br_sha256_vtable, seed, sizeof(seed));
}

static void fill(br_hmac_drbg_context *rng, void *buf, size_t len)
{
	br_hmac_drbg_generate(rng, buf, len);
}

/* A private scalar for @c: 32 random bytes (X25519), else below the order (br_ec_keygen). */
static size_t random_scalar(br_hmac_drbg_context *rng, const struct curve *c, uint8_t *k)
{
	if (c->id == BR_EC_curve25519) {
		fill(rng, k, 32);
		return 32;
	}
	return br_ec_keygen(&rng->vtable, bear, NULL, k, c->id);
}

/* A random point of @c's group (BearSSL's mulgen of a random scalar). */
static void random_point(br_hmac_drbg_context *rng, const struct curve *c, uint8_t *P)
{
	uint8_t k[MAX_SCALAR];
	size_t len = random_scalar(rng, c, k);

	bear->mulgen(P, k, len, c->id);
}

/* ---- small helpers ---- */

static void diag_hex(const char *what, const uint8_t *p, size_t len)
{
	char line[2 * MAX_POINT + 1];

	for (size_t i = 0; i < len && i < MAX_POINT; i++)
		snprintf(line + 2 * i, 3, "%02x", p[i]);
	line[2 * (len < MAX_POINT ? len : MAX_POINT)] = 0;
	diag("%s: %s", what, line);
}

/* @r = @a - @b, big-endian numbers of @len bytes (@a >= @b). */
static void be_sub(uint8_t *r, const uint8_t *a, const uint8_t *b, size_t len)
{
	int borrow = 0;

	for (size_t i = len; i-- > 0;) {
		int d = a[i] - b[i] - borrow;

		borrow = d < 0;
		r[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
}

/* @r = @a + @small (big-endian, @len bytes, no overflow). */
static void be_add_small(uint8_t *r, const uint8_t *a, unsigned int small, size_t len)
{
	unsigned int carry = small;

	for (size_t i = len; i-- > 0;) {
		carry += a[i];
		r[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

static const uint8_t *order_of(const struct curve *c)
{
	size_t len;

	return bear->order(c->id, &len);
}


/* The first @len bytes of @a and @b agree; if not, both are shown. */
static int same_bytes(const char *what, const uint8_t *a, const uint8_t *b, size_t len)
{
	if (!memcmp(a, b, len))
		return 1;
	diag("%s differ:", what);
	diag_hex("  ours    ", a, len);
	diag_hex("  BearSSL ", b, len);
	return 0;
}

/* ---- the impl's shape ---- */

static void test_shape(void)
{
	const br_ec_impl *ours = ec_nettle_impl();
	uint8_t buf[MAX_POINT] = { 4 }, k[32] = { 1 };
	size_t len = 1;
	int same = 1;

	ok(ours->supported_curves == bear->supported_curves,
	   "supported_curves is br_ec_all_m31's (%08x)", (unsigned)ours->supported_curves);
	for (size_t i = 0; i < N_CURVES; i++) {
		const struct curve *c = &curves[i];
		size_t l1, l2, x1, x2;
		const uint8_t *a, *b;

		a = ours->generator(c->id, &l1);
		b = bear->generator(c->id, &l2);
		same &= l1 == l2 && l1 == c->point_len && !memcmp(a, b, l1);
		a = ours->order(c->id, &l1);
		b = bear->order(c->id, &l2);
		same &= l1 == l2 && !memcmp(a, b, l1);
		x1 = ours->xoff(c->id, &l1);
		x2 = bear->xoff(c->id, &l2);
		same &= x1 == x2 && l1 == l2;
	}
	ok(same, "generator(), order() and xoff() are BearSSL's on every curve");
	ok(!ours->mul(buf, 65, k, 32, BR_EC_secp256k1) && !ours->mulgen(buf, k, 32, BR_EC_curve448) &&
	   !ours->muladd(buf, NULL, 65, k, 32, k, 32, 99) && !ours->mul(buf, 65, k, 32, -1),
	   "an unsupported curve (secp256k1, curve448, 99, -1): mul, mulgen, muladd return 0");
	ok(ours->generator(BR_EC_secp256k1, &len) == NULL && len == 0 && ours->order(40, &len) == NULL &&
	   ours->xoff(-3, &len) == 0 && len == 0,
	   "an unsupported curve: generator() and order() NULL, xoff() 0, length 0");
}

/* ---- published vectors ---- */

/* X25519(@k, @u) with ours into @out; 1 if mul() says so. */
static int ours_x25519(const uint8_t *k, const uint8_t *u, uint8_t *out)
{
	memcpy(out, u, 32);
	return ec_nettle_impl()->mul(out, 32, k, 32, BR_EC_curve25519) == 1;
}

/* RFC 7748 §5.2: input scalar, input u-coordinate, output u-coordinate. */
static const struct {
	const char *k, *u, *out;
} rfc7748_5_2[] = {
	{ RFC7748_5_2_K1, RFC7748_5_2_U1, RFC7748_5_2_OUT1 },
	{ RFC7748_5_2_K2, RFC7748_5_2_U2, RFC7748_5_2_OUT2 },
};

static int hex_equals(const uint8_t *got, size_t len, const char *want_hex)
{
	uint8_t want[MAX_POINT];

	return hex_decode(want_hex, want, sizeof(want)) == len && !memcmp(got, want, len);
}

static void test_rfc7748(void)
{
	uint8_t k[32], u[32], out[32], a[32], b[32];
	int good = 1;

	for (size_t i = 0; i < sizeof(rfc7748_5_2) / sizeof(rfc7748_5_2[0]); i++) {
		hex_decode(rfc7748_5_2[i].k, k, sizeof(k));
		hex_decode(rfc7748_5_2[i].u, u, sizeof(u));
		ok(ours_x25519(k, u, out) && hex_equals(out, 32, rfc7748_5_2[i].out),
		   "RFC 7748 §5.2 X25519 vector %zu%s", i + 1, u[31] & 0x80 ? " (u's top bit set)" : "");
	}
	memset(k, 0, sizeof(k));
	k[0] = 9;
	memcpy(u, k, sizeof(u));
	for (int i = 1; i <= 1000 && good; i++) {
		good = ours_x25519(k, u, out);
		memcpy(u, k, 32);
		memcpy(k, out, 32);
		if (i == 1)
			ok(hex_equals(k, 32, RFC7748_ITER_1), "RFC 7748 §5.2 iterated: after 1 iteration");
	}
	ok(good && hex_equals(k, 32, RFC7748_ITER_1000), "RFC 7748 §5.2 iterated: after 1,000 iterations");

	hex_decode(RFC7748_ALICE_PRIV, a, sizeof(a));
	hex_decode(RFC7748_BOB_PRIV, b, sizeof(b));
	ok(ec_nettle_impl()->mulgen(out, a, 32, BR_EC_curve25519) == 32 && hex_equals(out, 32, RFC7748_ALICE_PUB),
	   "RFC 7748 §6.1: mulgen(Alice's private key) is her public key");
	ok(ec_nettle_impl()->mulgen(out, b, 32, BR_EC_curve25519) == 32 && hex_equals(out, 32, RFC7748_BOB_PUB),
	   "RFC 7748 §6.1: mulgen(Bob's private key) is his public key");
	hex_decode(RFC7748_BOB_PUB, u, sizeof(u));
	ok(ours_x25519(a, u, out) && hex_equals(out, 32, RFC7748_K), "RFC 7748 §6.1: Alice's K");
	hex_decode(RFC7748_ALICE_PUB, u, sizeof(u));
	ok(ours_x25519(b, u, out) && hex_equals(out, 32, RFC7748_K), "RFC 7748 §6.1: Bob's K");
}

/* RFC 5903 §8.1 (P-256) and §8.2 (P-384): i, g^i, r, g^r, and girx. */
static const struct {
	const struct curve *c;
	const char *what, *i, *gi, *r, *gr, *girx;
} rfc5903[] = {
	{ P256, "RFC 5903 §8.1 P-256",
	  RFC5903_P256_I, RFC5903_P256_GI, RFC5903_P256_R, RFC5903_P256_GR,
	  RFC5903_P256_GIRX },
	{ P384, "RFC 5903 §8.2 P-384",
	  RFC5903_P384_I, RFC5903_P384_GI, RFC5903_P384_R, RFC5903_P384_GR,
	  RFC5903_P384_GIRX },
};

/* @k x @peer_hex's point: its x coordinate equals @want_hex. */
static int ecdh_equals(const struct curve *c, const uint8_t *k, size_t klen, const char *peer_hex,
		       const char *want_hex)
{
	uint8_t P[MAX_POINT];
	size_t xlen, xoff = bear->xoff(c->id, &xlen);

	return hex_decode(peer_hex, P, sizeof(P)) == c->point_len &&
	       ec_nettle_impl()->mul(P, c->point_len, k, klen, c->id) == 1 && hex_equals(P + xoff, xlen, want_hex);
}

static void test_rfc5903(void)
{
	for (size_t v = 0; v < sizeof(rfc5903) / sizeof(rfc5903[0]); v++) {
		const struct curve *c = rfc5903[v].c;
		uint8_t i[MAX_SCALAR], r[MAX_SCALAR], P[MAX_POINT];
		size_t ilen = hex_decode(rfc5903[v].i, i, sizeof(i));
		size_t rlen = hex_decode(rfc5903[v].r, r, sizeof(r));

		ok(ec_nettle_impl()->mulgen(P, i, ilen, c->id) == c->point_len &&
		   hex_equals(P, c->point_len, rfc5903[v].gi), "%s: mulgen(i) = g^i", rfc5903[v].what);
		ok(ec_nettle_impl()->mulgen(P, r, rlen, c->id) == c->point_len &&
		   hex_equals(P, c->point_len, rfc5903[v].gr), "%s: mulgen(r) = g^r", rfc5903[v].what);
		ok(ecdh_equals(c, i, ilen, rfc5903[v].gr, rfc5903[v].girx), "%s: i x g^r = girx", rfc5903[v].what);
		ok(ecdh_equals(c, r, rlen, rfc5903[v].gi, rfc5903[v].girx), "%s: r x g^i = girx", rfc5903[v].what);
	}
}

/* ---- against BearSSL: random scalars and points ---- */

/* mulgen(@k) and mul(@P, @k) agree with BearSSL's, both succeeding; a difference is shown. */
static int mulgen_agrees(const struct curve *c, const uint8_t *k, size_t klen)
{
	uint8_t a[MAX_POINT], b[MAX_POINT];
	size_t la = ec_nettle_impl()->mulgen(a, k, klen, c->id);
	size_t lb = bear->mulgen(b, k, klen, c->id);

	return la == c->point_len && la == lb && same_bytes("mulgen", a, b, la);
}

static int mul_agrees(const struct curve *c, const uint8_t *P, size_t Plen, const uint8_t *k, size_t klen)
{
	uint8_t a[MAX_POINT], b[MAX_POINT];
	uint32_t ra, rb;

	memcpy(a, P, Plen);
	memcpy(b, P, Plen);
	ra = ec_nettle_impl()->mul(a, Plen, k, klen, c->id);
	rb = bear->mul(b, Plen, k, klen, c->id);
	if (ra != rb)
		diag("mul: ours returned %u, BearSSL %u", (unsigned)ra, (unsigned)rb);
	return ra == 1 && rb == 1 && same_bytes("mul", a, b, Plen);
}

static void test_random(br_hmac_drbg_context *rng, const struct curve *c)
{
	int gen_same = 1, mul_same = 1;

	for (int i = 0; i < c->muls && gen_same && mul_same; i++) {
		uint8_t k[MAX_SCALAR], P[MAX_POINT];
		size_t klen = random_scalar(rng, c, k);

		random_point(rng, c, P);
		gen_same = mulgen_agrees(c, k, klen);
		mul_same = mul_agrees(c, P, c->point_len, k, klen);
	}
	ok(gen_same, "%s: mulgen() equals BearSSL's on %d random scalars", c->name, c->muls);
	ok(mul_same, "%s: mul() equals BearSSL's on %d random scalars and points", c->name, c->muls);
}

/*
 * The u-coordinates of small order but 0 and those above p (little-endian):
 * 1, p - 1, and the two points of order 8. libsodium refuses them before
 * computing; the result must still be BearSSL's (1, all zeros).
 */
static int small_order_agree(const uint8_t *k)
{
	static const char *const small[] = {
		"0100000000000000000000000000000000000000000000000000000000000000",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	};
	uint8_t u[32];
	int same = 1;

	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]) && same; i++) {
		hex_decode(small[i], u, sizeof(u));
		same = mul_agrees(X25519, u, 32, k, 32);
		u[31] |= 0x80;
		same = same && mul_agrees(X25519, u, 32, k, 32);
	}
	return same;
}

/*
 * X25519 beyond the group: any 32 bytes are a u-coordinate (on the curve or
 * its twist, the top bit ignored), the non-canonical ones p..2^255-1 are
 * taken mod p (RFC 7748 §5), u = 0 gives 0; a scalar shorter than 32 bytes.
 */
static void test_x25519_edges(br_hmac_drbg_context *rng)
{
	uint8_t k[32], u[32];
	int same = 1;

	for (int i = 0; i < 64 && same; i++) {
		fill(rng, k, sizeof(k));
		fill(rng, u, sizeof(u));
		same = mul_agrees(X25519, u, 32, k, 32);
	}
	ok(same, "X25519: mul() equals BearSSL's on 64 random 32-byte u (twist, top bit)");
	same = 1;
	fill(rng, k, sizeof(k));
	memset(u, 0xff, sizeof(u));
	u[31] = 0x7f;
	for (unsigned int low = 0xed; low <= 0xff && same; low++) {
		u[0] = (uint8_t)low;
		same = mul_agrees(X25519, u, 32, k, 32);
	}
	ok(same, "X25519: the non-canonical u from p to 2^255 - 1 as BearSSL takes them");
	memset(u, 0, sizeof(u));
	ok(mul_agrees(X25519, u, 32, k, 32), "X25519: u = 0 gives what BearSSL gives (1, all zeros)");
	ok(small_order_agree(k), "X25519: every small-order u (1, p - 1, the two of order 8), top bit"
	   " set or not, gives what BearSSL gives (1, all zeros)");
	fill(rng, u, sizeof(u));
	ok(mul_agrees(X25519, u, 32, k, 31) && mul_agrees(X25519, u, 32, k, 1) && mul_agrees(X25519, u, 32, k, 0) &&
	   mulgen_agrees(X25519, k, 31) && mulgen_agrees(X25519, k, 0),
	   "X25519: scalars of 31, 1 and 0 bytes are zero-extended as BearSSL does");
}

/* The NIST curves' scalars at the ends of their range, and in other lengths. */
static void test_nist_edges(br_hmac_drbg_context *rng, const struct curve *c)
{
	const uint8_t *n = order_of(c);
	size_t len = c->scalar_len;
	uint8_t k[MAX_SCALAR + 1] = { 0 }, one[MAX_SCALAR] = { 0 }, P[MAX_POINT];
	int same = 1;

	random_point(rng, c, P);
	one[len - 1] = 1;
	for (unsigned int small = 1; small <= 2; small++) {
		be_add_small(k, one, small - 1, len);
		same &= mulgen_agrees(c, k, len) && mul_agrees(c, P, c->point_len, k, len);
		be_sub(k, n, k, len);
		same &= mulgen_agrees(c, k, len) && mul_agrees(c, P, c->point_len, k, len);
	}
	ok(same, "%s: the scalars 1, 2, n - 1, n - 2 as BearSSL", c->name);
	random_scalar(rng, c, k + 1);
	k[0] = 0;
	ok(mul_agrees(c, P, c->point_len, k, len + 1) && mulgen_agrees(c, k, len + 1),
	   "%s: a scalar with a leading zero byte (%zu bytes) as BearSSL", c->name, len + 1);
	k[1] = 0;
	ok(mul_agrees(c, P, c->point_len, k + 2, len - 1) && mulgen_agrees(c, k + 2, len - 1),
	   "%s: a short scalar (%zu bytes) as BearSSL", c->name, len - 1);
}

/* ---- refusals ---- */

/* mul() of @P (@Plen bytes) fails with ours and with BearSSL, and ours leaves @P as it was. */
static int refused_as_bearssl(const struct curve *c, const uint8_t *P, size_t Plen, const uint8_t *k, size_t klen)
{
	uint8_t a[MAX_POINT + 1], b[MAX_POINT + 1];
	uint32_t ra, rb;

	memcpy(a, P, Plen);
	memcpy(b, P, Plen);
	ra = ec_nettle_impl()->mul(a, Plen, k, klen, c->id);
	rb = bear->mul(b, Plen, k, klen, c->id);
	return ra == 0 && rb == 0 && !memcmp(a, P, Plen);
}

static void test_nist_refusals(br_hmac_drbg_context *rng, const struct curve *c)
{
	size_t len = c->point_len, coord = (len - 1) / 2;
	uint8_t V[MAX_POINT], P[MAX_POINT + 1] = { 0 }, k[MAX_SCALAR];
	size_t klen = random_scalar(rng, c, k);
	static const uint8_t prefixes[] = { 0x00, 0x02, 0x03, 0x05, 0x06, 0x07 };
	int all = 1;

	random_point(rng, c, V);
	memcpy(P, V, len);
	P[len - 1] ^= 1;
	ok(refused_as_bearssl(c, P, len, k, klen), "%s: a point off the curve (y changed) refused, as BearSSL", c->name);
	memcpy(P, V, len);
	for (size_t i = 0; i < sizeof(prefixes); i++) {
		P[0] = prefixes[i];
		all &= refused_as_bearssl(c, P, len, k, klen);
	}
	ok(all, "%s: first byte 00, 02, 03, 05, 06, 07 at full length refused, as BearSSL", c->name);
	memset(P, 0, len);
	P[0] = 0x04;
	ok(refused_as_bearssl(c, P, len, k, klen), "%s: 04 with x = y = 0 (infinity) refused, as BearSSL", c->name);
	memcpy(P, V, len);
	memset(P + 1, 0xff, coord);
	ok(refused_as_bearssl(c, P, len, k, klen), "%s: x all ones (not below p) refused, as BearSSL", c->name);
	memcpy(P, V, len);
	memset(P + 1 + coord, 0xff, coord);
	ok(refused_as_bearssl(c, P, len, k, klen), "%s: y all ones (not below p) refused, as BearSSL", c->name);
	memcpy(P, V, len);
	P[len] = 0;
	ok(refused_as_bearssl(c, P, len - 1, k, klen) && refused_as_bearssl(c, P, len + 1, k, klen) &&
	   refused_as_bearssl(c, P, 0, k, klen), "%s: one byte short, one too many, none: refused, as BearSSL",
	   c->name);
	P[0] = 0;
	ok(refused_as_bearssl(c, P, 1, k, klen), "%s: the one-byte infinity (00) refused, as BearSSL", c->name);
}

/*
 * Scalars out of [1, n - 1]: BearSSL's contract leaves the result open
 * (its code returns 1 with the point at infinity, or x mod n); ours refuses
 * them, leaving the point as it was. Not a comparison: our own contract.
 */
static void test_scalar_refusals(br_hmac_drbg_context *rng, const struct curve *c)
{
	const uint8_t *n = order_of(c);
	size_t len = c->scalar_len;
	uint8_t V[MAX_POINT], P[MAX_POINT], k[MAX_SCALAR + 1], R[MAX_POINT];
	const br_ec_impl *ours = ec_nettle_impl();
	int all = 1;

	random_point(rng, c, V);
	memset(k, 0, sizeof(k));
	memcpy(P, V, c->point_len);
	all &= !ours->mul(P, c->point_len, k, len, c->id) && !ours->mulgen(R, k, len, c->id);
	memcpy(k, n, len);
	all &= !ours->mul(P, c->point_len, k, len, c->id) && !ours->mulgen(R, k, len, c->id);
	be_add_small(k, n, 1, len);
	all &= !ours->mul(P, c->point_len, k, len, c->id) && !ours->mulgen(R, k, len, c->id);
	memset(k, 0xff, len);
	all &= !ours->mul(P, c->point_len, k, len, c->id) && !ours->mulgen(R, k, len, c->id);
	all &= !ours->mul(P, c->point_len, k, 0, c->id) && !ours->mulgen(R, k, 0, c->id);
	k[0] = 1;
	random_scalar(rng, c, k + 1);
	all &= !ours->mul(P, c->point_len, k, len + 1, c->id) && !ours->mulgen(R, k, len + 1, c->id);
	ok(all && !memcmp(P, V, c->point_len),
	   "%s: scalars 0, n, n + 1, all ones, empty, 2^%zu + k: mul() and mulgen() return 0, the point kept",
	   c->name, 8 * len);
}

static void test_x25519_refusals(br_hmac_drbg_context *rng)
{
	uint8_t u[33], k[33];

	fill(rng, u, sizeof(u));
	fill(rng, k, sizeof(k));
	ok(refused_as_bearssl(X25519, u, 31, k, 32) && refused_as_bearssl(X25519, u, 33, k, 32) &&
	   refused_as_bearssl(X25519, u, 0, k, 32), "X25519: u of 31, 33, 0 bytes refused, as BearSSL");
	ok(refused_as_bearssl(X25519, u, 32, k, 33), "X25519: a 33-byte scalar refused, as BearSSL");
	ok(!ec_nettle_impl()->mulgen(u, k, 33, BR_EC_curve25519),
	   "X25519: mulgen() with a 33-byte scalar returns 0 (BearSSL: the generator, 32)");
}

/* ---- muladd ---- */

/* muladd() with ours and BearSSL's: the same return value @want, and the same point if 1. */
static int muladd_as_bearssl(const struct curve *c, const uint8_t *A, const uint8_t *B, size_t len,
			     const uint8_t *x, const uint8_t *y, uint32_t want)
{
	uint8_t a[MAX_POINT], b[MAX_POINT];
	uint32_t ra, rb;

	memcpy(a, A, len);
	memcpy(b, A, len);
	ra = ec_nettle_impl()->muladd(a, B, len, x, c->scalar_len, y, c->scalar_len, c->id);
	rb = bear->muladd(b, B, len, x, c->scalar_len, y, c->scalar_len, c->id);
	if (ra != want || rb != want) {
		diag("muladd: ours returned %u, BearSSL %u, %u wanted", (unsigned)ra, (unsigned)rb, (unsigned)want);
		return 0;
	}
	return !want || same_bytes("muladd", a, b, c->point_len);
}

static void test_muladd_random(br_hmac_drbg_context *rng, const struct curve *c)
{
	int same = 1;

	for (int i = 0; i < c->muladds && same; i++) {
		uint8_t A[MAX_POINT], B[MAX_POINT], x[MAX_SCALAR], y[MAX_SCALAR];

		random_point(rng, c, A);
		random_point(rng, c, B);
		random_scalar(rng, c, x);
		random_scalar(rng, c, y);
		same = muladd_as_bearssl(c, A, i % 2 ? B : NULL, c->point_len, x, y, 1);
	}
	ok(same, "%s: muladd() equals BearSSL's on %d random points and scalars (B or the generator)", c->name,
	   c->muladds);
}

/* The sums that are a doubling, the point at infinity, or of points that are not. */
static void test_muladd_special(br_hmac_drbg_context *rng, const struct curve *c)
{
	const uint8_t *n = order_of(c);
	size_t len = c->point_len, glen;
	const uint8_t *G = bear->generator(c->id, &glen);
	uint8_t A[MAX_POINT], B[MAX_POINT], x[MAX_SCALAR], y[MAX_SCALAR], b[MAX_SCALAR];

	random_point(rng, c, A);
	random_scalar(rng, c, x);
	ok(muladd_as_bearssl(c, A, A, len, x, x, 1) && muladd_as_bearssl(c, G, NULL, len, x, x, 1),
	   "%s: x A + x A and x G + x G (a doubling) equal BearSSL's", c->name);
	be_sub(y, n, x, c->scalar_len);
	ok(muladd_as_bearssl(c, A, A, len, x, y, 0) && muladd_as_bearssl(c, G, NULL, len, x, y, 0),
	   "%s: x A + (n - x) A is infinity: 0, as BearSSL", c->name);
	random_scalar(rng, c, b);
	bear->mulgen(B, b, c->scalar_len, c->id);
	be_sub(b, n, b, c->scalar_len);
	bear->mulgen(A, b, c->scalar_len, c->id);
	ok(muladd_as_bearssl(c, A, B, len, x, x, 0), "%s: x A + x (-A) is infinity: 0, as BearSSL", c->name);
	B[len - 1] ^= 1;
	ok(muladd_as_bearssl(c, A, B, len, x, x, 0) && muladd_as_bearssl(c, B, A, len, x, x, 0) &&
	   muladd_as_bearssl(c, B, NULL, len, x, x, 0), "%s: A or B off the curve: 0, as BearSSL", c->name);
	ok(muladd_as_bearssl(c, A, NULL, len - 1, x, x, 0), "%s: a wrong length: 0, as BearSSL", c->name);
}

/* ---- ECDSA ---- */

struct sig_case {
	const struct curve *c;
	const br_hash_class *hf;
	const char *hash;
	size_t max_der;
};

static const struct sig_case sig_cases[] = {
	{ P256, &br_sha256_vtable, "SHA-256", 72 },
	{ P256, &br_sha384_vtable, "SHA-384 (truncated)", 72 },
	{ P256, &br_sha512_vtable, "SHA-512 (truncated)", 72 },
	{ P256, &br_sha1_vtable, "SHA-1 (shorter)", 72 },
	{ P384, &br_sha384_vtable, "SHA-384", 104 },
	{ P384, &br_sha256_vtable, "SHA-256 (shorter)", 104 },
	{ P384, &br_sha512_vtable, "SHA-512 (truncated)", 104 },
	{ P521, &br_sha512_vtable, "SHA-512", 139 },
};

struct keypair {
	br_ec_private_key sk;
	br_ec_public_key pk;
	uint8_t priv[BR_EC_KBUF_PRIV_MAX_SIZE], pub[BR_EC_KBUF_PUB_MAX_SIZE];
};

static void make_keypair(br_hmac_drbg_context *rng, const struct curve *c, struct keypair *kp)
{
	br_ec_keygen(&rng->vtable, bear, &kp->sk, kp->priv, c->id);
	br_ec_compute_pub(bear, &kp->pk, kp->pub, &kp->sk);
}

static size_t hash_len(const br_hash_class *hf)
{
	return (hf->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

/* @sig is DER as BearSSL writes it: to raw and back gives the same bytes (minimal INTEGERs). */
static int der_canonical(const uint8_t *sig, size_t len)
{
	uint8_t buf[2 * MAX_SIG];
	size_t raw;

	memcpy(buf, sig, len);
	raw = br_ecdsa_asn1_to_raw(buf, len);
	return raw && br_ecdsa_raw_to_asn1(buf, raw) == len && !memcmp(buf, sig, len);
}

static void test_sign_case(br_hmac_drbg_context *rng, const struct sig_case *sc)
{
	size_t hlen = hash_len(sc->hf);
	int made = 1, bear_ok = 1, ours_ok = 1, der = 1;

	for (int i = 0; i < 16; i++) {
		uint8_t hash[64], sig[MAX_SIG + 8];
		struct keypair kp;
		size_t len;

		make_keypair(rng, sc->c, &kp);
		fill(rng, hash, hlen);
		len = ec_nettle_ecdsa_sign_asn1(ec_nettle_impl(), sc->hf, hash, &kp.sk, sig);
		made &= len > 0 && len <= sc->max_der;
		bear_ok &= br_ecdsa_i31_vrfy_asn1(bear, hash, hlen, &kp.pk, sig, len) == 1;
		ours_ok &= br_ecdsa_i31_vrfy_asn1(ec_nettle_impl(), hash, hlen, &kp.pk, sig, len) == 1;
		der &= der_canonical(sig, len);
	}
	ok(made, "ECDSA %s %s: 16 signatures of at most %zu bytes", sc->c->name, sc->hash, sc->max_der);
	ok(bear_ok, "ECDSA %s %s: BearSSL's verifier (br_ec_all_m31) takes them", sc->c->name, sc->hash);
	ok(ours_ok, "ECDSA %s %s: BearSSL's verifier on ec_nettle_impl() (our muladd) takes them", sc->c->name,
	   sc->hash);
	ok(der, "ECDSA %s %s: minimal DER, as br_ecdsa_i31_sign_asn1 writes it", sc->c->name, sc->hash);
}

/* Two signatures of one hash differ (the hedged nonce), both valid; a changed one is not. */
static void test_sign_hedged(br_hmac_drbg_context *rng, const struct curve *c, const br_hash_class *hf)
{
	uint8_t hash[64], s1[MAX_SIG], s2[MAX_SIG];
	size_t hlen = hash_len(hf), l1, l2;
	struct keypair kp;

	make_keypair(rng, c, &kp);
	fill(rng, hash, hlen);
	l1 = ec_nettle_ecdsa_sign_asn1(ec_nettle_impl(), hf, hash, &kp.sk, s1);
	l2 = ec_nettle_ecdsa_sign_asn1(ec_nettle_impl(), hf, hash, &kp.sk, s2);
	ok(l1 && l2 && (l1 != l2 || memcmp(s1, s2, l1)) &&
	   br_ecdsa_i31_vrfy_asn1(bear, hash, hlen, &kp.pk, s1, l1) &&
	   br_ecdsa_i31_vrfy_asn1(bear, hash, hlen, &kp.pk, s2, l2),
	   "ECDSA %s: two signatures of one hash differ, both valid", c->name);
	s1[l1 - 1] ^= 0x01;
	hash[0] ^= 0x80;
	ok(!br_ecdsa_i31_vrfy_asn1(bear, hash, hlen, &kp.pk, s2, l2) &&
	   !br_ecdsa_i31_vrfy_asn1(bear, hash, hlen, &kp.pk, s1, l1),
	   "ECDSA %s: with the hash or the signature changed, BearSSL refuses it", c->name);
}

/* Signing with @sk under @impl fails with ours and with BearSSL's, and ours writes nothing. */
static int sign_refused(const br_ec_impl *impl, const br_ec_private_key *sk)
{
	uint8_t hash[32] = { 1 }, sig[MAX_SIG], untouched[MAX_SIG];

	memset(sig, 0xa5, sizeof(sig));
	memset(untouched, 0xa5, sizeof(untouched));
	return !ec_nettle_ecdsa_sign_asn1(impl, &br_sha256_vtable, hash, sk, sig) &&
	       !memcmp(sig, untouched, sizeof(sig)) &&
	       !br_ecdsa_i31_sign_asn1(impl, &br_sha256_vtable, hash, sk, untouched);
}

static void test_sign_refusals(br_hmac_drbg_context *rng)
{
	uint8_t x[MAX_SCALAR + 1];
	br_ec_private_key sk = { BR_EC_secp256r1, x, 48 };
	struct keypair kp;

	fill(rng, x, 48);
	x[0] |= 0x80;
	ok(sign_refused(ec_nettle_impl(), &sk), "ECDSA: a P-384-sized key called P-256 refused, as BearSSL");
	memset(x, 0, sizeof(x));
	sk.xlen = 32;
	ok(sign_refused(ec_nettle_impl(), &sk), "ECDSA: a zero key refused, as BearSSL");
	sk.xlen = 0;
	ok(sign_refused(ec_nettle_impl(), &sk), "ECDSA: an empty key refused, as BearSSL");
	memcpy(x, order_of(P256), 32);
	sk.xlen = 32;
	ok(sign_refused(ec_nettle_impl(), &sk), "ECDSA: the key n refused, as BearSSL");
	make_keypair(rng, P256, &kp);
	ok(sign_refused(&br_ec_c25519_m31, &kp.sk), "ECDSA: a P-256 key with an impl without P-256 refused, as BearSSL");
	kp.sk.curve = BR_EC_curve25519;
	ok(sign_refused(ec_nettle_impl(), &kp.sk), "ECDSA: a key called Curve25519 refused, as BearSSL");
	kp.sk.curve = 99;
	ok(sign_refused(ec_nettle_impl(), &kp.sk), "ECDSA: a key of curve 99 refused, as BearSSL");
}

static void test_ecdsa(br_hmac_drbg_context *rng)
{
	for (size_t i = 0; i < sizeof(sig_cases) / sizeof(sig_cases[0]); i++)
		test_sign_case(rng, &sig_cases[i]);
	test_sign_hedged(rng, P256, &br_sha256_vtable);
	test_sign_hedged(rng, P384, &br_sha384_vtable);
	test_sign_refusals(rng);
}

/* ---- against OpenSSL ---- */

static char dir[] = "/tmp/test-ec-nettle-XXXXXX";

/* Run the shell command @fmt...: 0 if it exits 0. */
__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * The bytes `openssl pkey -text` prints under the line "@label" (as
 * "    5d:7f:6b:..." lines) into @out. Returns their number, 0 if none.
 */
static size_t text_field(const char *text, const char *label, uint8_t *out, size_t room)
{
	char line_start[16], hex[1024];
	const char *p;
	size_t n = 0, len;

	snprintf(line_start, sizeof(line_start), "\n%s\n", label);
	p = strstr(text, line_start);
	if (!p)
		return 0;
	for (p += strlen(line_start); *p == ' '; p++) {
		for (; *p && *p != '\n' && n < sizeof(hex) - 1; p++)
			if (*p != ':' && *p != ' ')
				hex[n++] = *p;
		if (!*p)
			break;
	}
	hex[n] = 0;
	return hex_parse(hex, out, room, &len) ? 0 : len;
}

/* An OpenSSL key pair: its PEM files in dir, its numbers from its -text form. */
struct ossl_key {
	uint8_t priv[MAX_SCALAR + 1], pub[MAX_POINT];
	size_t priv_len, pub_len;
};

static int ossl_key(const char *name, const char *genpkey, struct ossl_key *k)
{
	char text[4096] = { 0 }, file[32];

	if (sh("openssl genpkey %s -out %s/%s.pem 2>/dev/null", genpkey, dir, name) ||
	    sh("openssl pkey -in %s/%s.pem -pubout -out %s/%s.pub", dir, name, dir, name) ||
	    sh("openssl pkey -in %s/%s.pem -text -noout -out %s/%s.txt", dir, name, dir, name))
		return -1;
	snprintf(file, sizeof(file), "%s.txt", name);
	dir_slurp(dir, file, text, sizeof(text) - 1);
	k->priv_len = text_field(text, "priv:", k->priv, sizeof(k->priv));
	k->pub_len = text_field(text, "pub:", k->pub, sizeof(k->pub));
	return k->priv_len && k->pub_len ? 0 : -1;
}

struct ossl_curve {
	const struct curve *c;
	const char *genpkey;
	const br_hash_class *hf;	/* NULL: no ECDSA */
	const char *dgst;
};

static const struct ossl_curve ossl_curves[] = {
	{ X25519, "-algorithm X25519", NULL, NULL },
	{ P256, "-algorithm EC -pkeyopt ec_paramgen_curve:P-256", &br_sha256_vtable, "sha256" },
	{ P384, "-algorithm EC -pkeyopt ec_paramgen_curve:P-384", &br_sha384_vtable, "sha384" },
};

/* OpenSSL's `pkeyutl -derive` of its keys a and b against ours: mulgen(a) and a x b. */
static void test_openssl_ecdh(const struct ossl_curve *oc, const struct ossl_key *a, const struct ossl_key *b)
{
	const struct curve *c = oc->c;
	uint8_t P[MAX_POINT], secret[MAX_SCALAR + 1];
	size_t xlen, xoff = bear->xoff(c->id, &xlen), slen;

	ok(ec_nettle_impl()->mulgen(P, a->priv, a->priv_len, c->id) == c->point_len &&
	   a->pub_len == c->point_len && !memcmp(P, a->pub, c->point_len),
	   "%s: mulgen() of OpenSSL's private key is its public key", c->name);
	if (sh("openssl pkeyutl -derive -inkey %s/a.pem -peerkey %s/b.pub -out %s/ab.bin", dir, dir, dir)) {
		ok(0, "%s: openssl pkeyutl -derive", c->name);
		return;
	}
	slen = dir_slurp(dir, "ab.bin", secret, sizeof(secret));
	memcpy(P, b->pub, c->point_len);
	ok(b->pub_len == c->point_len && ec_nettle_impl()->mul(P, c->point_len, a->priv, a->priv_len, c->id) == 1 &&
	   slen == xlen && !memcmp(P + xoff, secret, xlen),
	   "%s: mul() gives OpenSSL's shared secret (pkeyutl -derive)", c->name);
}

/* Our signature with OpenSSL's key a checked by `openssl pkeyutl -verify`; a changed hash fails it. */
static void test_openssl_ecdsa(const struct ossl_curve *oc, const struct ossl_key *a)
{
	const struct curve *c = oc->c;
	br_ec_private_key sk = { c->id, (uint8_t *)a->priv, a->priv_len };
	br_ec_public_key pk = { c->id, (uint8_t *)a->pub, a->pub_len };
	static const char msg[] = "ktlsd: ec_nettle against OpenSSL";
	uint8_t hash[64], sig[MAX_SIG];
	br_hash_compat_context hc;
	size_t hlen = hash_len(oc->hf), len;

	oc->hf->init(&hc.vtable);
	oc->hf->update(&hc.vtable, msg, sizeof(msg) - 1);
	oc->hf->out(&hc.vtable, hash);
	len = ec_nettle_ecdsa_sign_asn1(ec_nettle_impl(), oc->hf, hash, &sk, sig);
	ok(len && br_ecdsa_i31_vrfy_asn1(bear, hash, hlen, &pk, sig, len),
	   "%s: signed with OpenSSL's key, BearSSL verifies", c->name);
	ok(!dir_spill(dir, "sig.der", sig, len) && !dir_spill(dir, "hash.bin", hash, hlen) &&
	   !sh("openssl pkeyutl -verify -pubin -inkey %s/a.pub -in %s/hash.bin -sigfile %s/sig.der >/dev/null",
	       dir, dir, dir),
	   "%s: openssl pkeyutl -verify takes our signature", c->name);
	ok(!dir_spill(dir, "msg.txt", msg, sizeof(msg) - 1) &&
	   !sh("openssl dgst -%s -verify %s/a.pub -signature %s/sig.der %s/msg.txt >/dev/null",
	       oc->dgst, dir, dir, dir),
	   "%s: openssl dgst -%s -verify takes it over the message", c->name, oc->dgst);
	hash[hlen - 1] ^= 1;
	ok(!dir_spill(dir, "hash.bin", hash, hlen) &&
	   sh("openssl pkeyutl -verify -pubin -inkey %s/a.pub -in %s/hash.bin -sigfile %s/sig.der "
	      ">/dev/null 2>&1", dir, dir, dir),
	   "%s: and refuses it for a changed hash", c->name);
}

static void test_openssl(void)
{
	struct ossl_key a, b;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp %s", dir);
		return;
	}
	for (size_t i = 0; i < sizeof(ossl_curves) / sizeof(ossl_curves[0]); i++) {
		const struct ossl_curve *oc = &ossl_curves[i];

		if (ossl_key("a", oc->genpkey, &a) || ossl_key("b", oc->genpkey, &b)) {
			ok(0, "%s: openssl makes two key pairs", oc->c->name);
			continue;
		}
		test_openssl_ecdh(oc, &a, &b);
		if (oc->hf)
			test_openssl_ecdsa(oc, &a);
	}
	sh("rm -rf %s", dir);
}

int main(void)
{
	br_hmac_drbg_context rng;

	seed_rng(&rng);
	/*
	 * Before ec_init(): with libsodium, its portable X25519 code (what CPUs
	 * without AVX run), which refuses a small-order u without writing the
	 * result; after it, the code ec_init() picks for this CPU.
	 */
	test_x25519_edges(&rng);
	ok(ec_init() == 0, "the elliptic-curve code starts: %s", ec_impl_name());
	test_shape();
	test_rfc7748();
	test_rfc5903();
	for (size_t i = 0; i < N_CURVES; i++)
		test_random(&rng, &curves[i]);
	test_x25519_edges(&rng);
	for (size_t i = 1; i < N_CURVES; i++) {
		test_nist_edges(&rng, &curves[i]);
		test_nist_refusals(&rng, &curves[i]);
		test_muladd_random(&rng, &curves[i]);
		test_muladd_special(&rng, &curves[i]);
	}
	test_scalar_refusals(&rng, P256);
	test_scalar_refusals(&rng, P384);
	test_x25519_refusals(&rng);
	ok(!ec_nettle_impl()->muladd((uint8_t[32]){ 9 }, NULL, 32, (uint8_t[32]){ 1 }, 32, (uint8_t[32]){ 1 }, 32,
				     BR_EC_curve25519), "X25519: muladd() returns 0, as BearSSL's");
	test_ecdsa(&rng);
	test_openssl();
	return done();
}
