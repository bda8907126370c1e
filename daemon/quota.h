/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-uid accounting of the daemon's connections, so that one local user
 * cannot take every slot: how many of a uid's connections wait for their
 * request, and how many run a handshake. Few uids are ever live at once: a
 * small array searched in order.
 */
#ifndef KTLSD_QUOTA_H
#define KTLSD_QUOTA_H

#include <stddef.h>
#include <sys/types.h>

struct quota_entry {
	uid_t uid;
	unsigned pending;	/* connected, request not read yet */
	unsigned idle;		/* ... of which channels between requests */
	unsigned running;	/* handshake in flight */
	unsigned closing;	/* its descriptors the closer has not closed yet */
};

struct quota {
	struct quota_entry *entries;
	size_t count, capacity;
};

/* The entry of @uid, made if absent. NULL when out of memory. */
struct quota_entry *quota_get(struct quota *q, uid_t uid);

/* The entry of @uid, or NULL if it has none. */
struct quota_entry *quota_find(struct quota *q, uid_t uid);

/* Forget @uid's entry once all its counts are zero. */
void quota_tidy(struct quota *q, uid_t uid);

void quota_free(struct quota *q);

#endif
