// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.2 signatures (RFC 5246 §7.4.1.4.1, RFC 8422 §5.4) against OpenSSL's
 * command line: every scheme on every key that can carry it, ours verified
 * by OpenSSL and OpenSSL's by ours; ECDSA with any hash on any curve (1.2
 * binds no curve to a hash); the refusals (a wrong signature, a scheme for
 * another key type, SHA-1, a key too small); a faulty RSA-CRT result kept
 * back; and which scheme our CertificateVerify picks from a server's list.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "tls13/pss.h"
#include "tls13/sig.h"
#include "openssl_keys.h"
#include "tap.h"

enum { RSA2048, RSA1024, RSA512, P256, P384, P521, KEY_COUNT };

static struct test_key keys[KEY_COUNT] = {
	[RSA2048] = { .name = "rsa2048", .algorithm = "RSA", .option = "rsa_keygen_bits:2048" },
	/* Too small for PSS with SHA-512 (emLen 128 < 2 * 64 + 2, RFC 8017 §9.1.1 step 3). */
	[RSA1024] = { .name = "rsa1024", .algorithm = "RSA", .option = "rsa_keygen_bits:1024" },
	/* 64 bytes: PKCS#1 with SHA-256 only (tLen 51 + 11, RFC 8017 §9.2 step 3); no PSS. */
	[RSA512] = { .name = "rsa512", .algorithm = "RSA", .option = "rsa_keygen_bits:512" },
	[P256] = { .name = "p256", .algorithm = "EC", .option = "ec_paramgen_curve:P-256" },
	[P384] = { .name = "p384", .algorithm = "EC", .option = "ec_paramgen_curve:P-384" },
	[P521] = { .name = "p521", .algorithm = "EC", .option = "ec_paramgen_curve:P-521" },
};

/* Short names for the schemes (RFC 8446 §4.2.3 ids, as TLS 1.2 pairs). */
#define E256	T13_SIG_ECDSA_SECP256R1_SHA256
#define E384	T13_SIG_ECDSA_SECP384R1_SHA384
#define E512	T13_SIG_ECDSA_SECP521R1_SHA512
#define PKCS256	T13_SIG_RSA_PKCS1_SHA256
#define PKCS384	T13_SIG_RSA_PKCS1_SHA384
#define PKCS512	T13_SIG_RSA_PKCS1_SHA512
#define PSS256	T13_SIG_RSA_PSS_RSAE_SHA256
#define PSS384	T13_SIG_RSA_PSS_RSAE_SHA384
#define PSS512	T13_SIG_RSA_PSS_RSAE_SHA512

#define DECRYPT_ERROR		(-T13_ALERT_DECRYPT_ERROR)
#define ILLEGAL_PARAMETER	(-T13_ALERT_ILLEGAL_PARAMETER)

/* What the test needs to know of a scheme to drive OpenSSL. */
struct scheme_case {
	uint16_t id;
	char md[8];			/* OpenSSL's digest name */
	const br_hash_class *h;
	int pkcs1;			/* PKCS#1 v1.5 rather than PSS, for RSA */
};

static const struct scheme_case ecdsa_cases[] = {
	{ E256, "sha256", &br_sha256_vtable, 0 },
	{ E384, "sha384", &br_sha384_vtable, 0 },
	{ E512, "sha512", &br_sha512_vtable, 0 },
};

static const struct scheme_case rsa_cases[] = {
	{ PKCS256, "sha256", &br_sha256_vtable, 1 },
	{ PKCS384, "sha384", &br_sha384_vtable, 1 },
	{ PKCS512, "sha512", &br_sha512_vtable, 1 },
	{ PSS256, "sha256", &br_sha256_vtable, 0 },
	{ PSS384, "sha384", &br_sha384_vtable, 0 },
	{ PSS512, "sha512", &br_sha512_vtable, 0 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Content shaped like a ServerKeyExchange's signed part (RFC 8422 §5.4):
 * client_random (32) || server_random (32) || ServerECDHParams (curve_type
 * named_curve, secp256r1, a 65-byte point), different for each key and
 * scheme; written to content.bin for OpenSSL. Its length, or 0.
 */
static size_t make_content(const struct test_key *k, uint16_t scheme, uint8_t *content)
{
	char seed[32], path[PATH_MAX];
	size_t len = 0;

	snprintf(seed, sizeof(seed), "%s 0x%04x", k->name, scheme);
	len += hash_of(&br_sha256_vtable, seed, strlen(seed), content);
	len += hash_of(&br_sha256_vtable, content, len, content + len);
	content[len++] = 3;	/* ECCurveType named_curve */
	t13_put16(content + len, T13_GROUP_SECP256R1);
	len += 2;
	content[len++] = 65;
	content[len++] = 4;	/* uncompressed; the point need not be on the curve to be signed */
	for (int i = 0; i < 64; i++)
		content[len++] = (uint8_t)(content[i % 64] ^ i);
	return write_file(in_dir(path, "content.bin"), content, len) < 0 ? 0 : len;
}

enum { CONTENT_MAX = 32 + 32 + 4 + 65 };

/* Our signature of @content's hash with @c on @k; 0, or -1. */
static int sign_ours(struct test_key *k, const struct scheme_case *c, const uint8_t *content, size_t len,
		     const br_prng_class **rng, uint8_t *sig, size_t *sig_len)
{
	uint8_t hash[T13_MAX_DIGEST];
	size_t hlen = hash_of(c->h, content, len, hash);

	return t12_sig_sign_hash(&k->creds, c->id, hash, hlen, rng, sig, sig_len);
}

/* A wrong signature of OpenSSL's, @theirs (@len bytes), on @content refused. */
static void test_tampered(struct test_key *k, const struct scheme_case *c, uint8_t *content,
			  size_t content_len, uint8_t *theirs, size_t len)
{
	uint8_t oversized[T13_MAX_SIGNATURE + 1] = { 0 };

	content[content_len - 1] ^= 1;
	ok(t12_sig_verify(k->pkey, c->id, content, content_len, theirs, len) == DECRYPT_ERROR,
	   "%s 0x%04x: other content -> -decrypt_error", k->name, c->id);
	content[content_len - 1] ^= 1;
	theirs[len / 2] ^= 0x08;
	ok(t12_sig_verify(k->pkey, c->id, content, content_len, theirs, len) == DECRYPT_ERROR,
	   "%s 0x%04x: a flipped bit in the signature -> -decrypt_error", k->name, c->id);
	theirs[len / 2] ^= 0x08;
	ok(t12_sig_verify(k->pkey, c->id, content, content_len, theirs, len - 1) == DECRYPT_ERROR &&
	   t12_sig_verify(k->pkey, c->id, content, content_len, theirs, 0) == DECRYPT_ERROR &&
	   t12_sig_verify(k->pkey, c->id, content, content_len, oversized, sizeof(oversized)) ==
	   DECRYPT_ERROR,
	   "%s 0x%04x: a truncated, empty or oversized signature -> -decrypt_error", k->name, c->id);
}

/* @c on @k both ways against OpenSSL, then OpenSSL's signature spoiled. */
static void test_scheme(struct test_key *k, const struct scheme_case *c, const br_prng_class **rng)
{
	uint8_t content[CONTENT_MAX], sig[T13_MAX_SIGNATURE], theirs[T13_MAX_SIGNATURE];
	size_t content_len = make_content(k, c->id, content), len = 0, theirs_len;
	int rc = content_len ? sign_ours(k, c, content, content_len, rng, sig, &len) : -1;

	ok(rc == 0 && openssl_dgst_verify(k, c->md, c->pkcs1, sig, len),
	   "%s 0x%04x: OpenSSL verifies our signature (%zu bytes)", k->name, c->id, len);
	ok(rc == 0 && t12_sig_verify(k->pkey, c->id, content, content_len, sig, len) == 0,
	   "%s 0x%04x: t12_sig_verify accepts our signature", k->name, c->id);
	theirs_len = content_len ? openssl_dgst_sign(k, c->md, c->pkcs1, theirs) : 0;
	if (!ok(theirs_len && t12_sig_verify(k->pkey, c->id, content, content_len, theirs, theirs_len) == 0,
		"%s 0x%04x: t12_sig_verify accepts OpenSSL's signature", k->name, c->id))
		return;
	test_tampered(k, c, content, content_len, theirs, theirs_len);
}

static void test_all_schemes(const br_prng_class **rng)
{
	for (int i = P256; i <= P521; i++)
		for (size_t j = 0; j < ARRAY_SIZE(ecdsa_cases); j++)
			test_scheme(&keys[i], &ecdsa_cases[j], rng);
	for (size_t j = 0; j < ARRAY_SIZE(rsa_cases); j++)
		test_scheme(&keys[RSA2048], &rsa_cases[j], rng);
	/* All but PSS with SHA-512, which RSA-1024 cannot carry. */
	for (size_t j = 0; j + 1 < ARRAY_SIZE(rsa_cases); j++)
		test_scheme(&keys[RSA1024], &rsa_cases[j], rng);
	test_scheme(&keys[RSA512], &rsa_cases[0], rng);
}

/* PSS and PKCS#1 signatures are not taken for each other. */
static void test_padding_mixup(const br_prng_class **rng)
{
	struct test_key *k = &keys[RSA2048];
	uint8_t content[CONTENT_MAX], sig[T13_MAX_SIGNATURE];
	size_t content_len = make_content(k, 0, content), len = 0;

	ok(content_len && sign_ours(k, &rsa_cases[0], content, content_len, rng, sig, &len) == 0 &&
	   t12_sig_verify(k->pkey, PKCS256, content, content_len, sig, len) == 0 &&
	   t12_sig_verify(k->pkey, PSS256, content, content_len, sig, len) == DECRYPT_ERROR,
	   "a valid rsa_pkcs1_sha256 signature given as rsa_pss_rsae_sha256 -> -decrypt_error");
	ok(content_len && sign_ours(k, &rsa_cases[3], content, content_len, rng, sig, &len) == 0 &&
	   t12_sig_verify(k->pkey, PSS256, content, content_len, sig, len) == 0 &&
	   t12_sig_verify(k->pkey, PKCS256, content, content_len, sig, len) == DECRYPT_ERROR,
	   "a valid rsa_pss_rsae_sha256 signature given as rsa_pkcs1_sha256 -> -decrypt_error");
	ok(content_len && sign_ours(k, &rsa_cases[1], content, content_len, rng, sig, &len) == 0 &&
	   t12_sig_verify(k->pkey, PKCS512, content, content_len, sig, len) == DECRYPT_ERROR,
	   "a valid rsa_pkcs1_sha384 signature given as rsa_pkcs1_sha512 -> -decrypt_error");
}

/* Schemes for another key type, and SHA-1, refused whatever the signature. */
static void test_illegal(void)
{
	struct test_key *ec = &keys[P256], *rsa = &keys[RSA2048];
	uint8_t content[CONTENT_MAX], sig[T13_MAX_SIGNATURE];
	size_t content_len = make_content(ec, 0, content);
	size_t len = content_len ? openssl_dgst_sign(ec, "sha256", 0, sig) : 0;

	ok(len && t12_sig_verify(ec->pkey, E256, content, content_len, sig, len) == 0 &&
	   t12_sig_verify(ec->pkey, PKCS256, content, content_len, sig, len) == ILLEGAL_PARAMETER &&
	   t12_sig_verify(ec->pkey, PSS256, content, content_len, sig, len) == ILLEGAL_PARAMETER,
	   "an RSA scheme on an EC key (a valid ECDSA signature) -> -illegal_parameter");
	len = content_len ? openssl_dgst_sign(ec, "sha1", 0, sig) : 0;
	ok(len && t12_sig_verify(ec->pkey, 0x0203, content, content_len, sig, len) == ILLEGAL_PARAMETER,
	   "ecdsa_sha1 (0x0203, OpenSSL's valid signature) -> -illegal_parameter");

	content_len = make_content(rsa, 0, content);
	len = content_len ? openssl_dgst_sign(rsa, "sha256", 1, sig) : 0;
	ok(len && t12_sig_verify(rsa->pkey, PKCS256, content, content_len, sig, len) == 0 &&
	   t12_sig_verify(rsa->pkey, E256, content, content_len, sig, len) == ILLEGAL_PARAMETER &&
	   t12_sig_verify(rsa->pkey, E384, content, content_len, sig, len) == ILLEGAL_PARAMETER,
	   "an ECDSA scheme on an RSA key (a valid PKCS#1 signature) -> -illegal_parameter");
	len = content_len ? openssl_dgst_sign(rsa, "sha1", 1, sig) : 0;
	ok(len && t12_sig_verify(rsa->pkey, 0x0201, content, content_len, sig, len) == ILLEGAL_PARAMETER,
	   "rsa_pkcs1_sha1 (0x0201, OpenSSL's valid signature) -> -illegal_parameter");
	ok(t12_sig_verify(rsa->pkey, 0x0809, content, content_len, sig, len) == ILLEGAL_PARAMETER &&
	   t12_sig_verify(ec->pkey, 0x0807, content, content_len, sig, len) == ILLEGAL_PARAMETER &&
	   t12_sig_verify(rsa->pkey, 0, content, content_len, sig, len) == ILLEGAL_PARAMETER,
	   "rsa_pss_pss_sha256, ed25519 and 0 -> -illegal_parameter");
}

/* RSA keys too small for a scheme: never signed, never taken. */
static void test_small_keys(const br_prng_class **rng)
{
	struct test_key *k1024 = &keys[RSA1024], *k512 = &keys[RSA512];
	uint8_t content[CONTENT_MAX], sig[T13_MAX_SIGNATURE];
	size_t content_len = make_content(k1024, 0, content), len = 0;
	int refused = 1;

	len = content_len ? openssl_dgst_sign(k1024, "sha512", 1, sig) : 0;
	ok(len == 128 && t12_sig_verify(k1024->pkey, PSS512, content, content_len, sig, len) == DECRYPT_ERROR,
	   "RSA-1024 with rsa_pss_rsae_sha512 (too small for it) -> -decrypt_error");
	ok(sign_ours(k1024, &rsa_cases[5], content, content_len, rng, sig, &len) == -1,
	   "RSA-1024: t12_sig_sign_hash refuses rsa_pss_rsae_sha512");

	content_len = make_content(k512, 0, content);
	len = content_len ? openssl_dgst_sign(k512, "sha256", 1, sig) : 0;
	ok(len == 64 &&
	   t12_sig_verify(k512->pkey, PKCS384, content, content_len, sig, len) == DECRYPT_ERROR &&
	   t12_sig_verify(k512->pkey, PSS256, content, content_len, sig, len) == DECRYPT_ERROR,
	   "RSA-512 with rsa_pkcs1_sha384 or rsa_pss_rsae_sha256 (too small) -> -decrypt_error");
	for (size_t j = 1; j < ARRAY_SIZE(rsa_cases); j++)
		refused &= sign_ours(k512, &rsa_cases[j], content, content_len, rng, sig, &len) == -1;
	ok(refused, "RSA-512: t12_sig_sign_hash refuses every RSA scheme but rsa_pkcs1_sha256");
}

/* t12_sig_sign_hash's refusals of its arguments. */
static void test_sign_refusals(const br_prng_class **rng)
{
	uint8_t hash[T13_MAX_DIGEST] = { 0 }, sig[T13_MAX_SIGNATURE];
	size_t len = 0;

	ok(t12_sig_sign_hash(&keys[P256].creds, E256, hash, 48, NULL, sig, &len) == -1 &&
	   t12_sig_sign_hash(&keys[P256].creds, E384, hash, 32, NULL, sig, &len) == -1 &&
	   t12_sig_sign_hash(&keys[RSA2048].creds, PSS256, hash, 0, rng, sig, &len) == -1,
	   "sign_hash: a hash of another length than the scheme's -> -1");
	ok(t12_sig_sign_hash(&keys[P256].creds, PKCS256, hash, 32, rng, sig, &len) == -1 &&
	   t12_sig_sign_hash(&keys[P256].creds, PSS256, hash, 32, rng, sig, &len) == -1 &&
	   t12_sig_sign_hash(&keys[RSA2048].creds, E256, hash, 32, rng, sig, &len) == -1,
	   "sign_hash: a scheme for the other key type -> -1");
	ok(t12_sig_sign_hash(&keys[RSA2048].creds, 0x0201, hash, 20, rng, sig, &len) == -1 &&
	   t12_sig_sign_hash(&keys[P256].creds, 0x0203, hash, 20, rng, sig, &len) == -1,
	   "sign_hash: SHA-1 schemes -> -1");
	ok(t12_sig_sign_hash(&keys[RSA2048].creds, PSS256, hash, 32, NULL, sig, &len) == -1 &&
	   t12_sig_sign_hash(&keys[P256].creds, E256, hash, 32, NULL, sig, &len) == 0,
	   "sign_hash: PSS needs an RNG for its salt, ECDSA does not");
}

/*
 * Without a chain, a PKCS#1 signature is checked with libcrypto's key, or
 * with the public key recomputed from the private one: the same signature.
 */
static void test_pkcs1_chainless(void)
{
	struct creds chainless = keys[RSA2048].creds;
	uint8_t hash[32] = { 2 }, sig[T13_MAX_SIGNATURE], want[T13_MAX_SIGNATURE];
	size_t len = 0, want_len = 0;

	chainless.chain_len = 0;
	ok(t12_sig_sign_hash(&keys[RSA2048].creds, PKCS256, hash, 32, NULL, want, &want_len) == 0 &&
	   t12_sig_sign_hash(&chainless, PKCS256, hash, 32, NULL, sig, &len) == 0 &&
	   len == want_len && !memcmp(sig, want, len),
	   "sign_hash: PKCS#1 without a chain gives the same signature");
	chainless.rsa_fast = NULL;
	len = 0;
	ok(t12_sig_sign_hash(&chainless, PKCS256, hash, 32, NULL, sig, &len) == 0 &&
	   len == want_len && !memcmp(sig, want, len),
	   "and with BearSSL's code, checked with the key recomputed from the private one");
}

/*
 * A CRT half computed wrong (dp corrupted) gives a signature right mod q,
 * wrong mod p: gcd(s^e - EM, n) = q. It must not leave.
 */
static void test_pkcs1_fault(void)
{
	struct creds faulty = keys[RSA2048].creds;
	uint8_t dp[T13_MAX_SIGNATURE], hash[32] = { 1 }, sig[T13_MAX_SIGNATURE];
	uint8_t zero[T13_MAX_SIGNATURE] = { 0 };
	size_t len = 0, k = (faulty.rsa_key.n_bitlen + 7) / 8;

	memcpy(dp, faulty.rsa_key.dp, faulty.rsa_key.dplen);
	dp[faulty.rsa_key.dplen / 2] ^= 0x10;
	faulty.rsa_key.dp = dp;
	/* BearSSL's code, on the corrupted numbers (libcrypto's form was made from sound ones). */
	faulty.rsa_fast = NULL;
	memset(sig, 0xee, sizeof(sig));
	ok(t12_sig_sign_hash(&faulty, PKCS256, hash, sizeof(hash), NULL, sig, &len) == -1 && len == 0 &&
	   !memcmp(sig, zero, k),
	   "a faulty CRT result for PKCS#1 is caught: -1, the signature buffer wiped");
	faulty.chain_len = 0;
	memset(sig, 0xee, sizeof(sig));
	ok(t12_sig_sign_hash(&faulty, PKCS256, hash, sizeof(hash), NULL, sig, &len) == -1 && len == 0 &&
	   !memcmp(sig, zero, k),
	   "and so it is with the public key recomputed from the private one (no chain)");
	ok(t12_sig_sign_hash(&keys[RSA2048].creds, PKCS256, hash, sizeof(hash), NULL, sig, &len) == 0 &&
	   len == k, "and the sound key signs the same hash");
	explicit_bzero(dp, sizeof(dp));
}

static uint16_t choose(const struct creds *creds, const uint16_t *ids, size_t count)
{
	uint8_t list[32];

	for (size_t i = 0; i < count; i++)
		t13_put16(list + 2 * i, ids[i]);
	return t12_sig_choose(creds, list, 2 * count);
}

#define CHOOSE(k, ...) choose(&keys[k].creds, (const uint16_t[]){ __VA_ARGS__ }, \
			      sizeof((const uint16_t[]){ __VA_ARGS__ }) / sizeof(uint16_t))

static void test_choose_ec(const uint8_t *ours, size_t ours_len)
{
	ok(t12_sig_choose(&keys[P256].creds, ours, ours_len) == E256 &&
	   t12_sig_choose(&keys[P384].creds, ours, ours_len) == E384,
	   "choose, our list: P-256 -> 0x0403, P-384 -> 0x0503 (the curve's own hash)");
	ok(t12_sig_choose(&keys[P521].creds, ours, ours_len) == E384,
	   "choose, our list: P-521 -> 0x0503 (SHA-512 is left out; SHA-384 the nearer)");
	ok(CHOOSE(P256, E384, E256) == E256 && CHOOSE(P384, E256, E384) == E384,
	   "choose: our preference, not the server's order");
	ok(CHOOSE(P256, PSS256, E384) == E384 && CHOOSE(P384, E256) == E256 && CHOOSE(P521, E256) == E256,
	   "choose: the other hash when the server lacks the curve's own (any curve in TLS 1.2)");
	ok(CHOOSE(P256, E512) == 0 && CHOOSE(P521, E512) == 0,
	   "choose: a server offering only ecdsa with SHA-512 -> 0");
	ok(CHOOSE(P384, PSS256, PSS384, PKCS256, PKCS384) == 0,
	   "choose: EC key, server offers only RSA -> 0");
}

static void test_choose_rsa(const uint8_t *ours, size_t ours_len)
{
	ok(t12_sig_choose(&keys[RSA2048].creds, ours, ours_len) == PSS256 &&
	   t12_sig_choose(&keys[RSA1024].creds, ours, ours_len) == PSS256,
	   "choose, our list: RSA-2048 and RSA-1024 -> 0x0804");
	ok(CHOOSE(RSA2048, PKCS256, PSS384) == PSS384 && CHOOSE(RSA2048, PKCS384, PKCS256) == PKCS256 &&
	   CHOOSE(RSA2048, PKCS384) == PKCS384,
	   "choose: RSA key: PSS before PKCS#1, SHA-256 before SHA-384");
	ok(CHOOSE(RSA2048, PSS512, PKCS512) == 0, "choose: a server offering only SHA-512 -> 0");
	ok(CHOOSE(RSA2048, E256, E384, 0x0201) == 0, "choose: RSA key, server offers ECDSA and SHA-1 -> 0");
	ok(t12_sig_choose(&keys[RSA512].creds, ours, ours_len) == PKCS256 &&
	   CHOOSE(RSA512, PSS256, PSS384, PKCS384) == 0,
	   "choose: RSA-512 -> 0x0401, what its modulus carries; nothing else");
}

static void test_choose(const br_prng_class **rng)
{
	struct creds none = { 0 };
	uint8_t ours[64], odd[] = { 0x05, 0x03, 0x04 }, hash[T13_MAX_DIGEST] = { 0 }, sig[T13_MAX_SIGNATURE];
	size_t ours_len = t13_sig_our_list(ours, sizeof(ours)), hlen, len;
	uint16_t id;
	int signs = 1;

	test_choose_ec(ours, ours_len);
	test_choose_rsa(ours, ours_len);
	ok(t12_sig_choose(&keys[P256].creds, odd, sizeof(odd)) == E384 &&
	   t12_sig_choose(&keys[P256].creds, odd, 1) == 0 && t12_sig_choose(&keys[P256].creds, odd, 0) == 0,
	   "choose: an odd last byte is ignored, an empty list gives 0");
	ok(t12_sig_choose(&none, ours, ours_len) == 0, "choose: no key -> 0");
	for (int i = 0; i < KEY_COUNT; i++) {
		id = t12_sig_choose(&keys[i].creds, ours, ours_len);
		hlen = id == E384 || id == PSS384 || id == PKCS384 ? 48 : 32;
		signs &= id && t12_sig_sign_hash(&keys[i].creds, id, hash, hlen, rng, sig, &len) == 0;
	}
	ok(signs, "choose: what it picks from our list, every key can sign");
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

	if (keys_dir_make("t12sig") < 0) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done();
	}
	for (int i = 0; i < KEY_COUNT; i++)
		if (!ok(make_key(&keys[i]) == 0, "%s: key and certificate, loaded by creds", keys[i].name)) {
			cleanup();
			return done();
		}
	/* A fixed seed: the PSS salts need not be secret here, only distinct. */
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, "test_t12_sig", 12);
	test_all_schemes(rng);
	test_padding_mixup(rng);
	test_illegal();
	test_small_keys(rng);
	test_sign_refusals(rng);
	test_pkcs1_chainless();
	test_pkcs1_fault();
	test_choose(rng);
	cleanup();
	return done();
}
