// SPDX-License-Identifier: GPL-2.0-or-later
/* ECDSA's private operation: ecdsa.h. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "ec.h"
#include "ecdsa.h"

#ifdef KTLSD_ECDSA_OPENSSL
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

/* P-521's: 2 * 66 + 9 (SEQUENCE, two INTEGERs, each with a sign byte). */
#define ECDSA_MAX_DER	141

/* BearSSL's bound for the caller's buffer (br_ecdsa_sign_asn1): 2 * the order's bytes + 9. */
static size_t max_der(int curve)
{
	switch (curve) {
	case BR_EC_secp256r1:
		return 2 * 32 + 9;
	case BR_EC_secp384r1:
		return 2 * 48 + 9;
	case BR_EC_secp521r1:
		return 2 * 66 + 9;
	}
	return 0;
}

struct ecdsa_fast {
	EVP_PKEY *pkey;
	int curve;
};

static const char *group_name(int curve)
{
	switch (curve) {
	case BR_EC_secp256r1:
		return SN_X9_62_prime256v1;
	case BR_EC_secp384r1:
		return SN_secp384r1;
	case BR_EC_secp521r1:
		return SN_secp521r1;
	}
	return NULL;
}

/*
 * The private scalar is a "secure" BIGNUM: no secure heap is set up, so it
 * lives on the ordinary heap, but libcrypto clears it, and the
 * OSSL_PARAM_BLD copy, when it frees them.
 */
static EVP_PKEY *make_pkey(const char *group, const br_ec_private_key *sk,
			   const unsigned char *pub, size_t pub_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	BIGNUM *x = BN_secure_new();
	EVP_PKEY *pkey = NULL;

	if (bld && ctx && x && BN_bin2bn(sk->x, (int)sk->xlen, x) &&
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) &&
	    EVP_PKEY_fromdata_init(ctx) > 0)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params);
	OSSL_PARAM_free(params);	/* clears the secure number's part */
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(x);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

struct ecdsa_fast *ecdsa_fast_new(const br_ec_private_key *sk)
{
	unsigned char pub[BR_EC_KBUF_PUB_MAX_SIZE];
	const char *group = group_name(sk->curve);
	struct ecdsa_fast *fast;
	size_t pub_len;

	if (!group)
		return NULL;
	pub_len = br_ec_compute_pub(ec_impl(), NULL, pub, sk);
	fast = pub_len ? calloc(1, sizeof(*fast)) : NULL;
	if (!fast)
		return NULL;
	fast->curve = sk->curve;
	fast->pkey = make_pkey(group, sk, pub, pub_len);
	if (!fast->pkey) {
		free(fast);
		return NULL;
	}
	return fast;
}

void ecdsa_fast_free(struct ecdsa_fast *fast)
{
	if (!fast)
		return;
	/* EC_KEY_free() clears the private scalar. */
	EVP_PKEY_free(fast->pkey);
	free(fast);
}

static size_t openssl_sign(const struct ecdsa_fast *fast, const br_hash_class *hf,
			   const void *hash, void *sig)
{
	size_t hash_len = (hf->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(fast->pkey, NULL);
	unsigned char der[ECDSA_MAX_DER];
	size_t len = sizeof(der);
	int ok = ctx && EVP_PKEY_sign_init(ctx) > 0 &&
		 EVP_PKEY_sign(ctx, der, &len, hash, hash_len) > 0 && len <= max_der(fast->curve);

	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return 0;
	memcpy(sig, der, len);
	return len;
}

size_t ecdsa_sign_asn1(const struct ecdsa_fast *fast, const br_ec_private_key *sk,
		       const br_hash_class *hf, const void *hash, void *sig)
{
	if (fast && fast->curve == sk->curve)
		return openssl_sign(fast, hf, hash, sig);
	return ec_ecdsa_sign()(ec_impl(), hf, hash, sk, sig);
}

const char *ecdsa_impl_name(void)
{
	return "OpenSSL libcrypto";
}

int ecdsa_fast_expected(void)
{
	return 1;
}
#else
struct ecdsa_fast *ecdsa_fast_new(const br_ec_private_key *sk)
{
	(void)sk;
	return NULL;
}

void ecdsa_fast_free(struct ecdsa_fast *fast)
{
	(void)fast;
}

size_t ecdsa_sign_asn1(const struct ecdsa_fast *fast, const br_ec_private_key *sk,
		       const br_hash_class *hf, const void *hash, void *sig)
{
	(void)fast;
	return ec_ecdsa_sign()(ec_impl(), hf, hash, sk, sig);
}

const char *ecdsa_impl_name(void)
{
#ifdef KTLSD_EC_NETTLE
	return "nettle";
#else
	return "BearSSL";
#endif
}

int ecdsa_fast_expected(void)
{
	return 0;
}
#endif
