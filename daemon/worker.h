/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the supervisor and its worker processes share (supervisor.h starts
 * them, server.h is a worker's loop).
 *
 *   - A slot in a shared mapping, made before the first fork, that only its
 *     worker writes: its counters, read by the supervisor for `ktlsctl
 *     daemon status` and kept by it when the worker ends. Each slot is
 *     whole pages (worker_slot_stride()), and a worker unmaps every slot but
 *     its own, the key process all of them. The supervisor treats what it
 *     reads there as untrusted (metrics_merge() bounds it).
 *   - A channel, one SEQPACKET socketpair per worker, on which the
 *     supervisor sends orders. Its end of the channel closing tells the
 *     worker the supervisor is gone.
 */
#ifndef KTLSD_WORKER_H
#define KTLSD_WORKER_H

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "config.h"
#include "key_client.h"
#include "metrics.h"
#include "tls13/ticket.h"

struct worker_slot {
	struct metrics metrics;
	uint64_t pending;	/* connections waiting for their request */
	uint64_t running;	/* handshakes in flight */
};

/* Room for a full set of workers and its key process, and a set still retiring after a reload. */
#define WORKER_SLOTS	(2 * (CONFIG_MAX_WORKERS + 1))

/* A slot's size in the shared mapping: struct worker_slot rounded up to whole pages. */
static inline size_t worker_slot_stride(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t p = page > 0 ? (size_t)page : 4096;

	return (sizeof(struct worker_slot) + p - 1) / p * p;
}

enum worker_order {
	/* Stop accepting; end once every connection held is answered. */
	WORKER_RETIRE = 1,
	/* The supervisor rotated the TLS 1.3 ticket keys: use these. */
	WORKER_TICKET_KEYS = 2,
	/* A new channel to the key process (it was started again), with the message. */
	WORKER_KEY_CHANNEL = 3,
};

struct worker_msg {
	uint32_t order;
	struct t13_ticket_keys keys;	/* WORKER_TICKET_KEYS */
};

/* What a worker starts from, in its own copy of the supervisor's memory. */
struct worker_start {
	const struct config *cfg;	/* the configuration it serves for its life */
	unsigned index;			/* its place among the workers, for the logs */
	int listen_fd;			/* the socket applications connect to, shared */
	int channel_fd;			/* its end of the channel */
	struct worker_slot *slot;	/* its counters, in the shared mapping */
	const struct t13_ticket_keys *tickets;	/* the supervisor's keys at the fork */
	struct key_client *keys;	/* signs for the profiles, whose keys it forgot */
	struct session_cache *cache12;	/* TLS 1.2 session IDs, shared by every worker */
	struct client_store *sessions;	/* TLS 1.3 sessions our client keeps, shared too */
	int seccomp_probe;		/* test hook: a forbidden call once filtered (sandbox.h) */
};

#endif
