/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configurations over time: a reload installs a new one while handshakes
 * in flight keep the profile they started with; an old configuration is
 * freed when its last handshake ends.
 */
#ifndef KTLSD_GENERATION_H
#define KTLSD_GENERATION_H

#include <stddef.h>

#include "config.h"

struct generation {
	struct config *cfg;
	unsigned users;			/* handshakes using its profiles */
	struct generation *next;	/* retired ones */
};

struct generations {
	struct generation *current, *retired;
	const char *path;		/* read again on reload */
};

/* Start with @cfg (malloc'd; owned from now on) read from @path. 0 or -1. */
int generations_init(struct generations *g, struct config *cfg, const char *path);

/* Give @cfg back (after a failed start): the caller frees it. */
void generations_disown(struct generations *g);

/* A handshake takes the current generation; release it when done. */
struct generation *generation_hold(struct generations *g);
void generation_release(struct generations *g, struct generation *gen);

/*
 * Read the file again. 0 with the new configuration current; -1 with the
 * reason in @why (FILE:LINE for a broken file; the sockets and the user
 * cannot change),
 * the running configuration unchanged.
 */
int generations_reload(struct generations *g, char *why, size_t whylen);

/* Free every generation. */
void generations_free(struct generations *g);

#endif
