// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ECDSA's private operation (ecdsa.h), on P-256, P-384 and P-521 keys
 * OpenSSL's command line makes and creds.c loads as the daemon does. With
 * ECDSA=openssl each loaded key must have its libcrypto form (no silent
 * fallback to the slower code). Every signature, from libcrypto or from the
 * elliptic-curve code, for every hash TLS signs with (longer ones truncated
 * to the order, shorter ones taken whole), is DER that BearSSL's verifier
 * accepts under the certificate's key and refuses for another digest;
 * two signatures of one digest differ (fresh nonces); OpenSSL's dgst
 * verifies one per key; a buffer of BearSSL's bound is enough.
 */
#define _GNU_SOURCE
#include "ecdsa.h"
#include "openssl_keys.h"

enum { P256, P384, P521, KEY_COUNT };

static struct test_key keys[KEY_COUNT] = {
	[P256] = { .name = "p256", .algorithm = "EC", .option = "ec_paramgen_curve:P-256" },
	[P384] = { .name = "p384", .algorithm = "EC", .option = "ec_paramgen_curve:P-384" },
	[P521] = { .name = "p521", .algorithm = "EC", .option = "ec_paramgen_curve:P-521" },
};

static const br_hash_class *const hashes[] = {
	&br_sha1_vtable, &br_sha256_vtable, &br_sha384_vtable, &br_sha512_vtable,
};

/* 2 * the order's bytes + 9: what BearSSL's callers give room for. */
static size_t bound(const struct test_key *k)
{
	size_t order;

	br_ec_get_default()->order(k->creds.ec_key.curve, &order);
	return 2 * order + 9;
}

static int verifies(const struct test_key *k, const uint8_t *digest, size_t len,
		    const uint8_t *sig, size_t sig_len)
{
	return br_ecdsa_i31_vrfy_asn1(&br_ec_prime_i31, digest, len, &k->pkey->key.ec, sig, sig_len) == 1;
}

/* @n signatures with @fast (NULL: the EC code's) over every hash; all verify, none for another digest. */
static void test_signatures(struct test_key *k, const struct ecdsa_fast *fast, const char *who)
{
	uint8_t digest[64], other[64], sig[160];
	int good = 1, refused = 1, fits = 1;

	for (size_t h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++) {
		size_t len = (hashes[h]->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;

		for (int i = 0; i < 8; i++) {
			size_t n;

			for (size_t j = 0; j < len; j++) {
				digest[j] = (uint8_t)(i * 37 + j * 11 + h);
				other[j] = digest[j];
			}
			other[0] ^= 1;	/* the end may be cut: a longer hash is truncated */
			n = ecdsa_sign_asn1(fast, &k->creds.ec_key, hashes[h], digest, sig);
			fits &= n > 0 && n <= bound(k);
			good &= n > 0 && verifies(k, digest, len, sig, n);
			refused &= !verifies(k, other, len, sig, n);
		}
	}
	ok(good && fits, "%s, %s: every signature (SHA-1 to SHA-512) verifies, within %zu bytes",
	   k->name, who, bound(k));
	ok(refused, "%s, %s: and none verifies for another digest", k->name, who);
}

/*
 * With its libcrypto form, the key signs: given another private scalar
 * beside it, the signature still verifies under the certificate's key.
 */
static void test_fast_signs(struct test_key *k)
{
	uint8_t other_x[66] = { [0] = 1 }, digest[32] = { 7 }, sig[160];
	br_ec_private_key other = { k->creds.ec_key.curve, other_x, k->creds.ec_key.xlen };
	size_t n = ecdsa_sign_asn1(k->creds.ec_fast, &other, &br_sha256_vtable, digest, sig);

	ok(n && verifies(k, digest, sizeof(digest), sig, n), "%s: the libcrypto form is what signs",
	   k->name);
}

static void test_key(struct test_key *k)
{
	static const char content[] = "ktlsd test_ecdsa: signed content";
	uint8_t hash[32], a[160], b[160];
	size_t na, nb;

	ok(ecdsa_fast_expected() ? k->creds.ec_fast != NULL : k->creds.ec_fast == NULL,
	   "%s: %s", k->name, ecdsa_fast_expected() ? "loaded with its libcrypto form" :
						     "no libcrypto form in this build");
	test_signatures(k, k->creds.ec_fast, ecdsa_impl_name());
	if (k->creds.ec_fast) {
		test_fast_signs(k);
		test_signatures(k, NULL, "the elliptic-curve code");
	}
	hash_of(&br_sha256_vtable, content, sizeof(content) - 1, hash);
	na = ecdsa_sign_asn1(k->creds.ec_fast, &k->creds.ec_key, &br_sha256_vtable, hash, a);
	nb = ecdsa_sign_asn1(k->creds.ec_fast, &k->creds.ec_key, &br_sha256_vtable, hash, b);
	/* BearSSL's own signer (P-521 with ECDSA=ec) is deterministic (RFC 6979). */
	if (k->creds.ec_fast)
		ok(na && nb && (na != nb || memcmp(a, b, na)), "%s: two signatures of one digest differ",
		   k->name);
	ok(write_file(in_dir((char[PATH_MAX]){ 0 }, "content.bin"), content, sizeof(content) - 1) == 0 &&
	   openssl_dgst_verify(k, "sha256", 0, a, na),
	   "%s: OpenSSL verifies our SHA-256 signature", k->name);
}

static void test_forget(void)
{
	struct test_key *k = &keys[P256];

	creds_forget_key(&k->creds);
	ok(k->creds.ec_fast == NULL && k->creds.ec_key.x == NULL,
	   "creds_forget_key() drops the libcrypto form with the key");
	ecdsa_fast_free(NULL);
}

int main(void)
{
	int made = 1;

	if (keys_dir_make("ecdsa") < 0) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done();
	}
#ifdef KTLSD_ECDSA_OPENSSL
	ok(!strcmp(ecdsa_impl_name(), "OpenSSL libcrypto") && ecdsa_fast_expected(),
	   "ECDSA signatures: %s", ecdsa_impl_name());
#else
	ok(strcmp(ecdsa_impl_name(), "OpenSSL libcrypto") && !ecdsa_fast_expected(),
	   "ECDSA signatures: %s", ecdsa_impl_name());
#endif
	for (int i = 0; i < KEY_COUNT && made; i++)
		made = ok(make_key(&keys[i]) == 0, "%s: key and certificate, loaded by creds",
			  keys[i].name);
	if (made) {
		for (int i = 0; i < KEY_COUNT; i++)
			test_key(&keys[i]);
		test_forget();
	}
	for (int i = 0; i < KEY_COUNT; i++)
		creds_free(&keys[i].creds);
	ok(keys_dir_remove() == 0, "the keys' directory removed");
	return done();
}
