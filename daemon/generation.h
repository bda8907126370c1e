/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configurations over time, in the supervisor: a reload reads the file
 * again and installs the new configuration only if it is good and changes
 * nothing that needs a restart. Handshakes in flight keep the profiles they
 * started with because they run in workers forked with the old one
 * (supervisor.h).
 */
#ifndef KTLSD_GENERATION_H
#define KTLSD_GENERATION_H

#include <stddef.h>

#include "config.h"

struct generation {
	struct config *cfg;
};

struct generations {
	struct generation *current;
	const char *path;		/* read again on reload */
};

/* Start with @cfg (malloc'd; owned from now on) read from @path. 0 or -1. */
int generations_init(struct generations *g, struct config *cfg, const char *path);

/* Give @cfg back (after a failed start): the caller frees it. */
void generations_disown(struct generations *g);

/*
 * Read the file again. 0 with the new configuration current; -1 with the
 * reason in @why (FILE:LINE for a broken file; the sockets and the user
 * cannot change),
 * the running configuration unchanged.
 */
int generations_reload(struct generations *g, char *why, size_t whylen);

/* Free the configuration. */
void generations_free(struct generations *g);

#endif
