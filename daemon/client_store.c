// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "client_store.h"
#include "shm.h"

struct client_store *client_store_create(uint64_t max_ms)
{
	struct client_store *cs = shm_create(sizeof(*cs));
	int rc;

	if (!cs)
		return NULL;
	t13_sessions_init(&cs->sessions, max_ms);
	rc = shm_mutex_init(&cs->lock);
	if (rc) {
		munmap(cs, sizeof(*cs));
		errno = rc;
		return NULL;
	}
	return cs;
}

void client_store_destroy(struct client_store *cs)
{
	if (!cs)
		return;
	t13_sessions_wipe(&cs->sessions);
	munmap(cs, sizeof(*cs));
}

struct t13_sessions *client_store_lock(struct client_store *cs)
{
	int rc = pthread_mutex_lock(&cs->lock);

	/* Its holder died, maybe halfway through a change: start afresh. */
	if (rc == EOWNERDEAD) {
		t13_sessions_clear(&cs->sessions);
		rc = pthread_mutex_consistent(&cs->lock);
	}
	return rc ? NULL : &cs->sessions;
}

void client_store_unlock(struct client_store *cs)
{
	pthread_mutex_unlock(&cs->lock);
}

void client_store_clear(struct client_store *cs, uint64_t max_ms)
{
	struct t13_sessions *s = client_store_lock(cs);

	if (!s)
		return;
	t13_sessions_clear(s);
	s->max_ms = max_ms;
	client_store_unlock(cs);
}
