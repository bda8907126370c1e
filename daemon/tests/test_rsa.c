// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RSA's private operation (rsa.h) against BearSSL's, on keys OpenSSL's
 * command line makes and creds.c loads as the daemon does: the raw
 * operation and PKCS#1 v1.5 signatures (deterministic, so byte for byte)
 * for every size the daemon takes, e = 65537 and e = 3; OpenSSL's dgst
 * verifies one. With RSA=openssl each loaded key must have its libcrypto
 * form (no silent fallback to the slow code); a key whose CRT exponent is
 * wrong gets none, and still signs with BearSSL's code (which then fails
 * its check, as test_t13_sig shows). PSS through it: test_t13_sig and
 * test_t12_sig, whose signatures OpenSSL verifies.
 */
#define _GNU_SOURCE
#include "openssl_keys.h"
#include "rsa.h"
#include "tls13/sig.h"

enum { RSA752, RSA1024, RSA2041, RSA2048, RSA2048_E3, RSA3072, RSA4096, KEY_COUNT };

static struct test_key keys[KEY_COUNT] = {
	/* 94 bytes: SHA-512's DigestInfo and the least padding, exactly */
	[RSA752] = { .name = "rsa752", .algorithm = "RSA", .option = "rsa_keygen_bits:752" },
	[RSA1024] = { .name = "rsa1024", .algorithm = "RSA", .option = "rsa_keygen_bits:1024" },
	/* modBits - 1 a multiple of 8 */
	[RSA2041] = { .name = "rsa2041", .algorithm = "RSA", .option = "rsa_keygen_bits:2041" },
	[RSA2048] = { .name = "rsa2048", .algorithm = "RSA", .option = "rsa_keygen_bits:2048" },
	[RSA2048_E3] = { .name = "rsa2048e3", .algorithm = "RSA", .option = "rsa_keygen_pubexp:3" },
	[RSA3072] = { .name = "rsa3072", .algorithm = "RSA", .option = "rsa_keygen_bits:3072" },
	[RSA4096] = { .name = "rsa4096", .algorithm = "RSA", .option = "rsa_keygen_bits:4096" },
};

static const struct {
	const char *name;
	const unsigned char *oid;
	size_t len;
} hashes[] = {
	{ "SHA-1", BR_HASH_OID_SHA1, 20 },
	{ "SHA-256", BR_HASH_OID_SHA256, 32 },
	{ "SHA-384", BR_HASH_OID_SHA384, 48 },
	{ "SHA-512", BR_HASH_OID_SHA512, 64 },
	{ "MD5+SHA-1 (no DigestInfo)", NULL, 36 },
};

/* A value below @k's modulus: its top byte less one, then bytes of @seed. */
static void below_modulus(struct test_key *k, uint8_t seed, uint8_t *x, size_t len)
{
	const uint8_t *n = k->pkey->key.rsa.n;

	while (!*n)
		n++;
	for (size_t i = 0; i < len; i++)
		x[i] = (uint8_t)(seed * 31 + i * 7);
	x[0] = n[0] ? n[0] - 1 : 0;
}

static void test_key(struct test_key *k)
{
	const br_rsa_private_key *sk = &k->creds.rsa_key;
	size_t len = (sk->n_bitlen + 7) / 8;
	uint8_t ours[512], theirs[512], hash[64];
	int same = 1;

#ifdef KTLSD_RSA_OPENSSL
	ok(k->creds.rsa_fast != NULL, "%s: loaded with its libcrypto form", k->name);
#else
	ok(k->creds.rsa_fast == NULL, "%s: BearSSL's code only (RSA=bearssl)", k->name);
#endif
	for (uint8_t seed = 1; seed <= 8; seed++) {
		below_modulus(k, seed, ours, len);
		memcpy(theirs, ours, len);
		same &= rsa_private_op(k->creds.rsa_fast, sk, &k->pkey->key.rsa, ours) == 1 &&
			br_rsa_private_get_default()(theirs, sk) == 1 && !memcmp(ours, theirs, len);
	}
	ok(same, "%s: the raw private operation equals BearSSL's (8 values)", k->name);
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		for (size_t j = 0; j < sizeof(hash); j++)
			hash[j] = (uint8_t)(i + j);
		memset(ours, 0, sizeof(ours));
		memset(theirs, 0xee, sizeof(theirs));
		ok(rsa_pkcs1_sign(k->creds.rsa_fast, sk, &k->pkey->key.rsa, hashes[i].oid, hash,
				  hashes[i].len, ours) == 1 &&
		   br_rsa_pkcs1_sign_get_default()(hashes[i].oid, hash, hashes[i].len, sk, theirs) == 1 &&
		   !memcmp(ours, theirs, len),
		   "%s: PKCS#1 v1.5 with %s equals BearSSL's signature", k->name, hashes[i].name);
	}
}

/*
 * OpenSSL's dgst verifies our PKCS#1 v1.5 SHA-256 signature of content.bin,
 * and makes the same one (the encoding is deterministic).
 */
static void test_openssl_verifies(struct test_key *k)
{
	static const char content[] = "ktlsd test_rsa: signed content";
	size_t len = (k->creds.rsa_key.n_bitlen + 7) / 8;
	uint8_t hash[32], sig[512], theirs[512];
	char path[PATH_MAX];

	hash_of(&br_sha256_vtable, content, sizeof(content) - 1, hash);
	ok(write_file(in_dir(path, "content.bin"), content, sizeof(content) - 1) == 0 &&
	   rsa_pkcs1_sign(k->creds.rsa_fast, &k->creds.rsa_key, &k->pkey->key.rsa, BR_HASH_OID_SHA256,
			  hash, 32, sig) &&
	   openssl_dgst_verify(k, "sha256", 1, sig, len),
	   "%s: OpenSSL verifies our PKCS#1 v1.5 SHA-256 signature", k->name);
	ok(openssl_dgst_sign(k, "sha256", 1, theirs) == len && !memcmp(sig, theirs, len),
	   "%s: and makes the same signature", k->name);
}

/* Encodings that cannot fit, and a key whose dp is wrong. */
static void test_refusals(void)
{
	struct test_key *k = &keys[RSA1024];
	br_rsa_private_key faulty = k->creds.rsa_key;
	uint8_t hash[64] = { 0 }, sig[512], dp[512];
	struct rsa_fast *fast;

	ok(rsa_pkcs1_sign(k->creds.rsa_fast, &k->creds.rsa_key, NULL, BR_HASH_OID_SHA512, hash, 65,
			  sig) == 0,
	   "a 65-byte \"hash\" is refused");
	/* 93 bytes: 2 + 8 (padding) + 1 + 19 (DigestInfo) + 64 is one more */
	faulty.n_bitlen = 8 * 93;
	ok(rsa_pkcs1_sign(NULL, &faulty, NULL, BR_HASH_OID_SHA512, hash, 64, sig) == 0,
	   "a modulus too short for SHA-512's DigestInfo and 8 bytes of padding is refused");
	/* One byte more fits exactly: the rsa752 key's SHA-512 signatures (test_key()). */
	faulty = k->creds.rsa_key;
	memcpy(dp, faulty.dp, faulty.dplen);
	dp[faulty.dplen - 1] ^= 2;
	faulty.dp = dp;
	fast = rsa_fast_new(&faulty);
	ok(fast == NULL, "a key whose dp does not invert e gets no libcrypto form");
	rsa_fast_free(fast);
	rsa_fast_free(NULL);
	explicit_bzero(dp, sizeof(dp));
}

/*
 * A private operation that goes wrong never gives its result out: BearSSL's
 * code with a wrong dp computes one CRT half wrong, and the check (the
 * certificate's key, or the one recomputed) catches it. libcrypto, given a
 * wrong CRT coefficient, checks its own result and recomputes without the
 * CRT: the result is right.
 */
static void test_faults(void)
{
	struct test_key *k = &keys[RSA2048];
	br_rsa_private_key faulty = k->creds.rsa_key;
	size_t len = (faulty.n_bitlen + 7) / 8;
	uint8_t x[512], right[512], zero[512] = { 0 }, dp[512], iq[512];
	struct rsa_fast *fast;

	memcpy(dp, faulty.dp, faulty.dplen);
	dp[faulty.dplen - 1] ^= 2;
	faulty.dp = dp;
	below_modulus(k, 9, right, len);
	memcpy(x, right, len);
	ok(rsa_private_op(NULL, &faulty, &k->pkey->key.rsa, x) == 0 && !memcmp(x, zero, len),
	   "a wrong CRT half (dp) is caught with the certificate's key, and wiped");
	memcpy(x, right, len);
	ok(rsa_private_op(NULL, &faulty, NULL, x) == 0 && !memcmp(x, zero, len),
	   "and with the key recomputed from the private one");
	ok(br_rsa_private_get_default()(right, &k->creds.rsa_key) == 1, "the right result");
	faulty = k->creds.rsa_key;
	memcpy(iq, faulty.iq, faulty.iqlen);
	iq[faulty.iqlen - 1] ^= 2;
	faulty.iq = iq;
	fast = rsa_fast_new(&faulty);
	below_modulus(k, 9, x, len);
#ifdef KTLSD_RSA_OPENSSL
	ok(fast && rsa_private_op(fast, &faulty, NULL, x) == 1 && !memcmp(x, right, len),
	   "libcrypto with a wrong CRT coefficient still gives the right result");
#else
	ok(!fast && rsa_private_op(NULL, &faulty, NULL, x) == 0 && !memcmp(x, zero, len),
	   "BearSSL's code with a wrong CRT coefficient: caught, and wiped");
#endif
	rsa_fast_free(fast);
	explicit_bzero(dp, sizeof(dp));
	explicit_bzero(iq, sizeof(iq));
}

/*
 * BearSSL's code checks with the certificate's key when there is one: a
 * 4096-bit key, whose modulus BearSSL cannot recompute (factors of 2048
 * bits), signs with its chain and not without.
 */
static void test_check_key(void)
{
	struct creds c = keys[RSA4096].creds;
	uint8_t hash[32] = { 3 }, sig[T13_MAX_SIGNATURE];
	size_t len = 0;

	c.rsa_fast = NULL;
	ok(t12_sig_sign_hash(&c, T13_SIG_RSA_PKCS1_SHA256, hash, sizeof(hash), NULL, sig, &len) == 0 &&
	   len == 512, "rsa4096, BearSSL's code: checked with the certificate's key, it signs");
	c.chain_len = 0;
	len = 0;
	ok(t12_sig_sign_hash(&c, T13_SIG_RSA_PKCS1_SHA256, hash, sizeof(hash), NULL, sig, &len) == -1 &&
	   len == 0, "without its chain, no key to check with (not recomputable): no signature");
}

static void test_forget(void)
{
	struct test_key *k = &keys[RSA2048];

	creds_forget_key(&k->creds);
	ok(k->creds.rsa_fast == NULL && k->creds.rsa_key.p == NULL,
	   "creds_forget_key() drops the libcrypto form with the key");
}

int main(void)
{
	int made = 1;

	if (keys_dir_make("rsa") < 0) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done();
	}
	for (int i = 0; i < KEY_COUNT && made; i++)
		made = ok(make_key(&keys[i]) == 0, "%s: key and certificate, loaded by creds",
			  keys[i].name);
	if (made) {
#ifdef KTLSD_RSA_OPENSSL
		ok(!strcmp(rsa_impl_name(), "OpenSSL libcrypto") && rsa_fast_expected(),
		   "RSA: %s", rsa_impl_name());
#else
		ok(!strcmp(rsa_impl_name(), "BearSSL") && !rsa_fast_expected(), "RSA: %s",
		   rsa_impl_name());
#endif
		for (int i = 0; i < KEY_COUNT; i++)
			test_key(&keys[i]);
		test_openssl_verifies(&keys[RSA2048]);
		test_openssl_verifies(&keys[RSA2048_E3]);
		test_refusals();
		test_faults();
		test_check_key();
		test_forget();
	}
	for (int i = 0; i < KEY_COUNT; i++)
		creds_free(&keys[i].creds);
	if (keys_dir_remove() < 0)
		diag("could not remove %s", keys_dir);
	return done();
}
