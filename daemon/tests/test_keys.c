// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Key derivation: BearSSL's PRF against the published TLS 1.2 test vector,
 * and our key blocks against the ones OpenSSL's TLS1-PRF derives from the
 * same master secret and randoms, for every suite, split for both roles.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "tap.h"

static void from_hex(const char *hex, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void to_hex(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

/* IETF TLS WG, TLS 1.2 PRF with SHA-256 (also in PKCS#11's TLS mechanisms). */
static void test_prf_vector(void)
{
	static const char want_hex[] =
		"e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
		"6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
		"4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
		"87347b66";
	uint8_t secret[16], seed[16], want[100], got[100];
	br_tls_prf_seed_chunk chunk = { seed, sizeof(seed) };

	from_hex("9bbe436ba940f017b17652849a71db35", secret, sizeof(secret));
	from_hex("a0ba9f936cda311827a6f796ffd5198c", seed, sizeof(seed));
	from_hex(want_hex, want, sizeof(want));
	br_tls12_sha256_prf(got, sizeof(got), secret, sizeof(secret), "test label", 1, &chunk);
	ok(!memcmp(got, want, sizeof(want)), "BearSSL TLS 1.2 PRF (SHA-256) matches the published vector");
}

/* The key block OpenSSL derives: TLS1-PRF(secret, "key expansion" || sr || cr). */
static int openssl_block(const char *digest, const uint8_t *master, const uint8_t *cr,
			 const uint8_t *sr, size_t len, uint8_t *out)
{
	char cmd[1024], ms[97], crh[65], srh[65], line[1024];
	char label[] = "key expansion", labelh[2 * sizeof(label)];
	FILE *p;
	size_t n = 0;

	to_hex(master, 48, ms);
	to_hex(cr, 32, crh);
	to_hex(sr, 32, srh);
	to_hex((const uint8_t *)label, strlen(label), labelh);
	snprintf(cmd, sizeof(cmd),
		 "openssl kdf -keylen %zu -kdfopt digest:%s -kdfopt hexsecret:%s "
		 "-kdfopt hexseed:%s%s%s TLS1-PRF 2>/dev/null", len, digest, ms, labelh, srh, crh);
	p = popen(cmd, "r");
	if (!p || !fgets(line, sizeof(line), p)) {
		if (p)
			pclose(p);
		return -1;
	}
	pclose(p);
	for (char *c = line; *c && n < len; c++) {
		unsigned v;

		if (*c == ':' || *c == '\n')
			continue;
		if (sscanf(c, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
		c++;
	}
	return n == len ? 0 : -1;
}

static void test_suite_against_openssl(const struct ktlsd_suite_info *s)
{
	uint8_t master[48], cr[32], sr[32], block[88];
	struct ktlsd_keys client, server, expect;
	size_t len = 2 * (s->key_len + s->iv_len);

	for (size_t i = 0; i < 48; i++)
		master[i] = (uint8_t)(i * 7 + s->suite);
	for (size_t i = 0; i < 32; i++) {
		cr[i] = (uint8_t)(0xc0 + i);
		sr[i] = (uint8_t)(0x50 ^ (i * 3));
	}
	if (!ok(openssl_block(s->prf_sha384 ? "SHA384" : "SHA256", master, cr, sr, len, block) == 0,
		"%s: openssl derives a %zu-byte key block", s->name, len))
		return;
	ok(keys_derive(&client, s->suite, KTLSD_ROLE_CLIENT, master, cr, sr, 5, 9) == 0 &&
	   keys_derive(&server, s->suite, KTLSD_ROLE_SERVER, master, cr, sr, 9, 5) == 0,
	   "%s: keys derive for both roles", s->name);
	ktlsd_keys_from_block(&expect, s->suite, KTLSD_ROLE_CLIENT, block, len, 5, 9);
	ok(!memcmp(&client, &expect, sizeof(expect)),
	   "%s: client keys equal OpenSSL's (%s PRF, server_random first)", s->name,
	   s->prf_sha384 ? "SHA-384" : "SHA-256");
	ok(!memcmp(client.tx.key, server.rx.key, s->key_len) &&
	   !memcmp(client.tx.iv, server.rx.iv, s->iv_len) &&
	   !memcmp(client.rx.key, server.tx.key, s->key_len) &&
	   client.tx.seq == server.rx.seq && client.rx.seq == server.tx.seq,
	   "%s: what the client sends is what the server receives", s->name);
	ok(memcmp(client.tx.key, client.rx.key, s->key_len) != 0,
	   "%s: the two directions have different keys", s->name);
}

static void test_block_layout(void)
{
	uint8_t block[40], secret[48] = { 0 };
	struct ktlsd_keys k;

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)i;
	ktlsd_keys_from_block(&k, KTLSD_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256,
			      KTLSD_ROLE_SERVER, block, sizeof(block), 1, 2);
	/* client key 0..15, server key 16..31, client IV 32..35, server IV 36..39 */
	ok(k.tx.key[0] == 16 && k.rx.key[0] == 0 && k.tx.iv[0] == 36 && k.rx.iv[0] == 32 &&
	   k.tx.seq == 1 && k.rx.seq == 2, "AES-128-GCM block offsets 0/16/32/36, server side");
	ok(ktlsd_keys_from_block(&k, KTLSD_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256,
				 KTLSD_ROLE_SERVER, block, 39, 1, 2) < 0,
	   "a key block of the wrong length is refused");
	ok(ktlsd_keys_from_block(&k, 0xc013, KTLSD_ROLE_SERVER, block, 40, 1, 2) < 0 &&
	   keys_derive(&k, 0xc013, KTLSD_ROLE_SERVER, secret, secret, secret, 0, 0) < 0,
	   "a suite kTLS cannot carry (CBC) is refused");
}

static void test_suite_names(void)
{
	size_t n;
	const struct ktlsd_suite_info *all = ktlsd_suites(&n);
	int round_trip = n == 6;

	for (size_t i = 0; i < n; i++)
		round_trip &= ktlsd_suite_by_name(all[i].name) == &all[i] &&
			      ktlsd_suite_by_id(all[i].suite) == &all[i];
	ok(round_trip, "six suites, found by name and by number");
	ok(!ktlsd_suite_by_name("ECDHE-RSA-AES128-SHA") && !ktlsd_suite_by_id(0x009c),
	   "suites kTLS cannot carry are unknown");
}

int main(void)
{
	size_t n;
	const struct ktlsd_suite_info *all = ktlsd_suites(&n);

	test_prf_vector();
	for (size_t i = 0; i < n; i++)
		test_suite_against_openssl(&all[i]);
	test_block_layout();
	test_suite_names();
	return done();
}
