/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes from the kernel's generator (getrandom(2)), for keys and seeds. */
#ifndef KTLSD_ENTROPY_H
#define KTLSD_ENTROPY_H

#include <stddef.h>

#include <bearssl.h>

/*
 * Fill @buf (@len bytes) from getrandom(2), blocking until the kernel's
 * generator is seeded; a signal only delays it. Returns 0, or -1 with
 * errno set by getrandom() (@buf then partly filled: use none of it).
 */
int entropy_fill(void *buf, size_t len);

/* Draws from a pool between two seeds from the kernel: a handshake draws one. */
#define ENTROPY_POOL_RESEED	64

/*
 * A worker's generator for its handshakes' seeds: HMAC_DRBG (SHA-256, NIST
 * SP 800-90A) seeded from getrandom(2), and reseeded from it every
 * ENTROPY_POOL_RESEED draws, so that a handshake's seed costs no system
 * call. The price: whoever reads a worker's memory can tell the seeds of its
 * next handshakes until the next reseed (at most ENTROPY_POOL_RESEED of
 * them), as reading it would give away the handshakes in flight anyway;
 * never earlier ones (HMAC_DRBG moves its state on after every draw). One
 * per process, used by one thread; made in the process that uses it, never
 * inherited across fork(): a child's copy would repeat its parent's output.
 */
struct entropy_pool {
	br_hmac_drbg_context drbg;
	unsigned draws;			/* since the last seed */
	int seeded;			/* 0 (as zeroed): seeded at the first draw */
};

/* Seed @pool (else its first draw does). Returns 0, or -1 with errno (getrandom). */
int entropy_pool_init(struct entropy_pool *pool);

/*
 * @len bytes from @pool into @buf, seeding it first when due.
 * Returns 0, or -1 with errno when the reseed failed (nothing drawn).
 */
int entropy_pool_draw(struct entropy_pool *pool, void *buf, size_t len);

/* Wipe @pool's state. */
void entropy_pool_wipe(struct entropy_pool *pool);

#endif
