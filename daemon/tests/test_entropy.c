// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The workers' generator (entropy.h): seeded from the kernel, at its first
 * draw if not before; every draw different; a new seed from the kernel
 * mixed in after every ENTROPY_POOL_RESEED draws.
 */
#define _GNU_SOURCE
#include <string.h>

#include "entropy.h"
#include "tap.h"

static int all_zero(const uint8_t *p, size_t len)
{
	while (len--)
		if (*p++)
			return 0;
	return 1;
}

static void test_seeding(void)
{
	struct entropy_pool a, b;
	uint8_t x[32], y[32];

	memset(&a, 0, sizeof(a));
	ok(entropy_pool_draw(&a, x, sizeof(x)) == 0 && a.seeded && a.draws == 1 &&
	   !all_zero(x, sizeof(x)), "a zeroed pool seeds itself at its first draw");
	memset(&b, 0, sizeof(b));
	ok(entropy_pool_draw(&b, y, sizeof(y)) == 0 && memcmp(x, y, sizeof(x)),
	   "two zeroed pools give different bytes (each seeded from the kernel)");
	ok(entropy_pool_init(&a) == 0 && a.seeded && a.draws == 0, "entropy_pool_init() seeds");
	ok(entropy_pool_draw(&a, x, sizeof(x)) == 0 && entropy_pool_draw(&a, y, sizeof(y)) == 0 &&
	   memcmp(x, y, sizeof(x)), "two draws differ");
	entropy_pool_wipe(&a);
	ok(all_zero((const uint8_t *)&a, sizeof(a)), "entropy_pool_wipe() leaves nothing");
	entropy_pool_wipe(&b);
}

/* Draw @n times from @pool into @out (the last draw). */
static int draw_n(struct entropy_pool *pool, unsigned n, uint8_t out[32])
{
	for (unsigned i = 0; i < n; i++)
		if (entropy_pool_draw(pool, out, 32) < 0)
			return -1;
	return 0;
}

static void test_reseed(void)
{
	struct entropy_pool pool, twin;
	uint8_t x[32], y[32];

	ok(entropy_pool_init(&pool) == 0 && draw_n(&pool, ENTROPY_POOL_RESEED - 1, x) == 0 &&
	   pool.draws == ENTROPY_POOL_RESEED - 1, "%d draws on one seed", ENTROPY_POOL_RESEED - 1);
	ok(draw_n(&pool, 1, x) == 0 && pool.draws == ENTROPY_POOL_RESEED, "and one more");
	/* Two copies of the state, both due: each reseed brings bytes of its own from the kernel. */
	twin = pool;
	ok(draw_n(&pool, 1, x) == 0 && pool.draws == 1, "the next draw reseeds first");
	ok(draw_n(&twin, 1, y) == 0 && twin.draws == 1 && memcmp(x, y, sizeof(x)),
	   "with the kernel's bytes: two copies of one state part ways at their reseeds");
	entropy_pool_wipe(&pool);
	entropy_pool_wipe(&twin);
}

int main(void)
{
	test_seeding();
	test_reseed();
	return done();
}
