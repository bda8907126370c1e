/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS 1.3 sessions our client keeps (tls13/sessions.h), shared by every
 * worker: a connection to a server resumes the session another worker's
 * connection got. The store lives in memory the supervisor maps before it
 * forks, behind a process-shared, robust mutex: a worker that dies holding
 * it costs the kept sessions (they are wiped), never a deadlock.
 */
#ifndef KTLSD_CLIENT_STORE_H
#define KTLSD_CLIENT_STORE_H

#include <pthread.h>
#include <stdint.h>

#include "tls13/sessions.h"

struct client_store {
	pthread_mutex_t lock;
	struct t13_sessions sessions;
};

/* Map a new, empty store, shared with the processes forked from now on. NULL with errno. */
struct client_store *client_store_create(uint64_t max_ms);

/* Wipe and unmap it (in this process). */
void client_store_destroy(struct client_store *cs);

/* The sessions, locked; NULL if the lock is lost for good. client_store_unlock() after. */
struct t13_sessions *client_store_lock(struct client_store *cs);
void client_store_unlock(struct client_store *cs);

/* On reload: every session dropped (t13_sessions_clear()), and a new cap on their life. */
void client_store_clear(struct client_store *cs, uint64_t max_ms);

#endif
