// SPDX-License-Identifier: GPL-2.0-or-later
/* TLS 1.2's PRF, master secret and Finished (prf12.h). */
#define _GNU_SOURCE
#include <string.h>

#include "prf12.h"
#include "ktlsd_ktls.h"

const br_hash_class *t12_prf_hash(uint16_t suite12)
{
	const struct ktlsd_suite_info *info = ktlsd_suite_by_id(suite12);

	return info && info->prf_sha384 ? &br_sha384_vtable : &br_sha256_vtable;
}

void t12_prf(uint16_t suite12, uint8_t *out, size_t len, const uint8_t *secret, size_t secret_len,
	     const char *label, const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2,
	     size_t seed2_len)
{
	br_tls_prf_seed_chunk seeds[2] = { { seed1, seed1_len }, { seed2, seed2_len } };

	if (t12_prf_hash(suite12) == &br_sha384_vtable)
		br_tls12_sha384_prf(out, len, secret, secret_len, label, seed2 ? 2 : 1, seeds);
	else
		br_tls12_sha256_prf(out, len, secret, secret_len, label, seed2 ? 2 : 1, seeds);
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
