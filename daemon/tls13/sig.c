// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signature schemes for CertificateVerify (RFC 8446 §4.2.3, §4.4.3): ECDSA
 * from BearSSL, RSASSA-PSS from pss.c. The same schemes for TLS 1.2's
 * ServerKeyExchange and CertificateVerify (RFC 5246 §7.4.1.4.1, RFC 8422
 * §5.4), with PKCS#1 v1.5 from BearSSL besides.
 */
#define _GNU_SOURCE
#include <string.h>

#include "pss.h"
#include "sig.h"
#include "../ec.h"
#include "../hash.h"
#include "../key_client.h"
#include "../ecdsa.h"
#include "../rsa.h"

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

	h = hash_fast(h);
	h->init(&ctx.vtable);
	h->update(&ctx.vtable, data, len);
	h->out(&ctx.vtable, out);
	return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

static int sign_ecdsa(const struct creds *creds, const br_hash_class *hash, const uint8_t *digest,
		      uint8_t *sig, size_t *sig_len)
{
	size_t n = ecdsa_sign_asn1(creds->ec_fast, &creds->ec_key, hash, digest, sig);

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
 * The key rsa_private_op() checks a signature with (rsa.h) when libcrypto's
 * own is not there: the leaf certificate's, decoded into @dc, or NULL
 * (recomputed from the private key) without a chain. -1 if the leaf holds
 * no RSA key (which creds.c, matching key and leaf at load, never lets in).
 */
static int checking_key(const struct creds *creds, br_x509_decoder_context *dc,
			const br_rsa_public_key **pk)
{
	const br_x509_pkey *pkey;

	*pk = NULL;
	/* Decoding the leaf costs a tenth of a signature: only when it is needed. */
	if (creds->rsa_fast || !creds->chain_len)
		return 0;
	br_x509_decoder_init(dc, ignore_dn, NULL);
	br_x509_decoder_push(dc, creds->chain[0].data, creds->chain[0].data_len);
	pkey = br_x509_decoder_get_pkey(dc);
	if (!pkey || pkey->key_type != BR_KEYTYPE_RSA)
		return -1;
	*pk = &pkey->key.rsa;
	return 0;
}

static int sign_pss(const struct creds *creds, const br_hash_class *hash, const uint8_t *digest,
		    size_t hlen, const br_prng_class **rng, uint8_t *sig, size_t *sig_len)
{
	br_x509_decoder_context dc;
	const br_rsa_public_key *pk;
	uint8_t salt[T13_MAX_DIGEST];

	if (!rng || checking_key(creds, &dc, &pk) < 0)
		return -1;
	(*rng)->generate(rng, salt, hlen);
	return t13_pss_sign(&creds->rsa_key, creds->rsa_fast, pk, hash, digest, salt, sig, sig_len);
}

/*
 * A key in the key process signs TLS 1.3 CertificateVerify content it
 * builds itself: @content must be such content, whose transcript hash goes.
 */
static int remote_cv(const struct creds *creds, uint16_t scheme, const uint8_t *content, size_t len,
		     uint8_t *sig, size_t *sig_len)
{
	uint8_t expect[T13_CV_MAX_CONTENT];

	for (int server = 0; server < 2; server++) {
		if (len <= T13_CV_PREFIX || len > T13_CV_MAX_CONTENT ||
		    t13_cv_content(expect, server, content + T13_CV_PREFIX, len - T13_CV_PREFIX) != len ||
		    memcmp(expect, content, T13_CV_PREFIX))
			continue;
		return key_client_sign_cv(creds->signer, creds->key_id, server, scheme,
					  content + T13_CV_PREFIX, len - T13_CV_PREFIX, sig, sig_len);
	}
	return -1;
}

int t13_sig_sign(const struct creds *creds, uint16_t scheme, const uint8_t *content, size_t len,
		 const br_prng_class **rng, uint8_t *sig, size_t *sig_len)
{
	const struct t13_scheme *s = find_scheme(scheme);
	uint8_t digest[T13_MAX_DIGEST];

	if (!s || !key_can_make(creds, s))
		return -1;
	if (creds->signer)
		return remote_cv(creds, scheme, content, len, sig, sig_len);
	hash_content(s->hash, content, len, digest);
	return t13_sig_sign_digest(creds, s->key_type == BR_KEYTYPE_EC ? T13_SIG_OP_ECDSA :
				   T13_SIG_OP_PSS, s->hash, digest, rng, sig, sig_len);
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
		valid = ec_ecdsa_vrfy()(ec_impl(), digest, hlen,
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

/*
 * TLS 1.2 (RFC 5246 §7.4.1.4.1): the same ids, read as (hash, signature).
 * In the table above the rsa_pkcs1_* schemes are exactly those TLS 1.3 keeps
 * for certificates, so cert_only marks PKCS#1 v1.5 padding here.
 */

static size_t hash_len_of(const br_hash_class *h)
{
	return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

/* The hash's OID as br_rsa_pkcs1_* take it (its length first); NULL for others. */
static const unsigned char *pkcs1_hash_oid(const br_hash_class *h)
{
	switch ((h->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK) {
	case br_sha256_ID:
		return BR_HASH_OID_SHA256;
	case br_sha384_ID:
		return BR_HASH_OID_SHA384;
	case br_sha512_ID:
		return BR_HASH_OID_SHA512;
	}
	return NULL;
}

/*
 * Whether a modulus of @mod_bits bits carries a PKCS#1 v1.5 signature with
 * @h (RFC 8017 §9.2 step 3: emLen >= tLen + 11, T the DigestInfo: 0x30 L
 * 0x30 L 0x06 L OID 0x05 0x00 0x04 L H) that fits T13_MAX_SIGNATURE.
 */
static int pkcs1_key_fits(uint32_t mod_bits, const br_hash_class *h)
{
	const unsigned char *oid = pkcs1_hash_oid(h);
	size_t k = ((size_t)mod_bits + 7) / 8;

	return oid && k <= T13_MAX_SIGNATURE && k >= 10u + oid[0] + hash_len_of(h) + 11;
}

/* Whether @creds' key can make @s in TLS 1.2: ECDSA on any of its curves. */
static int t12_key_can_make(const struct creds *creds, const struct t13_scheme *s)
{
	if (s->key_type != creds->key_type)
		return 0;
	if (s->key_type == BR_KEYTYPE_EC)
		return 1;
	if (s->cert_only)
		return pkcs1_key_fits(creds->rsa_key.n_bitlen, s->hash);
	return t13_pss_key_fits(creds->rsa_key.n_bitlen, s->hash);
}

static int pkcs1_verify(const br_rsa_public_key *pk, const br_hash_class *h, const uint8_t *digest,
			const uint8_t *sig, size_t sig_len)
{
	const unsigned char *oid = pkcs1_hash_oid(h);
	uint8_t signed_hash[T13_MAX_DIGEST];
	size_t hlen = hash_len_of(h);

	/* BearSSL checks the padding and DigestInfo, and gives the hash to compare. */
	if (!oid || !br_rsa_pkcs1_vrfy_get_default()(sig, sig_len, oid, hlen, pk, signed_hash))
		return 0;
	return !memcmp(signed_hash, digest, hlen);
}

/* @sig over @digest (@hlen bytes, of @s's hash) under @pkey: 1 if valid. */
static int verify_digest(const br_x509_pkey *pkey, const struct t13_scheme *s, const uint8_t *digest,
			 size_t hlen, const uint8_t *sig, size_t sig_len)
{
	if (s->key_type == BR_KEYTYPE_EC)
		return ec_ecdsa_vrfy()(ec_impl(), digest, hlen, &pkey->key.ec, sig, sig_len) == 1;
	if (s->cert_only)
		return pkcs1_verify(&pkey->key.rsa, s->hash, digest, sig, sig_len);
	return t13_pss_verify(&pkey->key.rsa, s->hash, digest, sig, sig_len);
}

int t12_sig_verify(const br_x509_pkey *pkey, uint16_t scheme, const uint8_t *content, size_t len,
		   const uint8_t *sig, size_t sig_len)
{
	const struct t13_scheme *s = find_scheme(scheme);
	uint8_t digest[T13_MAX_DIGEST];
	size_t hlen;

	if (!s || s->key_type != pkey->key_type)
		return -T13_ALERT_ILLEGAL_PARAMETER;
	if (!sig_len || sig_len > T13_MAX_SIGNATURE)
		return -T13_ALERT_DECRYPT_ERROR;
	hlen = hash_content(s->hash, content, len, digest);
	return verify_digest(pkey, s, digest, hlen, sig, sig_len) ? 0 : -T13_ALERT_DECRYPT_ERROR;
}

int t12_sig_verify_hash(const br_x509_pkey *pkey, uint16_t scheme, const uint8_t *hash, size_t hash_len,
			const uint8_t *sig, size_t sig_len)
{
	const struct t13_scheme *s = find_scheme(scheme);

	if (!s || s->key_type != pkey->key_type || hash_len != hash_len_of(s->hash))
		return -T13_ALERT_ILLEGAL_PARAMETER;
	if (!sig_len || sig_len > T13_MAX_SIGNATURE)
		return -T13_ALERT_DECRYPT_ERROR;
	return verify_digest(pkey, s, hash, hash_len, sig, sig_len) ? 0 : -T13_ALERT_DECRYPT_ERROR;
}

/* Our preferences for a TLS 1.2 CertificateVerify, SHA-256 and SHA-384 only. */
static const uint16_t t12_rsa_order[] = {
	T13_SIG_RSA_PSS_RSAE_SHA256, T13_SIG_RSA_PSS_RSAE_SHA384,
	T13_SIG_RSA_PKCS1_SHA256, T13_SIG_RSA_PKCS1_SHA384,
};
static const uint16_t t12_ec_sha256_first[] = {
	T13_SIG_ECDSA_SECP256R1_SHA256, T13_SIG_ECDSA_SECP384R1_SHA384,
};
static const uint16_t t12_ec_sha384_first[] = {
	T13_SIG_ECDSA_SECP384R1_SHA384, T13_SIG_ECDSA_SECP256R1_SHA256,
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

_Static_assert(ARRAY_SIZE(t12_ec_sha256_first) == ARRAY_SIZE(t12_ec_sha384_first),
	       "both EC orders hold the same two ids");

/* The first of @order (@count ids) that @creds' key can make and the peer allows; 0 if none. */
static uint16_t t12_first_allowed(const struct creds *creds, const uint16_t *order, size_t count,
				  const uint8_t *peer, size_t peer_len)
{
	const struct t13_scheme *s;

	for (size_t i = 0; i < count; i++) {
		s = find_scheme(order[i]);
		if (s && t12_key_can_make(creds, s) && peer_allows(peer, peer_len, s->id))
			return s->id;
	}
	return 0;
}

uint16_t t12_sig_choose(const struct creds *creds, const uint8_t *peer, size_t peer_len)
{
	const uint16_t *order = t12_rsa_order;
	size_t count = ARRAY_SIZE(t12_rsa_order);

	if (creds->key_type == BR_KEYTYPE_EC) {
		/* The curve's own hash first; for P-521 (SHA-512 left out) SHA-384, the nearer. */
		order = creds->ec_key.curve == BR_EC_secp256r1 ? t12_ec_sha256_first : t12_ec_sha384_first;
		count = ARRAY_SIZE(t12_ec_sha256_first);
	} else if (creds->key_type != BR_KEYTYPE_RSA) {
		return 0;
	}
	return t12_first_allowed(creds, order, count, peer, peer_len);
}

/* PKCS#1 v1.5 with the hash's DigestInfo, checked before it leaves as PSS is (rsa.h). */
static int sign_pkcs1(const struct creds *creds, const br_hash_class *h, const uint8_t *hash,
		      uint8_t *sig, size_t *sig_len)
{
	br_x509_decoder_context dc;
	const br_rsa_public_key *pk;
	const unsigned char *oid = pkcs1_hash_oid(h);

	if (!oid || checking_key(creds, &dc, &pk) < 0 ||
	    !rsa_pkcs1_sign(creds->rsa_fast, &creds->rsa_key, pk, oid, hash, hash_len_of(h), sig))
		return -1;
	*sig_len = (creds->rsa_key.n_bitlen + 7) / 8;
	return 0;
}

int t12_sig_sign_hash(const struct creds *creds, uint16_t scheme, const uint8_t *hash, size_t hash_len,
		      const br_prng_class **rng, uint8_t *sig, size_t *sig_len)
{
	const struct t13_scheme *s = find_scheme(scheme);

	if (!s || !t12_key_can_make(creds, s) || hash_len != hash_len_of(s->hash))
		return -1;
	return t13_sig_sign_digest(creds, s->key_type == BR_KEYTYPE_EC ? T13_SIG_OP_ECDSA :
				   s->cert_only ? T13_SIG_OP_PKCS1 : T13_SIG_OP_PSS, s->hash, hash, rng,
				   sig, sig_len);
}

int t12_sig_sign(const struct creds *creds, uint16_t scheme, const uint8_t *content, size_t len,
		 const br_prng_class **rng, uint8_t *sig, size_t *sig_len)
{
	const struct t13_scheme *s = find_scheme(scheme);
	uint8_t digest[T13_MAX_DIGEST];
	size_t hlen;
	int r;

	if (!s)
		return -1;
	hlen = hash_content(s->hash, content, len, digest);
	r = t12_sig_sign_hash(creds, scheme, digest, hlen, rng, sig, sig_len);
	explicit_bzero(digest, sizeof(digest));
	return r;
}

const br_hash_class *t13_sig_hash_by_id(int id)
{
	switch (id) {
	case br_sha256_ID:
		return &br_sha256_vtable;
	case br_sha384_ID:
		return &br_sha384_vtable;
	case br_sha512_ID:
		return &br_sha512_vtable;
	}
	return NULL;
}

int t13_sig_sign_digest(const struct creds *creds, enum t13_sig_op op, const br_hash_class *hash,
			const uint8_t *digest, const br_prng_class **rng, uint8_t *sig, size_t *sig_len)
{
	int id = (int)((hash->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK);

	if (!t13_sig_hash_by_id(id))
		return -1;
	if (creds->signer)
		return key_client_sign(creds->signer, creds->key_id, op, id, digest, hash_len_of(hash),
				       sig, sig_len);
	switch (op) {
	case T13_SIG_OP_ECDSA:
		return creds->key_type == BR_KEYTYPE_EC ? sign_ecdsa(creds, hash, digest, sig, sig_len) : -1;
	case T13_SIG_OP_PKCS1:
		return creds->key_type == BR_KEYTYPE_RSA &&
		       pkcs1_key_fits(creds->rsa_key.n_bitlen, hash) ?
		       sign_pkcs1(creds, hash, digest, sig, sig_len) : -1;
	case T13_SIG_OP_PSS:
		return creds->key_type == BR_KEYTYPE_RSA &&
		       t13_pss_key_fits(creds->rsa_key.n_bitlen, hash) ?
		       sign_pss(creds, hash, digest, hash_len_of(hash), rng, sig, sig_len) : -1;
	}
	return -1;
}
