// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SHA-256 our engine computes with (hash.h) against BearSSL's own:
 * digests of every length across block boundaries, fed whole and in
 * pieces; out() leaving the context as it was; the chaining state BearSSL's
 * HMAC saves and restores (state()/set_state()); HMAC with keys shorter,
 * as long as and longer than a block; and TLS 1.2's PRF (prf12.h, on that
 * HMAC) against BearSSL's br_tls12_sha256_prf()/br_tls12_sha384_prf(),
 * which test_keys checks against the published vector. Inputs come from a
 * fixed-seed generator: the same every run.
 */
#define _GNU_SOURCE
#include <string.h>

#include "hash.h"
#include "tap.h"
#include "ktlsd_ktls.h"
#include "tls13/prf12.h"

static uint8_t data[1024];

static void fill(uint32_t seed)
{
	for (size_t i = 0; i < sizeof(data); i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (uint8_t)(seed >> 16);
	}
}

/* @h's digest of data[0..len), fed in pieces of @piece bytes (0: whole). */
static void digest(const br_hash_class *h, size_t len, size_t piece, uint8_t *out)
{
	br_hash_compat_context c;

	h->init(&c.vtable);
	for (size_t off = 0; off < len;) {
		size_t n = piece && len - off > piece ? piece : len - off;

		h->update(&c.vtable, data + off, n);
		off += n;
	}
	h->out(&c.vtable, out);
}

static void test_digests(const br_hash_class *fast)
{
	static const size_t pieces[] = { 0, 1, 7, 63, 64, 65 };
	uint8_t want[32], got[32];
	int bad = 0;

	fill(1);
	for (size_t len = 0; len <= 300; len++)
		for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
			digest(&br_sha256_vtable, len, 0, want);
			digest(fast, len, pieces[p], got);
			bad += memcmp(want, got, 32) != 0;
		}
	ok(!bad, "digests of 0 to 300 bytes, whole and in pieces of 1 to 65, equal BearSSL's (%d differ)",
	   bad);
	ok(((fast->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK) == 32 &&
	   ((fast->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK) == br_sha256_ID,
	   "its class says SHA-256, 32 bytes");
}

static void test_out_keeps_context(const br_hash_class *fast)
{
	br_hash_compat_context c;
	uint8_t first[32], second[32], want1[32], want2[32];

	fill(2);
	fast->init(&c.vtable);
	fast->update(&c.vtable, data, 100);
	fast->out(&c.vtable, first);
	fast->update(&c.vtable, data + 100, 50);
	fast->out(&c.vtable, second);
	digest(&br_sha256_vtable, 100, 0, want1);
	digest(&br_sha256_vtable, 150, 0, want2);
	ok(!memcmp(first, want1, 32) && !memcmp(second, want2, 32),
	   "out() leaves the context as it was: the hash goes on (a transcript's use)");
}

static void test_state(const br_hash_class *fast)
{
	br_hash_compat_context b, f, g;
	uint8_t bst[32], fst[32], want[32], got[32];
	uint64_t bn, fn;

	fill(3);
	br_sha256_vtable.init(&b.vtable);
	fast->init(&f.vtable);
	br_sha256_vtable.update(&b.vtable, data, 128);
	fast->update(&f.vtable, data, 128);
	bn = br_sha256_vtable.state(&b.vtable, bst);
	fn = fast->state(&f.vtable, fst);
	ok(bn == 128 && fn == 128 && !memcmp(bst, fst, 32),
	   "after two blocks: the same chaining state and count as BearSSL's");
	br_sha256_vtable.update(&b.vtable, data + 128, 10);
	fast->update(&f.vtable, data + 128, 10);
	ok(fast->state(&f.vtable, fst) == 138 && br_sha256_vtable.state(&b.vtable, bst) == 138,
	   "a partial block counts in the bytes hashed");
	/* BearSSL's state, set in ours, carries on to BearSSL's digest. */
	fast->init(&g.vtable);
	fast->set_state(&g.vtable, bst, 128);
	fast->update(&g.vtable, data + 128, 200);
	fast->out(&g.vtable, got);
	digest(&br_sha256_vtable, 328, 0, want);
	ok(!memcmp(got, want, 32), "a state set at a block boundary goes on to the right digest");
}

static void test_hmac(const br_hash_class *fast)
{
	static const size_t key_lens[] = { 0, 1, 32, 63, 64, 65, 200 };
	int bad = 0;

	fill(4);
	for (size_t k = 0; k < sizeof(key_lens) / sizeof(key_lens[0]); k++)
		for (size_t len = 0; len < 200; len += 13) {
			br_hmac_key_context kb, kf;
			br_hmac_context hb, hf;
			uint8_t want[32], got[32];

			br_hmac_key_init(&kb, &br_sha256_vtable, data + 500, key_lens[k]);
			br_hmac_key_init(&kf, fast, data + 500, key_lens[k]);
			br_hmac_init(&hb, &kb, 0);
			br_hmac_init(&hf, &kf, 0);
			br_hmac_update(&hb, data, len);
			br_hmac_update(&hf, data, len);
			br_hmac_out(&hb, want);
			br_hmac_out(&hf, got);
			bad += memcmp(want, got, 32) != 0;
		}
	ok(!bad, "HMAC with keys of 0 to 200 bytes over 0 to 195 bytes equals BearSSL's (%d differ)", bad);
}

static void test_prf(void)
{
	static const uint16_t suites[] = { KTLSD_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256,
					   KTLSD_SUITE_ECDHE_RSA_AES256_GCM_SHA384 };
	int bad = 0, one_seed_bad = 0;

	fill(5);
	for (size_t s = 0; s < 2; s++)
		for (size_t len = 1; len <= 160; len += 7) {
			br_tls_prf_seed_chunk seeds[2] = { { data + 100, 32 }, { data + 200, 32 } };
			uint8_t want[160], got[160];

			if (suites[s] == KTLSD_SUITE_ECDHE_RSA_AES256_GCM_SHA384)
				br_tls12_sha384_prf(want, len, data, 48, "key expansion", 2, seeds);
			else
				br_tls12_sha256_prf(want, len, data, 48, "key expansion", 2, seeds);
			t12_prf(suites[s], got, len, data, 48, "key expansion", data + 100, 32, data + 200, 32);
			bad += memcmp(want, got, len) != 0;
			if (suites[s] == KTLSD_SUITE_ECDHE_RSA_AES256_GCM_SHA384)
				br_tls12_sha384_prf(want, len, data, 48, "master secret", 1, seeds);
			else
				br_tls12_sha256_prf(want, len, data, 48, "master secret", 1, seeds);
			t12_prf(suites[s], got, len, data, 48, "master secret", data + 100, 32, NULL, 0);
			one_seed_bad += memcmp(want, got, len) != 0;
		}
	ok(!bad && !one_seed_bad,
	   "TLS 1.2's PRF (SHA-256 and SHA-384 suites, 1 to 155 bytes, one seed or two) equals BearSSL's");
}

int main(void)
{
	const br_hash_class *fast = hash_fast(&br_sha256_vtable);

	ok(hash_fast(&br_sha384_vtable) == &br_sha384_vtable &&
	   (!strcmp(hash_sha256_impl_name(), "BearSSL")) == (fast == &br_sha256_vtable),
	   "SHA-256 computed by %s; other hashes by BearSSL's own", hash_sha256_impl_name());
	test_digests(fast);
	test_out_keeps_context(fast);
	test_state(fast);
	test_hmac(fast);
	test_prf();
	return done();
}
