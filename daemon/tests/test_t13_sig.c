// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RSA-PSS and the TLS 1.3 signature schemes against OpenSSL's command line:
 * our signatures verified by OpenSSL, OpenSSL's verified by ours, and the
 * salt lengths, curves and schemes TLS 1.3 forbids refused. RFC 8448's
 * server CertificateVerify checks the signed content and PSS together.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tls13/pss.h"
#include "tls13/sig.h"
#include "hex.h"
#include "openssl_keys.h"
#include "rfc8448.h"
#include "tap.h"

struct hash_alg {
	char name[8];			/* OpenSSL's digest name */
	const br_hash_class *h;
	uint16_t pss;			/* rsa_pss_rsae_* with this hash */
};

static const struct hash_alg hashes[] = {
	{ "sha256", &br_sha256_vtable, T13_SIG_RSA_PSS_RSAE_SHA256 },
	{ "sha384", &br_sha384_vtable, T13_SIG_RSA_PSS_RSAE_SHA384 },
	{ "sha512", &br_sha512_vtable, T13_SIG_RSA_PSS_RSAE_SHA512 },
};

enum { RSA2048, RSA3072, RSA2041, RSA1024, RSA4096, P256, P384, P521, KEY_COUNT };

static struct test_key keys[KEY_COUNT] = {
	[RSA2048] = { .name = "rsa2048", .algorithm = "RSA", .option = "rsa_keygen_bits:2048" },
	[RSA3072] = { .name = "rsa3072", .algorithm = "RSA", .option = "rsa_keygen_bits:3072" },
	/*
	 * modBits - 1 a multiple of 8: EM is one byte shorter than the
	 * signature. (OpenSSL rounds odd sizes from 2048 bits up down to even.)
	 */
	[RSA2041] = { .name = "rsa2041", .algorithm = "RSA", .option = "rsa_keygen_bits:2041" },
	[RSA1024] = { .name = "rsa1024", .algorithm = "RSA", .option = "rsa_keygen_bits:1024" },
	/* BearSSL's largest RSA. */
	[RSA4096] = { .name = "rsa4096", .algorithm = "RSA", .option = "rsa_keygen_bits:4096" },
	[P256] = { .name = "p256", .algorithm = "EC", .option = "ec_paramgen_curve:P-256" },
	[P384] = { .name = "p384", .algorithm = "EC", .option = "ec_paramgen_curve:P-384" },
	[P521] = { .name = "p521", .algorithm = "EC", .option = "ec_paramgen_curve:P-521" },
};

/* OpenSSL signs @digest_file with PSS and @saltlen; the signature's length, or 0. */
static size_t openssl_pss_sign(struct test_key *k, const struct hash_alg *ha, const char *saltlen,
			       uint8_t *sig)
{
	char digest_file[PATH_MAX], sig_file[PATH_MAX], salt_opt[48], md_opt[32];

	in_dir(digest_file, "digest.bin");
	in_dir(sig_file, "theirs.bin");
	snprintf(salt_opt, sizeof(salt_opt), "rsa_pss_saltlen:%s", saltlen);
	snprintf(md_opt, sizeof(md_opt), "digest:%s", ha->name);
	unlink(sig_file);
	if (!RUN("openssl", "pkeyutl", "-sign", "-inkey", k->key, "-pkeyopt", "rsa_padding_mode:pss",
		 "-pkeyopt", salt_opt, "-pkeyopt", md_opt, "-in", digest_file, "-out", sig_file))
		return 0;
	return read_file(sig_file, sig, T13_MAX_SIGNATURE);
}

/* Whether OpenSSL finds @sig a PSS signature of digest.bin with @saltlen. */
static int openssl_pss_verify(struct test_key *k, const struct hash_alg *ha, const char *saltlen,
			      const uint8_t *sig, size_t len)
{
	char digest_file[PATH_MAX], sig_file[PATH_MAX], salt_opt[48], md_opt[32];

	in_dir(digest_file, "digest.bin");
	in_dir(sig_file, "ours.bin");
	snprintf(salt_opt, sizeof(salt_opt), "rsa_pss_saltlen:%s", saltlen);
	snprintf(md_opt, sizeof(md_opt), "digest:%s", ha->name);
	if (write_file(sig_file, sig, len) < 0)
		return 0;
	return RUN("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", k->pub,
		   "-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", salt_opt, "-pkeyopt", md_opt,
		   "-in", digest_file, "-sigfile", sig_file);
}

/* Salt lengths TLS 1.3 forbids: OpenSSL makes a valid signature, ours refuses it. */
static void test_pss_salt_lengths(struct test_key *k, const struct hash_alg *ha, const uint8_t *digest,
				  size_t hlen)
{
	const br_rsa_public_key *pk = &k->pkey->key.rsa;
	char shorter[8], longer[8];
	const char *lens[] = { "0", shorter, longer, "max" };
	uint8_t sig[T13_MAX_SIGNATURE];
	size_t len;

	snprintf(shorter, sizeof(shorter), "%zu", hlen - 1);
	snprintf(longer, sizeof(longer), "%zu", hlen + 1);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		len = openssl_pss_sign(k, ha, lens[i], sig);
		ok(len && openssl_pss_verify(k, ha, lens[i], sig, len) &&
		   !t13_pss_verify(pk, ha->h, digest, sig, len),
		   "%s %s: OpenSSL's signature with salt length %s is refused", k->name, ha->name, lens[i]);
	}
}

/* Signatures of the wrong length, with bits flipped, not below the modulus. */
static void test_pss_tampered(struct test_key *k, const struct hash_alg *ha, const uint8_t *digest,
			      const uint8_t *good, size_t len)
{
	const br_rsa_public_key *pk = &k->pkey->key.rsa;
	uint8_t sig[T13_MAX_SIGNATURE + 1], bad_digest[T13_MAX_DIGEST];
	size_t hlen = (ha->h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
	int refused = 1;

	for (size_t bit = 0; bit < 8 * len; bit += 8 * len / 13 + 1) {
		memcpy(sig, good, len);
		sig[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		refused &= !t13_pss_verify(pk, ha->h, digest, sig, len);
	}
	ok(refused, "%s %s: flipped bits in the signature are refused", k->name, ha->name);
	refused = 1;
	for (size_t bit = 0; bit < 8 * hlen; bit += 8 * hlen / 7 + 1) {
		memcpy(bad_digest, digest, hlen);
		bad_digest[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		refused &= !t13_pss_verify(pk, ha->h, bad_digest, good, len);
	}
	ok(refused, "%s %s: flipped bits in the hash are refused", k->name, ha->name);
	memcpy(sig, good, len);
	sig[len] = 0;
	ok(!t13_pss_verify(pk, ha->h, digest, sig, len - 1) &&
	   !t13_pss_verify(pk, ha->h, digest, sig, len + 1) && !t13_pss_verify(pk, ha->h, digest, sig, 0),
	   "%s %s: a signature one byte short, one byte long or empty is refused", k->name, ha->name);
	sig[0] = 0;
	memcpy(sig + 1, good, len);
	ok(!t13_pss_verify(pk, ha->h, digest, sig, len + 1),
	   "%s %s: a signature with a leading zero byte is refused (exactly k bytes)", k->name, ha->name);
	memset(sig, 0xff, len);
	ok(!t13_pss_verify(pk, ha->h, digest, sig, len),
	   "%s %s: a value above the modulus is refused", k->name, ha->name);
}

/* A modulus given with a leading zero byte (as DER integers carry it) still verifies. */
static int verify_padded_modulus(struct test_key *k, const struct hash_alg *ha, const uint8_t *digest,
				 const uint8_t *sig, size_t len)
{
	const br_rsa_public_key *pk = &k->pkey->key.rsa;
	uint8_t n[T13_MAX_SIGNATURE + 1];
	br_rsa_public_key padded = { n, pk->nlen + 1, pk->e, pk->elen };

	if (pk->nlen + 1 > sizeof(n))
		return 0;
	n[0] = 0;
	memcpy(n + 1, pk->n, pk->nlen);
	return t13_pss_verify(&padded, ha->h, digest, sig, len);
}

static void test_pss(struct test_key *k, const struct hash_alg *ha, const br_prng_class **rng)
{
	const br_rsa_public_key *pk = &k->pkey->key.rsa;
	uint8_t digest[T13_MAX_DIGEST], salt[T13_MAX_DIGEST];
	uint8_t sig[T13_MAX_SIGNATURE], theirs[T13_MAX_SIGNATURE];
	char message[64], digest_file[PATH_MAX];
	size_t hlen, len = 0, theirs_len;
	int rc;

	snprintf(message, sizeof(message), "PSS with %s under %s", ha->name, k->name);
	hlen = hash_of(ha->h, message, strlen(message), digest);
	if (write_file(in_dir(digest_file, "digest.bin"), digest, hlen) < 0) {
		ok(0, "%s %s: write the digest", k->name, ha->name);
		return;
	}
	(*rng)->generate(rng, salt, hlen);
	rc = t13_pss_sign(&k->creds.rsa_key, NULL, pk, ha->h, digest, salt, sig, &len);
	ok(rc == 0 && len == (k->creds.rsa_key.n_bitlen + 7) / 8,
	   "%s %s: t13_pss_sign gives a signature of the modulus' length (%zu)", k->name, ha->name, len);
	if (rc)
		return;
	ok(openssl_pss_verify(k, ha, "digest", sig, len), "%s %s: OpenSSL verifies our PSS signature",
	   k->name, ha->name);
	ok(t13_pss_verify(pk, ha->h, digest, sig, len), "%s %s: t13_pss_verify accepts our signature",
	   k->name, ha->name);
	if (k == &keys[RSA2048]) {
		(*rng)->generate(rng, salt, hlen);
		ok(t13_pss_sign(&k->creds.rsa_key, NULL, NULL, ha->h, digest, salt, theirs, &theirs_len) == 0 &&
		   theirs_len == len && openssl_pss_verify(k, ha, "digest", theirs, theirs_len) &&
		   memcmp(theirs, sig, len),
		   "%s %s: signed again, another salt, the public key recomputed: OpenSSL verifies it",
		   k->name, ha->name);
	}
	ok(verify_padded_modulus(k, ha, digest, sig, len),
	   "%s %s: and with the modulus given a leading zero byte", k->name, ha->name);
	theirs_len = openssl_pss_sign(k, ha, "digest", theirs);
	ok(theirs_len == len && t13_pss_verify(pk, ha->h, digest, theirs, theirs_len),
	   "%s %s: t13_pss_verify accepts OpenSSL's PSS signature (salt length = hash length)",
	   k->name, ha->name);
	test_pss_tampered(k, ha, digest, theirs_len == len ? theirs : sig, len);
	test_pss_salt_lengths(k, ha, digest, hlen);
}

/*
 * Re-sign a valid signature's encoded message with one byte changed, with
 * BearSSL's raw RSA: the hash still matches, only the structure is wrong.
 * Returns the signature's length, or 0.
 */
static size_t resign_changed(struct test_key *k, const uint8_t *good, size_t len, size_t at, uint8_t x,
			     uint8_t *sig)
{
	memcpy(sig, good, len);
	if (!br_rsa_public_get_default()(sig, len, &k->pkey->key.rsa))
		return 0;
	sig[at] ^= x;
	return br_rsa_private_get_default()(sig, &k->creds.rsa_key) ? len : 0;
}

/* §9.1.2 steps 4 and 10: the trailer, PS's zeros and the 0x01 after them. */
static void test_pss_structure(const br_prng_class **rng)
{
	struct test_key *k = &keys[RSA2048];
	const br_rsa_public_key *pk = &k->pkey->key.rsa;
	uint8_t digest[32], salt[32], good[T13_MAX_SIGNATURE], sig[T13_MAX_SIGNATURE];
	/* RSA-2048, SHA-256: EM = DB (223: PS 190, 0x01, salt 32) || H (32) || 0xbc. */
	size_t len = 0, separator = 190, trailer = 255;

	(*rng)->generate(rng, digest, sizeof(digest));
	(*rng)->generate(rng, salt, sizeof(salt));
	if (!ok(t13_pss_sign(&k->creds.rsa_key, NULL, pk, &br_sha256_vtable, digest, salt, good, &len) == 0 &&
		len == 256 && resign_changed(k, good, len, trailer, 0, sig) == len &&
		t13_pss_verify(pk, &br_sha256_vtable, digest, sig, len),
		"RSA-2048: an encoded message re-signed unchanged still verifies"))
		return;
	ok(resign_changed(k, good, len, trailer, 0x01, sig) == len &&
	   !t13_pss_verify(pk, &br_sha256_vtable, digest, sig, len), "a trailer other than 0xbc is refused");
	ok(resign_changed(k, good, len, separator, 0x02, sig) == len &&
	   !t13_pss_verify(pk, &br_sha256_vtable, digest, sig, len),
	   "a separator other than 0x01 is refused");
	ok(resign_changed(k, good, len, separator - 1, 0x80, sig) == len &&
	   !t13_pss_verify(pk, &br_sha256_vtable, digest, sig, len) &&
	   resign_changed(k, good, len, 1, 0x01, sig) == len &&
	   !t13_pss_verify(pk, &br_sha256_vtable, digest, sig, len), "a non-zero byte in PS is refused");
}

/*
 * RSA-2041: EM is 255 bytes in a 256-byte value whose first byte must be 0
 * (I2OSP(m, emLen) in §8.1.2). A value 2^2040 + EM is below n only when EM
 * is small enough, so salts are tried until one is.
 */
static void test_pss_high_byte(const br_prng_class **rng)
{
	struct test_key *k = &keys[RSA2041];
	const br_rsa_public_key *pk = &k->pkey->key.rsa;
	const uint8_t *n = pk->n;
	uint8_t digest[32], salt[32], good[T13_MAX_SIGNATURE], sig[T13_MAX_SIGNATURE];
	size_t len = 0, nlen = pk->nlen;
	int tried, refused = 0;

	while (nlen && !*n)
		n++, nlen--;
	(*rng)->generate(rng, digest, sizeof(digest));
	for (tried = 0; tried < 256 && !refused; tried++) {
		(*rng)->generate(rng, salt, sizeof(salt));
		if (t13_pss_sign(&k->creds.rsa_key, NULL, pk, &br_sha256_vtable, digest, salt, good, &len) ||
		    len != nlen)
			break;
		memcpy(sig, good, len);
		if (!br_rsa_public_get_default()(sig, len, pk) || sig[0])
			break;
		sig[0] = 1;
		if (memcmp(sig, n, len) >= 0)
			continue;
		refused = br_rsa_private_get_default()(sig, &k->creds.rsa_key) &&
			  !t13_pss_verify(pk, &br_sha256_vtable, digest, sig, len);
	}
	ok(refused, "RSA-2041: a valid EM behind a non-zero first byte is refused (%d salts tried)", tried);
}

/*
 * A CRT half computed wrong (here: dp corrupted) must not leave: s would be
 * right mod q and wrong mod p, and gcd(s^e - EM, n) = q.
 */
static void test_pss_fault(const br_prng_class **rng)
{
	struct test_key *k = &keys[RSA2048];
	br_rsa_private_key faulty = k->creds.rsa_key;
	uint8_t dp[T13_PSS_MAX_MODULUS], digest[32], salt[32];
	uint8_t sig[T13_MAX_SIGNATURE], zero[T13_MAX_SIGNATURE] = { 0 };
	size_t len = 0;

	memcpy(dp, faulty.dp, faulty.dplen);
	dp[faulty.dplen / 2] ^= 0x10;
	faulty.dp = dp;
	(*rng)->generate(rng, digest, sizeof(digest));
	(*rng)->generate(rng, salt, sizeof(salt));
	memset(sig, 0xee, sizeof(sig));
	ok(t13_pss_sign(&faulty, NULL, &k->pkey->key.rsa, &br_sha256_vtable, digest, salt, sig, &len) == -1 &&
	   len == 0 && !memcmp(sig, zero, (faulty.n_bitlen + 7) / 8),
	   "a faulty CRT result (dp corrupted) is caught: -1, and the signature buffer wiped");
	memset(sig, 0xee, sizeof(sig));
	ok(t13_pss_sign(&faulty, NULL, NULL, &br_sha256_vtable, digest, salt, sig, &len) == -1 && len == 0 &&
	   !memcmp(sig, zero, (faulty.n_bitlen + 7) / 8),
	   "and so it is with the public key recomputed from the private one");
	explicit_bzero(dp, sizeof(dp));
}

static void test_pss_small_key(const br_prng_class **rng)
{
	struct test_key *k = &keys[RSA1024];
	const br_rsa_public_key *pk = &k->pkey->key.rsa;
	uint8_t digest[T13_MAX_DIGEST] = { 0 }, salt[T13_MAX_DIGEST] = { 0 }, sig[T13_MAX_SIGNATURE];
	size_t len = 0;

	(*rng)->generate(rng, salt, sizeof(salt));
	/* §9.1.1 step 3: emLen 128 < 2 * 64 + 2. */
	ok(t13_pss_sign(&k->creds.rsa_key, NULL, pk, &br_sha512_vtable, digest, salt, sig, &len) == -1 && len == 0,
	   "RSA-1024 is too small for PSS with SHA-512: t13_pss_sign fails");
	ok(!t13_pss_key_fits(1024, &br_sha512_vtable) && t13_pss_key_fits(1024, &br_sha384_vtable) &&
	   t13_pss_key_fits(1040, &br_sha512_vtable) && !t13_pss_key_fits(1033, &br_sha512_vtable),
	   "t13_pss_key_fits: SHA-512 needs emLen >= 130 (a 1034-bit modulus), SHA-384 fits RSA-1024");
	ok(t13_pss_sign(&k->creds.rsa_key, NULL, pk, &br_sha384_vtable, digest, salt, sig, &len) == 0 &&
	   len == 128 && t13_pss_verify(pk, &br_sha384_vtable, digest, sig, len),
	   "RSA-1024 with SHA-384 signs and verifies");
}

/* A CertificateVerify content for @k, written to content.bin. */
static size_t make_content(struct test_key *k, uint8_t *content)
{
	uint8_t transcript[32];
	char path[PATH_MAX];
	size_t len;

	hash_of(&br_sha256_vtable, k->name, strlen(k->name), transcript);
	len = t13_cv_content(content, 1, transcript, sizeof(transcript));
	return write_file(in_dir(path, "content.bin"), content, len) < 0 ? 0 : len;
}

#define DECRYPT_ERROR		(-T13_ALERT_DECRYPT_ERROR)
#define ILLEGAL_PARAMETER	(-T13_ALERT_ILLEGAL_PARAMETER)

/* t13_sig_sign and t13_sig_verify with @scheme on @k, both ways against OpenSSL. */
static void test_scheme(struct test_key *k, uint16_t scheme, const char *md, const br_prng_class **rng)
{
	uint8_t content[T13_CV_MAX_CONTENT], sig[T13_MAX_SIGNATURE + 1], theirs[T13_MAX_SIGNATURE];
	size_t len = 0, content_len = make_content(k, content), theirs_len;
	const br_x509_pkey *pkey = k->pkey;
	int rc;

	rc = t13_sig_sign(&k->creds, scheme, content, content_len, rng, sig, &len);
	ok(content_len && rc == 0 && openssl_dgst_verify(k, md, 0, sig, len),
	   "%s 0x%04x: OpenSSL verifies our CertificateVerify signature", k->name, scheme);
	ok(rc == 0 && t13_sig_verify(pkey, scheme, content, content_len, sig, len) == 0,
	   "%s 0x%04x: t13_sig_verify accepts our signature", k->name, scheme);
	theirs_len = openssl_dgst_sign(k, md, 0, theirs);
	ok(theirs_len && t13_sig_verify(pkey, scheme, content, content_len, theirs, theirs_len) == 0,
	   "%s 0x%04x: t13_sig_verify accepts OpenSSL's signature", k->name, scheme);
	if (!theirs_len)
		return;
	content[content_len - 1] ^= 1;
	ok(t13_sig_verify(pkey, scheme, content, content_len, theirs, theirs_len) == DECRYPT_ERROR,
	   "%s 0x%04x: other content -> -decrypt_error", k->name, scheme);
	content[content_len - 1] ^= 1;
	theirs[theirs_len - 1] ^= 0x40;
	ok(t13_sig_verify(pkey, scheme, content, content_len, theirs, theirs_len) == DECRYPT_ERROR,
	   "%s 0x%04x: a flipped bit in the signature -> -decrypt_error", k->name, scheme);
	theirs[theirs_len - 1] ^= 0x40;
	ok(t13_sig_verify(pkey, scheme, content, content_len, theirs, theirs_len - 1) == DECRYPT_ERROR &&
	   t13_sig_verify(pkey, scheme, content, content_len, theirs, 0) == DECRYPT_ERROR &&
	   t13_sig_verify(pkey, scheme, content, content_len, sig, T13_MAX_SIGNATURE + 1) == DECRYPT_ERROR,
	   "%s 0x%04x: a truncated, empty or oversized signature -> -decrypt_error", k->name, scheme);
}

/* Schemes that do not fit the key, whatever the signature. */
static void test_illegal_schemes(void)
{
	const br_x509_pkey *p256 = keys[P256].pkey, *p384 = keys[P384].pkey, *rsa = keys[RSA2048].pkey;
	uint8_t content[T13_CV_MAX_CONTENT], sig[T13_MAX_SIGNATURE];
	size_t content_len, len;

	content_len = make_content(&keys[P256], content);
	len = openssl_dgst_sign(&keys[P256], "sha384", 0, sig);
	ok(len && t13_sig_verify(p256, T13_SIG_ECDSA_SECP384R1_SHA384, content, content_len, sig, len) ==
	   ILLEGAL_PARAMETER,
	   "a P-256 key with ecdsa_secp384r1_sha384 (a valid SHA-384 ECDSA signature) -> -illegal_parameter");
	ok(t13_sig_verify(p384, T13_SIG_ECDSA_SECP256R1_SHA256, content, content_len, sig, len) ==
	   ILLEGAL_PARAMETER, "a P-384 key with ecdsa_secp256r1_sha256 -> -illegal_parameter");
	ok(t13_sig_verify(p256, T13_SIG_RSA_PSS_RSAE_SHA256, content, content_len, sig, len) ==
	   ILLEGAL_PARAMETER, "a PSS scheme on an EC key -> -illegal_parameter");
	ok(t13_sig_sign(&keys[P256].creds, T13_SIG_ECDSA_SECP384R1_SHA384, content, content_len, NULL,
			sig, &len) == -1, "t13_sig_sign refuses ecdsa_secp384r1_sha384 with a P-256 key");

	content_len = make_content(&keys[RSA2048], content);
	len = openssl_dgst_sign(&keys[RSA2048], "sha256", 1, sig);
	ok(len && t13_sig_verify(rsa, T13_SIG_RSA_PKCS1_SHA256, content, content_len, sig, len) ==
	   ILLEGAL_PARAMETER,
	   "rsa_pkcs1_sha256 (a valid PKCS#1 signature from OpenSSL) -> -illegal_parameter");
	ok(t13_sig_verify(rsa, T13_SIG_ECDSA_SECP256R1_SHA256, content, content_len, sig, len) ==
	   ILLEGAL_PARAMETER, "an ECDSA scheme on an RSA key -> -illegal_parameter");
	ok(t13_sig_verify(rsa, 0x0809, content, content_len, sig, len) == ILLEGAL_PARAMETER &&
	   t13_sig_verify(p256, 0x0807, content, content_len, sig, len) == ILLEGAL_PARAMETER &&
	   t13_sig_verify(rsa, 0x0201, content, content_len, sig, len) == ILLEGAL_PARAMETER,
	   "schemes we never offer (rsa_pss_pss_sha256, ed25519, rsa_pkcs1_sha1) -> -illegal_parameter");
	ok(t13_sig_sign(&keys[RSA2048].creds, T13_SIG_RSA_PKCS1_SHA256, content, content_len, NULL,
			sig, &len) == -1, "t13_sig_sign never makes rsa_pkcs1_sha256");
	ok(t13_sig_sign(&keys[RSA2048].creds, T13_SIG_RSA_PSS_RSAE_SHA256, content, content_len, NULL,
			sig, &len) == -1, "t13_sig_sign refuses PSS without an RNG for the salt");
}

static uint16_t choose(struct test_key *k, const uint16_t *ids, size_t count)
{
	uint8_t list[32];

	for (size_t i = 0; i < count; i++)
		t13_put16(list + 2 * i, ids[i]);
	return t13_sig_choose(&k->creds, list, 2 * count);
}

#define CHOOSE(k, ...) choose(k, (const uint16_t[]){ __VA_ARGS__ }, \
			      sizeof((const uint16_t[]){ __VA_ARGS__ }) / sizeof(uint16_t))

/* Short names for the choice table. */
#define E256	T13_SIG_ECDSA_SECP256R1_SHA256
#define E384	T13_SIG_ECDSA_SECP384R1_SHA384
#define E521	T13_SIG_ECDSA_SECP521R1_SHA512
#define PSS256	T13_SIG_RSA_PSS_RSAE_SHA256
#define PSS384	T13_SIG_RSA_PSS_RSAE_SHA384
#define PSS512	T13_SIG_RSA_PSS_RSAE_SHA512
#define PKCS256	T13_SIG_RSA_PKCS1_SHA256
#define PKCS384	T13_SIG_RSA_PKCS1_SHA384

static void test_choose(void)
{
	struct creds none = { 0 }, *rsa = &keys[RSA2048].creds;
	uint8_t odd[] = { 0x08, 0x04, 0x04 }, ours[64];
	size_t ours_len = t13_sig_our_list(ours, sizeof(ours));
	int all = 1;

	ok(CHOOSE(&keys[P256], PSS256, E256) == E256, "choose: P-256 key -> ecdsa_secp256r1_sha256");
	ok(CHOOSE(&keys[P256], E384, E521) == 0, "choose: P-256 key, peer offers only other curves -> 0");
	ok(CHOOSE(&keys[P384], E256, E384) == E384, "choose: P-384 key -> ecdsa_secp384r1_sha384");
	ok(CHOOSE(&keys[P521], E521) == E521, "choose: P-521 key -> ecdsa_secp521r1_sha512");
	ok(CHOOSE(&keys[RSA2048], PSS512, PSS384, PSS256) == PSS256,
	   "choose: RSA key -> rsa_pss_rsae_sha256 first, in our order, not the peer's");
	ok(CHOOSE(&keys[RSA2048], PSS512, PSS384) == PSS384,
	   "choose: RSA key, no sha256 -> rsa_pss_rsae_sha384");
	ok(CHOOSE(&keys[RSA2048], PKCS256, PSS512) == PSS512,
	   "choose: RSA key, peer prefers rsa_pkcs1_sha256 -> rsa_pss_rsae_sha512");
	ok(CHOOSE(&keys[RSA2048], PKCS256, PKCS384, E256) == 0,
	   "choose: RSA key, peer offers only rsa_pkcs1 and ECDSA -> 0");
	ok(CHOOSE(&keys[RSA1024], PSS512) == 0 && CHOOSE(&keys[RSA1024], PSS512, PSS384) == PSS384,
	   "choose: RSA-1024 skips rsa_pss_rsae_sha512, too large for its modulus");
	ok(t13_sig_choose(rsa, odd, sizeof(odd)) == PSS256 && t13_sig_choose(rsa, odd, 1) == 0 &&
	   t13_sig_choose(rsa, odd, 0) == 0, "choose: an odd last byte is ignored, an empty list gives 0");
	ok(t13_sig_choose(&none, ours, ours_len) == 0, "choose: no key -> 0");
	for (int i = 0; i < KEY_COUNT; i++)
		all &= t13_sig_choose(&keys[i].creds, ours, ours_len) != 0;
	ok(all, "choose: our own list lets every key sign");
}

static int list_has(const uint8_t *list, size_t len, uint16_t id)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		if (t13_get16(list + i) == id)
			return 1;
	return 0;
}

static void test_our_list(void)
{
	uint8_t list[64];
	size_t len = t13_sig_our_list(list, sizeof(list));
	int dup = 0;

	ok(len && len % 2 == 0 && list_has(list, len, E256) && list_has(list, len, E384) &&
	   list_has(list, len, PSS256) && list_has(list, len, PSS384) && list_has(list, len, PSS512),
	   "our signature_algorithms list has the ECDSA and PSS schemes (%zu bytes)", len);
	for (size_t i = 0; i < len; i += 2)
		for (size_t j = i + 2; j < len; j += 2)
			dup |= t13_get16(list + i) == t13_get16(list + j);
	ok(!dup, "our list has no duplicates");
	ok(t13_sig_our_list(list, len - 1) == 0, "our list: a buffer one byte short gets nothing");
}

/* RFC 8446 §4.4.3: 64 x 0x20, the context string, a 0 byte, the transcript hash. */
static void test_cv_content(void)
{
	static const char server_ctx[] = "TLS 1.3, server CertificateVerify";
	static const char client_ctx[] = "TLS 1.3, client CertificateVerify";
	uint8_t out[T13_CV_MAX_CONTENT], hash[T13_MAX_HASH], spaces[64];
	size_t len;

	memset(spaces, 0x20, sizeof(spaces));
	for (size_t i = 0; i < sizeof(hash); i++)
		hash[i] = (uint8_t)(0xa0 + i);
	len = t13_cv_content(out, 1, hash, 32);
	ok(len == 64 + 33 + 1 + 32 && !memcmp(out, spaces, 64) && !memcmp(out + 64, server_ctx, 33) &&
	   out[97] == 0 && !memcmp(out + 98, hash, 32),
	   "cv_content (server): 64 spaces, \"%s\", 0, the hash", server_ctx);
	len = t13_cv_content(out, 0, hash, 48);
	ok(len == 64 + 33 + 1 + 48 && !memcmp(out, spaces, 64) && !memcmp(out + 64, client_ctx, 33) &&
	   out[97] == 0 && !memcmp(out + 98, hash, 48),
	   "cv_content (client, SHA-384): 64 spaces, \"%s\", 0, the hash", client_ctx);
	ok(t13_cv_content(out, 1, hash, T13_MAX_HASH + 1) == 0 && t13_cv_content(out, 1, hash, 0) == 0,
	   "cv_content: a hash longer than T13_MAX_HASH, or empty, gives 0");
}

/* RFC 8448 §3 (simple 1-RTT handshake): the transcript hash over ClientHello..Certificate,
 * and the leaf's key. */
static int rfc8448_setup(uint8_t *transcript, br_x509_decoder_context *dc, const br_x509_pkey **pkey)
{
	const char *msgs[] = { RFC8448_S3_CLIENT_HELLO, RFC8448_S3_SERVER_HELLO,
			       RFC8448_S3_ENCRYPTED_EXTENSIONS, RFC8448_S3_CERTIFICATE };
	br_sha256_context sha;
	uint8_t msg[512];
	size_t len = 0;

	br_sha256_init(&sha);
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		len = hex_decode(msgs[i], msg, sizeof(msg));
		if (len < 4 || t13_get24(msg + 1) != len - 4)
			return -1;
		br_sha256_update(&sha, msg, len);
	}
	br_sha256_out(&sha, transcript);
	/* The Certificate still in @msg: context (1), list (3), the leaf's length (3), its DER. */
	if (len < 11 || t13_get24(msg + 8) > len - 11)
		return -1;
	br_x509_decoder_init(dc, ignore_dn, NULL);
	br_x509_decoder_push(dc, msg + 11, t13_get24(msg + 8));
	*pkey = br_x509_decoder_get_pkey(dc);
	return *pkey ? 0 : -1;
}

static void test_rfc8448(void)
{
	br_x509_decoder_context dc;
	const br_x509_pkey *pkey = NULL;
	uint8_t transcript[32], cv[256], content[T13_CV_MAX_CONTENT];
	size_t cv_len = hex_decode(RFC8448_S3_CERTIFICATE_VERIFY, cv, sizeof(cv)), content_len;
	int set = rfc8448_setup(transcript, &dc, &pkey) == 0 && cv_len == 4 + 4 + 128;

	ok(set && pkey->key_type == BR_KEYTYPE_RSA, "RFC 8448 §3: transcript hash and the server's RSA key");
	if (!set)
		return;
	content_len = t13_cv_content(content, 1, transcript, sizeof(transcript));
	ok(t13_sig_verify(pkey, t13_get16(cv + 4), content, content_len, cv + 8, t13_get16(cv + 6)) == 0,
	   "RFC 8448 §3: the server's CertificateVerify (rsa_pss_rsae_sha256) verifies");
	content_len = t13_cv_content(content, 0, transcript, sizeof(transcript));
	ok(t13_sig_verify(pkey, t13_get16(cv + 4), content, content_len, cv + 8, t13_get16(cv + 6)) ==
	   -T13_ALERT_DECRYPT_ERROR, "RFC 8448 §3: and not as a client's CertificateVerify");
}

static void cleanup(void)
{
	for (int i = 0; i < KEY_COUNT; i++)
		creds_free(&keys[i].creds);
	if (keys_dir_remove() < 0)
		diag("could not remove %s", keys_dir);
}

int main(void)
{
	br_hmac_drbg_context drbg;
	const br_prng_class **rng = &drbg.vtable;

	test_cv_content();
	test_rfc8448();
	if (keys_dir_make("t13sig") < 0) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done();
	}
	for (int i = 0; i < KEY_COUNT; i++)
		if (!ok(make_key(&keys[i]) == 0, "%s: key and certificate, loaded by creds", keys[i].name)) {
			cleanup();
			return done();
		}
	ok(keys[RSA2041].creds.rsa_key.n_bitlen == 2041, "the odd key's modulus has 2041 bits");
	/* A fixed seed: the salts need not be secret here, only distinct. */
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, "test_t13_sig", 12);
	for (int i = RSA2048; i <= RSA2041; i++)
		for (size_t j = 0; j < sizeof(hashes) / sizeof(hashes[0]); j++)
			test_pss(&keys[i], &hashes[j], rng);
	test_pss(&keys[RSA4096], &hashes[2], rng);
	test_pss_small_key(rng);
	test_pss_fault(rng);
	test_pss_structure(rng);
	test_pss_high_byte(rng);
	for (int i = RSA2048; i <= RSA2041; i++)
		for (size_t j = 0; j < sizeof(hashes) / sizeof(hashes[0]); j++)
			test_scheme(&keys[i], hashes[j].pss, hashes[j].name, rng);
	test_scheme(&keys[RSA4096], T13_SIG_RSA_PSS_RSAE_SHA384, "sha384", rng);
	test_scheme(&keys[P256], T13_SIG_ECDSA_SECP256R1_SHA256, "sha256", NULL);
	test_scheme(&keys[P384], T13_SIG_ECDSA_SECP384R1_SHA384, "sha384", NULL);
	test_scheme(&keys[P521], T13_SIG_ECDSA_SECP521R1_SHA512, "sha512", NULL);
	test_illegal_schemes();
	test_choose();
	test_our_list();
	cleanup();
	return done();
}
