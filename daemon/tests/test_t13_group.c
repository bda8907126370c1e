// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Key shares: the X25519 keys and shared secret of RFC 8448 §3, RFC 7748's
 * X25519 vectors, RFC 5903's P-256 and P-384 ECDH vectors, our generated
 * keys against OpenSSL's in both directions, and the peer values §4.2.8.2
 * and §7.4 make us refuse.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "tls13/group.h"
#include "hex.h"
#include "rfc8448.h"
#include "tap.h"
#include "tmpdir_files.h"
#include "ec_vectors.h"

static void seed_rng(br_hmac_drbg_context *rng)
{
	uint8_t seed[32];

	if (getrandom(seed, sizeof(seed), 0) != sizeof(seed))
		abort();
	br_hmac_drbg_init(rng, &br_sha256_vtable, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
}

/* A key pair whose private half a document gives: the public half is
 * left empty, derive() needs only the private one. */
static void keyshare_from(struct t13_keyshare *ks, uint16_t group, const char *priv_hex)
{
	memset(ks, 0, sizeof(*ks));
	ks->group = group;
	ks->priv_len = hex_decode(priv_hex, ks->priv, sizeof(ks->priv));
}

/* @priv's secret with @peer_hex equals @want_hex. */
static int derives(const struct t13_keyshare *ks, const char *peer_hex, const char *want_hex)
{
	uint8_t peer[T13_KEYSHARE_MAX_PUB], want[T13_KEYSHARE_MAX_SECRET];
	uint8_t got[T13_KEYSHARE_MAX_SECRET];
	size_t peer_len = hex_decode(peer_hex, peer, sizeof(peer));
	size_t want_len = hex_decode(want_hex, want, sizeof(want));
	size_t got_len = 0;

	return t13_keyshare_derive(ks, peer, peer_len, got, &got_len) == 0 &&
	       got_len == want_len && !memcmp(got, want, want_len);
}

static int refused(const struct t13_keyshare *ks, const uint8_t *peer, size_t peer_len)
{
	uint8_t secret[T13_KEYSHARE_MAX_SECRET];
	size_t len = 99;

	return t13_keyshare_derive(ks, peer, peer_len, secret, &len) ==
	       -T13_ALERT_ILLEGAL_PARAMETER && len == 0;
}

/* RFC 7748 §4.1: the base point of Curve25519, u = 9. */
#define X25519_BASE "09 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" \
		    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"

/* RFC 8448 §3: {client} and {server} "create an ephemeral x25519 key pair":
 * the private keys (the public ones and the shared secret are in rfc8448.h). */
#define RFC8448_S3_CLIENT_X25519_PRIV "49 af 42 ba 7f 79 94 85 2d 71 3e f2 78 4b cb ca" \
				      "a7 91 1d e2 6a dc 56 42 cb 63 45 40 e7 ea 50 05"
#define RFC8448_S3_SERVER_X25519_PRIV "b1 58 0e ea df 6d d5 89 b8 ef 4f 2d 56 52 57 8c" \
				      "c8 10 e9 98 01 91 ec 8d 05 83 08 ce a2 16 a2 1e"

static void test_rfc8448(void)
{
	struct t13_keyshare client, server;

	keyshare_from(&client, T13_GROUP_X25519, RFC8448_S3_CLIENT_X25519_PRIV);
	keyshare_from(&server, T13_GROUP_X25519, RFC8448_S3_SERVER_X25519_PRIV);
	ok(derives(&client, X25519_BASE, RFC8448_S3_CLIENT_X25519_PUB),
	   "RFC 8448 §3: the client's private key gives its public key");
	ok(derives(&server, X25519_BASE, RFC8448_S3_SERVER_X25519_PUB),
	   "RFC 8448 §3: the server's private key gives its public key");
	ok(derives(&client, RFC8448_S3_SERVER_X25519_PUB, RFC8448_S3_ECDHE),
	   "RFC 8448 §3: client private x server public = the trace's shared secret");
	ok(derives(&server, RFC8448_S3_CLIENT_X25519_PUB, RFC8448_S3_ECDHE),
	   "RFC 8448 §3: server private x client public = the trace's shared secret");
	t13_keyshare_wipe(&client);
	t13_keyshare_wipe(&server);
}

static void test_rfc7748(void)
{
	/* RFC 7748 §5.2; the second u has its top bit set, which X25519 must ignore. */
	static const char *const vectors[][3] = {
		{ RFC7748_5_2_K1, RFC7748_5_2_U1, RFC7748_5_2_OUT1 },
		{ RFC7748_5_2_K2, RFC7748_5_2_U2, RFC7748_5_2_OUT2 },
	};
	struct t13_keyshare ks;

	for (size_t i = 0; i < 2; i++) {
		keyshare_from(&ks, T13_GROUP_X25519, vectors[i][0]);
		ok(derives(&ks, vectors[i][1], vectors[i][2]), "RFC 7748 §5.2 X25519 vector %zu", i + 1);
	}
	keyshare_from(&ks, T13_GROUP_X25519, RFC7748_ALICE_PRIV);
	ok(derives(&ks, X25519_BASE, RFC7748_ALICE_PUB), "RFC 7748 §6.1: Alice's public key");
	ok(derives(&ks, RFC7748_BOB_PUB, RFC7748_K), "RFC 7748 §6.1: Alice's view of K");
	keyshare_from(&ks, T13_GROUP_X25519, RFC7748_BOB_PRIV);
	ok(derives(&ks, X25519_BASE, RFC7748_BOB_PUB), "RFC 7748 §6.1: Bob's public key");
	ok(derives(&ks, RFC7748_ALICE_PUB, RFC7748_K), "RFC 7748 §6.1: Bob's view of K");
	t13_keyshare_wipe(&ks);
}

/* RFC 7748 §5.2, the iterated test: k = u = 9, then k, u = X25519(k, u), k. */
static void test_rfc7748_iterated(void)
{
	uint8_t k[32], u[32], next[T13_KEYSHARE_MAX_SECRET], want1[32], want1000[32];
	struct t13_keyshare ks;
	size_t len;
	int all_ok = 1;

	hex_decode(X25519_BASE, k, sizeof(k));
	memcpy(u, k, sizeof(u));
	hex_decode(RFC7748_ITER_1, want1, 32);
	hex_decode(RFC7748_ITER_1000, want1000, 32);
	for (int i = 1; i <= 1000; i++) {
		memset(&ks, 0, sizeof(ks));
		ks.group = T13_GROUP_X25519;
		ks.priv_len = 32;
		memcpy(ks.priv, k, 32);
		all_ok &= t13_keyshare_derive(&ks, u, 32, next, &len) == 0;
		memcpy(u, k, 32);
		memcpy(k, next, 32);
		if (i == 1)
			ok(!memcmp(k, want1, 32), "RFC 7748 §5.2 iterated X25519, 1 iteration");
	}
	ok(all_ok && !memcmp(k, want1000, 32), "RFC 7748 §5.2 iterated X25519, 1,000 iterations");
	t13_keyshare_wipe(&ks);
}

/* RFC 5903 §8.1 (P-256) and §8.2 (P-384): i, g^i, r, g^r, and girx. */
struct ecdh_vector {
	const char *what;
	uint16_t group;
	const char *i, *gi, *r, *gr, *girx;
};

static const struct ecdh_vector rfc5903[] = {
	{ "RFC 5903 §8.1 P-256", T13_GROUP_SECP256R1,
	  RFC5903_P256_I, RFC5903_P256_GI, RFC5903_P256_R, RFC5903_P256_GR,
	  RFC5903_P256_GIRX },
	{ "RFC 5903 §8.2 P-384", T13_GROUP_SECP384R1,
	  RFC5903_P384_I, RFC5903_P384_GI, RFC5903_P384_R, RFC5903_P384_GR,
	  RFC5903_P384_GIRX },
};

static void test_rfc5903(void)
{
	struct t13_keyshare ks;

	for (size_t v = 0; v < sizeof(rfc5903) / sizeof(rfc5903[0]); v++) {
		const struct ecdh_vector *e = &rfc5903[v];

		keyshare_from(&ks, e->group, e->i);
		ok(derives(&ks, e->gr, e->girx), "%s: i x g^r = girx", e->what);
		keyshare_from(&ks, e->group, e->r);
		ok(derives(&ks, e->gi, e->girx), "%s: r x g^i = girx", e->what);
	}
	t13_keyshare_wipe(&ks);
}

/*
 * Peer values that must be refused (§7.4.2, RFC 7748 §6.1): u-coordinates
 * of small order, listed in D. J. Bernstein, "Curve25519: high-speed
 * elliptic-curve cryptography", cr.yp.to/ecdh.html, "Which Curve25519
 * public keys are unsafe?" (0, 1, two points of order 8, p - 1, p, p + 1).
 * X25519 of any of them is all zeros.
 */
static const char *const small_order[] = {
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
};

static void test_x25519_refusals(struct t13_keyshare *ks)
{
	uint8_t u[33];

	for (size_t i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++) {
		hex_decode(small_order[i], u, 32);
		ok(refused(ks, u, 32), "x25519: small-order u #%zu (all-zero result) is illegal_parameter", i);
		/* The top bit is masked (RFC 7748 §5): the same points again. */
		u[31] |= 0x80;
		ok(refused(ks, u, 32), "x25519: small-order u #%zu with the top bit set is too", i);
	}
	memcpy(u, ks->pub, 32);
	u[32] = 0;
	ok(refused(ks, u, 31) && refused(ks, u, 33) && refused(ks, u, 0) && refused(ks, u, 1),
	   "x25519: 31, 33, 0 and 1 bytes are illegal_parameter");
}

static void test_nist_refusals(struct t13_keyshare *ks, const char *name)
{
	uint8_t p[T13_KEYSHARE_MAX_PUB + 1];
	size_t n = ks->pub_len, coord = (n - 1) / 2;

	memcpy(p, ks->pub, n);
	p[n - 1] ^= 0x01;
	ok(refused(ks, p, n), "%s: a point off the curve (y changed) is illegal_parameter", name);
	memcpy(p, ks->pub, n);
	p[0] = 0x02 | (ks->pub[n - 1] & 1);
	ok(refused(ks, p, 1 + coord), "%s: the compressed form (x only) is illegal_parameter", name);
	ok(refused(ks, p, n), "%s: prefix 02/03 at full length is illegal_parameter", name);
	p[0] = 0x06 | (ks->pub[n - 1] & 1);
	ok(refused(ks, p, n), "%s: the hybrid form (06/07) is illegal_parameter", name);
	memset(p, 0, n);
	p[0] = 0x04;
	ok(refused(ks, p, n), "%s: 04 with x = y = 0 is illegal_parameter", name);
	p[0] = 0x00;
	ok(refused(ks, p, 1), "%s: the point at infinity (00) is illegal_parameter", name);
	memcpy(p, ks->pub, n);
	p[n] = 0;
	ok(refused(ks, p, n - 1) && refused(ks, p, n + 1) && refused(ks, p, 0),
	   "%s: one byte short, one too many, or none is illegal_parameter", name);
}

static const struct {
	uint16_t group;
	const char *name;
	size_t pub_len, secret_len;
} groups[] = {
	{ T13_GROUP_X25519, "x25519", 32, 32 },
	{ T13_GROUP_SECP256R1, "secp256r1", 65, 32 },
	{ T13_GROUP_SECP384R1, "secp384r1", 97, 48 },
};
#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

static void test_generated(const br_prng_class **rng)
{
	uint8_t s1[T13_KEYSHARE_MAX_SECRET], s2[T13_KEYSHARE_MAX_SECRET];
	uint8_t base[32];
	struct t13_keyshare a, b;
	size_t l1, l2;

	hex_decode(X25519_BASE, base, sizeof(base));
	for (size_t g = 0; g < N_GROUPS; g++) {
		const char *name = groups[g].name;

		ok(t13_keyshare_generate(&a, groups[g].group, rng) == 0 &&
		   t13_keyshare_generate(&b, groups[g].group, rng) == 0,
		   "%s: two key pairs are generated", name);
		ok(a.group == groups[g].group && a.pub_len == groups[g].pub_len &&
		   (groups[g].group == T13_GROUP_X25519 || a.pub[0] == 0x04),
		   "%s: the public key is %zu bytes%s", name, groups[g].pub_len,
		   groups[g].group == T13_GROUP_X25519 ? "" : ", uncompressed");
		ok(memcmp(a.priv, b.priv, a.priv_len) && memcmp(a.pub, b.pub, a.pub_len),
		   "%s: the two key pairs differ", name);
		ok(t13_keyshare_derive(&a, b.pub, b.pub_len, s1, &l1) == 0 &&
		   t13_keyshare_derive(&b, a.pub, a.pub_len, s2, &l2) == 0 &&
		   l1 == groups[g].secret_len && l1 == l2 && !memcmp(s1, s2, l1),
		   "%s: both sides derive the same %zu-byte secret", name, groups[g].secret_len);
		if (groups[g].group == T13_GROUP_X25519) {
			ok(t13_keyshare_derive(&a, base, 32, s1, &l1) == 0 && !memcmp(s1, a.pub, 32),
			   "x25519: X25519(priv, 9) is the public key (priv kept in RFC 7748 order)");
			test_x25519_refusals(&a);
		} else {
			test_nist_refusals(&a, name);
		}
		t13_keyshare_wipe(&a);
		t13_keyshare_wipe(&b);
	}
}

/*
 * x25519 private keys are 32 random bytes (RFC 7748 §6.1): bit 7 of byte 0
 * is a scalar bit too, that br_ec_keygen() would always clear. In 64 keys
 * it stays clear with probability 2^-64.
 */
static void test_x25519_entropy(const br_prng_class **rng)
{
	struct t13_keyshare ks;
	uint8_t seen = 0;

	for (int i = 0; i < 64; i++) {
		t13_keyshare_generate(&ks, T13_GROUP_X25519, rng);
		seen |= ks.priv[0];
	}
	ok(seen & 0x80, "x25519: private keys use every bit of byte 0 (64 keys)");
	t13_keyshare_wipe(&ks);
}

static void test_api(const br_prng_class **rng)
{
	static const uint8_t zero[sizeof(struct t13_keyshare)];
	uint8_t secret[T13_KEYSHARE_MAX_SECRET], peer[32] = { 9 };
	struct t13_keyshare ks;
	size_t len;

	ok(t13_group_supported(T13_GROUP_X25519) && t13_group_supported(T13_GROUP_SECP256R1) &&
	   t13_group_supported(T13_GROUP_SECP384R1), "x25519, secp256r1, secp384r1 are supported");
	ok(!t13_group_supported(0x0019) && !t13_group_supported(0x001e) &&
	   !t13_group_supported(0x0100) && !t13_group_supported(0),
	   "secp521r1, x448, ffdhe2048 and 0 are not");
	memset(&ks, 0xff, sizeof(ks));
	ok(t13_keyshare_generate(&ks, 0x001e, rng) == -1 && !memcmp(&ks, zero, sizeof(ks)),
	   "generating for an unsupported group fails, the key share zeroed");
	ok(t13_keyshare_derive(&ks, peer, sizeof(peer), secret, &len) == -T13_ALERT_INTERNAL_ERROR,
	   "deriving from an empty key share is internal_error");
	t13_keyshare_generate(&ks, T13_GROUP_X25519, rng);
	t13_keyshare_wipe(&ks);
	ok(!memcmp(&ks, zero, sizeof(ks)), "wipe leaves nothing of the key");
}

/* ---- against OpenSSL, both ways ---- */

static char dir[] = "/tmp/t13-group-XXXXXX";

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
 * OpenSSL makes a key pair; its SubjectPublicKeyInfo (DER) ends with the
 * BIT STRING holding the raw public key, so its last pub_len bytes are the
 * key_exchange value, and the same DER with our key in their place is our
 * public key for `pkeyutl -derive`.
 */
static void test_openssl_group(const br_prng_class **rng, size_t g, const char *genpkey_args)
{
	const char *name = groups[g].name;
	size_t pub_len = groups[g].pub_len;
	uint8_t der[256], theirs[T13_KEYSHARE_MAX_PUB];
	uint8_t ours_secret[T13_KEYSHARE_MAX_SECRET], their_secret[T13_KEYSHARE_MAX_SECRET + 1];
	size_t der_len, ours_len = 0, their_len;
	struct t13_keyshare ks;

	if (sh("openssl genpkey %s -out %s/key.pem 2>/dev/null", genpkey_args, dir) ||
	    sh("openssl pkey -in %s/key.pem -pubout -outform DER -out %s/pub.der 2>/dev/null",
	       dir, dir)) {
		ok(0, "%s: openssl makes a key pair", name);
		return;
	}
	der_len = dir_slurp(dir, "pub.der", der, sizeof(der));
	ok(der_len > pub_len && der[der_len - pub_len - 1] == 0x00,
	   "%s: OpenSSL's public key is the last %zu bytes of its DER", name, pub_len);
	memcpy(theirs, der + der_len - pub_len, pub_len);

	t13_keyshare_generate(&ks, groups[g].group, rng);
	ok(t13_keyshare_derive(&ks, theirs, pub_len, ours_secret, &ours_len) == 0,
	   "%s: we derive with OpenSSL's public key", name);
	memcpy(der + der_len - pub_len, ks.pub, pub_len);
	if (dir_spill(dir, "ours.der", der, der_len) ||
	    sh("openssl pkeyutl -derive -inkey %s/key.pem -peerkey %s/ours.der -peerform DER "
	       "-out %s/secret.bin 2>/dev/null", dir, dir, dir)) {
		ok(0, "%s: openssl pkeyutl -derive takes our public key", name);
	} else {
		their_len = dir_slurp(dir, "secret.bin", their_secret, sizeof(their_secret));
		ok(their_len == groups[g].secret_len && ours_len == their_len &&
		   !memcmp(ours_secret, their_secret, their_len),
		   "%s: OpenSSL derives the same %zu-byte secret from our public key", name,
		   groups[g].secret_len);
	}
	t13_keyshare_wipe(&ks);
	explicit_bzero(ours_secret, sizeof(ours_secret));
	sh("rm -f %s/key.pem %s/pub.der %s/ours.der %s/secret.bin", dir, dir, dir, dir);
}

static void test_openssl(const br_prng_class **rng)
{
	static const char *const genpkey[] = {
		"-algorithm X25519",
		"-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
		"-algorithm EC -pkeyopt ec_paramgen_curve:P-384",
	};

	if (!mkdtemp(dir)) {
		ok(0, "a temporary folder for OpenSSL's keys");
		return;
	}
	for (size_t g = 0; g < N_GROUPS; g++)
		test_openssl_group(rng, g, genpkey[g]);
	rmdir(dir);
}

int main(void)
{
	br_hmac_drbg_context rng;

	seed_rng(&rng);
	test_api(&rng.vtable);
	test_rfc8448();
	test_rfc7748();
	test_rfc7748_iterated();
	test_rfc5903();
	test_generated(&rng.vtable);
	test_x25519_entropy(&rng.vtable);
	test_openssl(&rng.vtable);
	explicit_bzero(&rng, sizeof(rng));
	return done();
}
