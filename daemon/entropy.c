// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include "entropy.h"
#include "hash.h"

int entropy_fill(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#define ENTROPY_SEED_BYTES	32

static int reseed(struct entropy_pool *pool, int first)
{
	uint8_t seed[ENTROPY_SEED_BYTES];

	if (entropy_fill(seed, sizeof(seed)) < 0) {
		explicit_bzero(seed, sizeof(seed));
		return -1;
	}
	if (first)
		br_hmac_drbg_init(&pool->drbg, hash_fast(&br_sha256_vtable), seed, sizeof(seed));
	else
		br_hmac_drbg_update(&pool->drbg, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	pool->draws = 0;
	pool->seeded = 1;
	return 0;
}

int entropy_pool_init(struct entropy_pool *pool)
{
	return reseed(pool, 1);
}

int entropy_pool_draw(struct entropy_pool *pool, void *buf, size_t len)
{
	/* A pool never seeded (all zeroes) is seeded now: it never draws from a fixed state. */
	if ((!pool->seeded || pool->draws >= ENTROPY_POOL_RESEED) && reseed(pool, !pool->seeded) < 0)
		return -1;
	br_hmac_drbg_generate(&pool->drbg, buf, len);
	pool->draws++;
	return 0;
}

void entropy_pool_wipe(struct entropy_pool *pool)
{
	explicit_bzero(pool, sizeof(*pool));
}
