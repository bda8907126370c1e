// SPDX-License-Identifier: GPL-2.0-or-later
/* TLS 1.2's PRF, master secret and Finished (prf12.h). */
#define _GNU_SOURCE
#include <string.h>

#include "prf12.h"
#include "ktlsd_ktls.h"
#include "../hash.h"

const br_hash_class *t12_prf_hash(uint16_t suite12)
{
	const struct ktlsd_suite_info *info = ktlsd_suite_by_id(suite12);

	return info && info->prf_sha384 ? &br_sha384_vtable : &br_sha256_vtable;
}

/* HMAC(@kc's key, @a || label || @seeds) into @out. */
static void hmac_seeded(const br_hmac_key_context *kc, const uint8_t *a, size_t a_len,
			const char *label, const br_tls_prf_seed_chunk *seeds, size_t n, uint8_t *out)
{
	br_hmac_context hc;

	br_hmac_init(&hc, kc, 0);
	br_hmac_update(&hc, a, a_len);
	if (label)
		br_hmac_update(&hc, label, strlen(label));
	for (size_t i = 0; i < n; i++)
		br_hmac_update(&hc, seeds[i].data, seeds[i].len);
	br_hmac_out(&hc, out);
	explicit_bzero(&hc, sizeof(hc));
}

/*
 * P_hash (RFC 5246 §5) on @h, with the seed label || @seeds: A(1) =
 * HMAC(secret, seed), then HMAC(secret, A(i) || seed) until @len bytes,
 * A(i+1) = HMAC(secret, A(i)). BearSSL's own (br_tls12_sha256_prf) is
 * bound to its SHA-256 code; this one takes hash_fast()'s.
 */
static void p_hash(const br_hash_class *h, uint8_t *out, size_t len, const uint8_t *secret,
		   size_t secret_len, const char *label, const br_tls_prf_seed_chunk *seeds, size_t n)
{
	uint8_t a[T13_MAX_DIGEST], block[T13_MAX_DIGEST];
	size_t hlen = t13_hash_len(h), done, k;
	br_hmac_key_context kc;

	br_hmac_key_init(&kc, hash_fast(h), secret, secret_len);
	hmac_seeded(&kc, NULL, 0, label, seeds, n, a);
	for (done = 0; done < len; done += k) {
		hmac_seeded(&kc, a, hlen, label, seeds, n, block);
		k = len - done < hlen ? len - done : hlen;
		memcpy(out + done, block, k);
		if (done + k < len)
			hmac_seeded(&kc, a, hlen, NULL, NULL, 0, a);
	}
	explicit_bzero(a, sizeof(a));
	explicit_bzero(block, sizeof(block));
	explicit_bzero(&kc, sizeof(kc));
}

void t12_prf(uint16_t suite12, uint8_t *out, size_t len, const uint8_t *secret, size_t secret_len,
	     const char *label, const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2,
	     size_t seed2_len)
{
	br_tls_prf_seed_chunk seeds[2] = { { seed1, seed1_len }, { seed2, seed2_len } };

	p_hash(t12_prf_hash(suite12), out, len, secret, secret_len, label, seeds, seed2 ? 2 : 1);
}

void t12_master_secret(uint16_t suite12, int extended, const struct t13_transcript *t,
		       const uint8_t *premaster, size_t premaster_len,
		       const uint8_t client_random[32], const uint8_t server_random[32],
		       uint8_t master[T12_MASTER_LEN])
{
	uint8_t hash[T13_MAX_HASH];
	size_t n;

	if (extended) {
		n = t13_transcript_hash_as(t, t12_prf_hash(suite12), hash);
		t12_prf(suite12, master, T12_MASTER_LEN, premaster, premaster_len,
			"extended master secret", hash, n, NULL, 0);
		explicit_bzero(hash, sizeof(hash));
	} else {
		t12_prf(suite12, master, T12_MASTER_LEN, premaster, premaster_len, "master secret",
			client_random, 32, server_random, 32);
	}
}

void t12_finished_data(uint16_t suite12, const struct t13_transcript *t,
		       const uint8_t master[T12_MASTER_LEN], int client,
		       uint8_t out[T12_FINISHED_LEN])
{
	uint8_t hash[T13_MAX_HASH];
	size_t n = t13_transcript_hash_as(t, t12_prf_hash(suite12), hash);

	t12_prf(suite12, out, T12_FINISHED_LEN, master, T12_MASTER_LEN,
		client ? "client finished" : "server finished", hash, n, NULL, 0);
	explicit_bzero(hash, sizeof(hash));
}
