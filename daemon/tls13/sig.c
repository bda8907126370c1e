// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signature schemes for CertificateVerify (RFC 8446 §4.2.3, §4.4.3): ECDSA
 * from BearSSL, RSASSA-PSS from pss.c.
 */
#include <string.h>

#include "pss.h"
#include "sig.h"

_Static_assert(T13_MAX_SIGNATURE >= T13_PSS_MAX_MODULUS, "a PSS signature must fit T13_MAX_SIGNATURE");

struct t13_scheme {
	uint16_t id;
	int key_type;			/* BR_KEYTYPE_EC or BR_KEYTYPE_RSA */
	int curve;			/* ECDSA: TLS 1.3 binds the scheme to one curve */
	const br_hash_class *hash;
	int cert_only;			/* rsa_pkcs1_*: certificates, never CertificateVerify */
};

/* Ours, in our preference; the order is both what we sign with and what we offer. */
static const struct t13_scheme schemes[] = {
	{ T13_SIG_ECDSA_SECP256R1_SHA256, BR_KEYTYPE_EC, BR_EC_secp256r1, &br_sha256_vtable, 0 },
	{ T13_SIG_ECDSA_SECP384R1_SHA384, BR_KEYTYPE_EC, BR_EC_secp384r1, &br_sha384_vtable, 0 },
	{ T13_SIG_ECDSA_SECP521R1_SHA512, BR_KEYTYPE_EC, BR_EC_secp521r1, &br_sha512_vtable, 0 },
	{ T13_SIG_RSA_PSS_RSAE_SHA256, BR_KEYTYPE_RSA, 0, &br_sha256_vtable, 0 },
	{ T13_SIG_RSA_PSS_RSAE_SHA384, BR_KEYTYPE_RSA, 0, &br_sha384_vtable, 0 },
	{ T13_SIG_RSA_PSS_RSAE_SHA512, BR_KEYTYPE_RSA, 0, &br_sha512_vtable, 0 },
	{ T13_SIG_RSA_PKCS1_SHA256, BR_KEYTYPE_RSA, 0, &br_sha256_vtable, 1 },
	{ T13_SIG_RSA_PKCS1_SHA384, BR_KEYTYPE_RSA, 0, &br_sha384_vtable, 1 },
	{ T13_SIG_RSA_PKCS1_SHA512, BR_KEYTYPE_RSA, 0, &br_sha512_vtable, 1 },
};

#define SCHEME_COUNT (sizeof(schemes) / sizeof(schemes[0]))

static const char server_context[] = "TLS 1.3, server CertificateVerify";
static const char client_context[] = "TLS 1.3, client CertificateVerify";

_Static_assert(sizeof(server_context) == T13_CV_PREFIX - 64 && sizeof(client_context) == T13_CV_PREFIX - 64,
	       "the context string and its 0 separator are 34 bytes");

size_t t13_cv_content(uint8_t out[T13_CV_MAX_CONTENT], int server, const uint8_t *transcript_hash,
		      size_t hash_len)
{
	/* sizeof() keeps the string's terminating 0: it is the separator. */
	const char *context = server ? server_context : client_context;

	if (!hash_len || hash_len > T13_MAX_HASH)
		return 0;
	memset(out, 0x20, 64);
	memcpy(out + 64, context, T13_CV_PREFIX - 64);
	memcpy(out + T13_CV_PREFIX, transcript_hash, hash_len);
	return T13_CV_PREFIX + hash_len;
}

static const struct t13_scheme *find_scheme(uint16_t id)
{
	for (size_t i = 0; i < SCHEME_COUNT; i++)
		if (schemes[i].id == id)
			return &schemes[i];
	return NULL;
}

/* Whether @creds' key can make a CertificateVerify signature with @s. */
static int key_can_make(const struct creds *creds, const struct t13_scheme *s)
{
	if (s->cert_only || s->key_type != creds->key_type)
		return 0;
	if (s->key_type == BR_KEYTYPE_EC)
		return s->curve == creds->ec_key.curve;
	return t13_pss_key_fits(creds->rsa_key.n_bitlen, s->hash);
}

static int peer_allows(const uint8_t *peer, size_t peer_len, uint16_t id)
{
	for (size_t i = 0; i + 1 < peer_len; i += 2)
		if (t13_get16(peer + i) == id)
			return 1;
	return 0;
}

uint16_t t13_sig_choose(const struct creds *creds, const uint8_t *peer, size_t peer_len)
{
	if (!creds->key_type)
		return 0;
	for (size_t i = 0; i < SCHEME_COUNT; i++)
		if (key_can_make(creds, &schemes[i]) && peer_allows(peer, peer_len, schemes[i].id))
			return schemes[i].id;
	return 0;
}

/* Hash(@data) with @h into @out; returns the hash's length. */
static size_t hash_content(const br_hash_class *h, const uint8_t *data, size_t len, uint8_t *out)
{
	br_hash_compat_context ctx;

	h->init(&ctx.vtable);
	h->update(&ctx.vtable, data, len);
	h->out(&ctx.vtable, out);
	return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

static int sign_ecdsa(const struct creds *creds, const struct t13_scheme *s, const uint8_t *digest,
		      uint8_t *sig, size_t *sig_len)
{
	size_t n = br_ecdsa_sign_asn1_get_default()(br_ec_get_default(), s->hash, digest,
						     &creds->ec_key, sig);

	if (!n)
		return -1;
	*sig_len = n;
	return 0;
}

static void ignore_dn(void *ctx, const void *buf, size_t len)
{
	(void)ctx, (void)buf, (void)len;
}

/*
 * The RSA key of @creds' leaf certificate, decoded into @dc, to check our
 * signatures with (pss.h). NULL if the leaf does not decode to an RSA key.
 */
static const br_rsa_public_key *leaf_rsa_key(const struct creds *creds, br_x509_decoder_context *dc)
{
	const br_x509_pkey *pkey;

	br_x509_decoder_init(dc, ignore_dn, NULL);
	br_x509_decoder_push(dc, creds->chain[0].data, creds->chain[0].data_len);
	pkey = br_x509_decoder_get_pkey(dc);
	return pkey && pkey->key_type == BR_KEYTYPE_RSA ? &pkey->key.rsa : NULL;
}

static int sign_pss(const struct creds *creds, const struct t13_scheme *s, const uint8_t *digest,
		    size_t hlen, const br_prng_class **rng, uint8_t *sig, size_t *sig_len)
{
	br_x509_decoder_context dc;
	const br_rsa_public_key *pk = NULL;
	uint8_t salt[T13_MAX_DIGEST];

	if (!rng)
		return -1;
	/* Without a chain, pss.c recomputes the public key, as far as BearSSL can. */
	if (creds->chain_len && !(pk = leaf_rsa_key(creds, &dc)))
		return -1;
	(*rng)->generate(rng, salt, hlen);
	return t13_pss_sign(&creds->rsa_key, pk, s->hash, digest, salt, sig, sig_len);
}

int t13_sig_sign(const struct creds *creds, uint16_t scheme, const uint8_t *content, size_t len,
		 const br_prng_class **rng, uint8_t *sig, size_t *sig_len)
{
	const struct t13_scheme *s = find_scheme(scheme);
	uint8_t digest[T13_MAX_DIGEST];
	size_t hlen;

	if (!s || !key_can_make(creds, s))
		return -1;
	hlen = hash_content(s->hash, content, len, digest);
	if (s->key_type == BR_KEYTYPE_EC)
		return sign_ecdsa(creds, s, digest, sig, sig_len);
	return sign_pss(creds, s, digest, hlen, rng, sig, sig_len);
}

/* Whether the peer may use @s, as we offered it, with its leaf key @pkey. */
static int scheme_fits_key(const struct t13_scheme *s, const br_x509_pkey *pkey)
{
	if (s->cert_only || s->key_type != pkey->key_type)
		return 0;
	return s->key_type != BR_KEYTYPE_EC || s->curve == pkey->key.ec.curve;
}

int t13_sig_verify(const br_x509_pkey *pkey, uint16_t scheme, const uint8_t *content, size_t len,
		   const uint8_t *sig, size_t sig_len)
{
	const struct t13_scheme *s = find_scheme(scheme);
	uint8_t digest[T13_MAX_DIGEST];
	size_t hlen;
	int valid;

	if (!s || !scheme_fits_key(s, pkey))
		return -T13_ALERT_ILLEGAL_PARAMETER;
	if (!sig_len || sig_len > T13_MAX_SIGNATURE)
		return -T13_ALERT_DECRYPT_ERROR;
	hlen = hash_content(s->hash, content, len, digest);
	if (s->key_type == BR_KEYTYPE_EC)
		valid = br_ecdsa_vrfy_asn1_get_default()(br_ec_get_default(), digest, hlen,
							 &pkey->key.ec, sig, sig_len) == 1;
	else
		valid = t13_pss_verify(&pkey->key.rsa, s->hash, digest, sig, sig_len);
	return valid ? 0 : -T13_ALERT_DECRYPT_ERROR;
}

size_t t13_sig_our_list(uint8_t *out, size_t cap)
{
	if (cap < 2 * SCHEME_COUNT)
		return 0;
	for (size_t i = 0; i < SCHEME_COUNT; i++)
		t13_put16(out + 2 * i, schemes[i].id);
	return 2 * SCHEME_COUNT;
}
