// SPDX-License-Identifier: GPL-2.0-or-later
/* RSA's private operation: rsa.h. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "rsa.h"

/* RFC 8017 §9.2 step 5: the padding string is at least 8 bytes. */
#define PKCS1_MIN_PS	8
/* Up to RSA-16384; BearSSL's own limit is lower. */
#define RSA_MAX_BYTES	2048

/* EM = 00 01 FF..FF 00 T, T the DigestInfo (RFC 8017 §9.2) or the bare hash. */
static int pkcs1_encode(const unsigned char *oid, const uint8_t *hash, size_t hash_len,
			uint8_t *em, size_t k)
{
	size_t oid_len = oid ? oid[0] : 0;
	size_t t_len = oid ? 10 + oid_len + hash_len : hash_len;
	uint8_t *t;

	/* DER lengths below 128 (every hash TLS uses): one byte each. */
	if (hash_len > 64 || oid_len > 32 || k < t_len + 3 + PKCS1_MIN_PS)
		return -1;
	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xff, k - t_len - 3);
	em[k - t_len - 1] = 0x00;
	t = em + k - t_len;
	if (oid) {
		*t++ = 0x30;			/* DigestInfo ::= SEQUENCE { */
		*t++ = (uint8_t)(t_len - 2);
		*t++ = 0x30;			/*   AlgorithmIdentifier { */
		*t++ = (uint8_t)(oid_len + 4);
		*t++ = 0x06;			/*     OID */
		*t++ = (uint8_t)oid_len;
		memcpy(t, oid + 1, oid_len);
		t += oid_len;
		*t++ = 0x05;			/*     NULL parameters } */
		*t++ = 0x00;
		*t++ = 0x04;			/*   digest OCTET STRING } */
		*t++ = (uint8_t)hash_len;
	}
	memcpy(t, hash, hash_len);
	return 0;
}

/*
 * The public key recomputed from @sk, into @n and @e. BearSSL recomputes the
 * exponent only when p and q are both 3 mod 4 (other keys are taken to use
 * 65537, as nearly all do), and the modulus only for factors under 2048 bits.
 */
static int recompute_public(const br_rsa_private_key *sk, size_t k, uint8_t *n, uint8_t e[4],
			    br_rsa_public_key *pk)
{
	br_rsa_compute_modulus modulus = br_rsa_compute_modulus_get_default();
	uint32_t exp = br_rsa_compute_pubexp_get_default()(sk);

	if (!exp)
		exp = 65537;
	if (modulus(NULL, sk) != k || modulus(n, sk) != k)
		return -1;
	e[0] = (uint8_t)(exp >> 24);
	e[1] = (uint8_t)(exp >> 16);
	e[2] = (uint8_t)(exp >> 8);
	e[3] = (uint8_t)exp;
	*pk = (br_rsa_public_key){ n, k, e, 4 };
	return 0;
}

/* BearSSL's public operation on @y (@k bytes), with @pk or the key recomputed from @sk. */
static uint32_t bearssl_public(const br_rsa_private_key *sk, const br_rsa_public_key *pk,
			       uint8_t *y, size_t k)
{
	uint8_t n[RSA_MAX_BYTES], e[4];
	br_rsa_public_key recomputed;

	if (!pk) {
		if (recompute_public(sk, k, n, e, &recomputed) < 0)
			return 0;
		pk = &recomputed;
	}
	/* BearSSL also refuses a modulus of another length than @k here. */
	return br_rsa_public_get_default()(y, k, pk);
}

#ifdef KTLSD_RSA_OPENSSL
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

struct rsa_fast {
	EVP_PKEY *pkey;
	size_t k;		/* the modulus' length in bytes */
};

/*
 * BearSSL's numbers as BIGNUMs. The private ones are "secure" BIGNUMs: no
 * secure heap is set up (CRYPTO_secure_malloc_init), so they live on the
 * ordinary heap, but libcrypto clears them, and their OSSL_PARAM_BLD
 * copies, when it frees them.
 */
struct rsa_numbers {
	BIGNUM *p, *q, *dp, *dq, *iq, *n, *e, *d;
};

static BIGNUM *secret_bn(const unsigned char *bytes, size_t len)
{
	BIGNUM *bn = BN_secure_new();

	if (bn && !BN_bin2bn(bytes, (int)len, bn)) {
		BN_clear_free(bn);
		return NULL;
	}
	return bn;
}

static void numbers_free(struct rsa_numbers *r)
{
	BN_clear_free(r->p);
	BN_clear_free(r->q);
	BN_clear_free(r->dp);
	BN_clear_free(r->dq);
	BN_clear_free(r->iq);
	BN_free(r->n);
	BN_free(r->e);
	BN_clear_free(r->d);
}

/* @out = @dx^-1 mod (@x - 1): the public exponent, as e < x - 1 (dx is secret: constant time). */
static int exponent_of(BIGNUM *out, const BIGNUM *x, BIGNUM *dx, BN_CTX *ctx)
{
	BIGNUM *x1 = BN_secure_new();
	int ok;

	BN_set_flags(dx, BN_FLG_CONSTTIME);
	ok = x1 && BN_sub(x1, x, BN_value_one()) && BN_mod_inverse(out, dx, x1, ctx) != NULL;
	BN_clear_free(x1);
	return ok;
}

/*
 * e, found from both CRT exponents (BearSSL's key has no e, and recomputes
 * it only when p and q are 3 mod 4), checked to agree; n = pq; and d = e^-1
 * mod (p-1)(q-1), which libcrypto asks for though it signs with the CRT.
 */
static int derive(struct rsa_numbers *r, BN_CTX *ctx)
{
	BIGNUM *e_q = BN_new(), *p1 = BN_secure_new(), *q1 = BN_secure_new(), *phi = BN_secure_new();
	int ok = e_q && p1 && q1 && phi && r->n && r->e && r->d &&
		 exponent_of(r->e, r->p, r->dp, ctx) && exponent_of(e_q, r->q, r->dq, ctx) &&
		 !BN_cmp(r->e, e_q) && BN_mul(r->n, r->p, r->q, ctx) &&
		 BN_sub(p1, r->p, BN_value_one()) && BN_sub(q1, r->q, BN_value_one()) &&
		 BN_mul(phi, p1, q1, ctx);

	if (ok) {
		BN_set_flags(phi, BN_FLG_CONSTTIME);
		ok = BN_mod_inverse(r->d, r->e, phi, ctx) != NULL;
	}
	BN_free(e_q);
	BN_clear_free(p1);
	BN_clear_free(q1);
	BN_clear_free(phi);
	return ok ? 0 : -1;
}

static EVP_PKEY *make_pkey(const struct rsa_numbers *r)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *pkey = NULL;

	if (bld && ctx &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, r->n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, r->e) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, r->d) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, r->p) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, r->q) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, r->dp) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, r->dq) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, r->iq) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) &&
	    EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params);
	OSSL_PARAM_free(params);	/* clears the secure numbers' part */
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

struct rsa_fast *rsa_fast_new(const br_rsa_private_key *sk)
{
	struct rsa_numbers r = {
		secret_bn(sk->p, sk->plen), secret_bn(sk->q, sk->qlen), secret_bn(sk->dp, sk->dplen),
		secret_bn(sk->dq, sk->dqlen), secret_bn(sk->iq, sk->iqlen),
		BN_new(), BN_new(), BN_secure_new(),
	};
	struct rsa_fast *fast = calloc(1, sizeof(*fast));
	BN_CTX *ctx = BN_CTX_secure_new();

	if (fast && ctx && r.p && r.q && r.dp && r.dq && r.iq && derive(&r, ctx) == 0)
		fast->pkey = make_pkey(&r);
	BN_CTX_free(ctx);
	numbers_free(&r);
	if (!fast || !fast->pkey) {
		free(fast);
		return NULL;
	}
	fast->k = (sk->n_bitlen + 7) / 8;
	return fast;
}

void rsa_fast_free(struct rsa_fast *fast)
{
	if (!fast)
		return;
	/* RSA_free() clears every private number and Montgomery context. */
	EVP_PKEY_free(fast->pkey);
	free(fast);
}

/* The raw operation, unpadded: k bytes in, k bytes out, in place. */
static uint32_t private_raw(const struct rsa_fast *fast, const br_rsa_private_key *sk, uint8_t *x)
{
	EVP_PKEY_CTX *ctx;
	uint8_t out[RSA_MAX_BYTES];
	size_t out_len = sizeof(out);
	int ok;

	if (!fast)
		return br_rsa_private_get_default()(x, sk);
	ctx = EVP_PKEY_CTX_new(fast->pkey, NULL);
	ok = ctx && fast->k <= sizeof(out) && EVP_PKEY_sign_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
	     EVP_PKEY_sign(ctx, out, &out_len, x, fast->k) > 0 && out_len == fast->k;
	EVP_PKEY_CTX_free(ctx);
	if (ok)
		memcpy(x, out, fast->k);
	explicit_bzero(out, sizeof(out));
	return ok ? 1 : 0;
}

/* libcrypto's own key's public half: about 7x faster than BearSSL's public operation. */
static uint32_t public_raw(const struct rsa_fast *fast, const br_rsa_private_key *sk,
			   const br_rsa_public_key *pk, uint8_t *y, size_t k)
{
	EVP_PKEY_CTX *ctx;
	uint8_t out[RSA_MAX_BYTES];
	size_t out_len = sizeof(out);
	int ok;

	if (!fast)
		return bearssl_public(sk, pk, y, k);
	ctx = EVP_PKEY_CTX_new(fast->pkey, NULL);
	ok = ctx && k == fast->k && EVP_PKEY_verify_recover_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
	     EVP_PKEY_verify_recover(ctx, out, &out_len, y, k) > 0 && out_len == k;
	EVP_PKEY_CTX_free(ctx);
	if (ok)
		memcpy(y, out, k);
	explicit_bzero(out, sizeof(out));
	return ok ? 1 : 0;
}

const char *rsa_impl_name(void)
{
	return "OpenSSL libcrypto";
}

int rsa_fast_expected(void)
{
	return 1;
}

void rsa_prepare(void)
{
	unsigned char warm[16];

	/* Loads the default provider and seeds the DRBG (getrandom(2)); fails closed later if not. */
	if (RAND_bytes(warm, sizeof(warm)) == 1)
		explicit_bzero(warm, sizeof(warm));
}
#else
struct rsa_fast *rsa_fast_new(const br_rsa_private_key *sk)
{
	(void)sk;
	return NULL;
}

void rsa_fast_free(struct rsa_fast *fast)
{
	(void)fast;
}

static uint32_t private_raw(const struct rsa_fast *fast, const br_rsa_private_key *sk, uint8_t *x)
{
	(void)fast;
	return br_rsa_private_get_default()(x, sk);
}

static uint32_t public_raw(const struct rsa_fast *fast, const br_rsa_private_key *sk,
			   const br_rsa_public_key *pk, uint8_t *y, size_t k)
{
	(void)fast;
	return bearssl_public(sk, pk, y, k);
}

const char *rsa_impl_name(void)
{
	return "BearSSL";
}

int rsa_fast_expected(void)
{
	return 0;
}

void rsa_prepare(void)
{
}
#endif

uint32_t rsa_private_op(const struct rsa_fast *fast, const br_rsa_private_key *sk,
			const br_rsa_public_key *pk, uint8_t *x)
{
	uint8_t want[RSA_MAX_BYTES], y[RSA_MAX_BYTES];	/* y: a wrong result's e-th power gives q too */
	size_t k = (sk->n_bitlen + 7) / 8;
	uint32_t good;

	if (k > RSA_MAX_BYTES)
		return 0;
	memcpy(want, x, k);
	good = private_raw(fast, sk, x);
	/*
	 * Undone with the public key before it leaves: RSA-CRT that computed
	 * one half wrong gives the factors to whoever sees the result (Boneh,
	 * DeMillo, Lipton). libcrypto checks its own result too, and computes
	 * it again without the CRT when it is wrong: this check is ours, the
	 * same for both codes, at a tenth of a signature's cost.
	 */
	if (good) {
		memcpy(y, x, k);
		good = public_raw(fast, sk, pk, y, k) && !memcmp(y, want, k);
		explicit_bzero(y, k);
	}
	if (!good)
		explicit_bzero(x, k);
	return good;
}

uint32_t rsa_pkcs1_sign(const struct rsa_fast *fast, const br_rsa_private_key *sk,
			const br_rsa_public_key *pk, const unsigned char *hash_oid,
			const uint8_t *hash, size_t hash_len, uint8_t *sig)
{
	size_t k = (sk->n_bitlen + 7) / 8;

	if (k > RSA_MAX_BYTES || pkcs1_encode(hash_oid, hash, hash_len, sig, k) < 0)
		return 0;
	return rsa_private_op(fast, sk, pk, sig);
}
