// SPDX-License-Identifier: GPL-2.0-or-later
/* The supervisor's configuration, and its reload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generation.h"

static void free_generation(struct generation *gen)
{
	if (gen->cfg) {
		config_free(gen->cfg);
		free(gen->cfg);
	}
	free(gen);
}

int generations_init(struct generations *g, struct config *cfg, const char *path)
{
	memset(g, 0, sizeof(*g));
	g->current = calloc(1, sizeof(*g->current));
	if (!g->current)
		return -1;
	g->current->cfg = cfg;
	g->path = path;
	return 0;
}

void generations_disown(struct generations *g)
{
	if (g->current)
		g->current->cfg = NULL;
}

int generations_reload(struct generations *g, char *why, size_t whylen)
{
	const struct config *old = g->current->cfg;
	struct generation *gen = calloc(1, sizeof(*gen));

	if (!gen || !(gen->cfg = calloc(1, sizeof(*gen->cfg)))) {
		free(gen);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (config_load(gen->cfg, g->path) < 0) {
		snprintf(why, whylen, "%s", gen->cfg->error);
		free(gen->cfg);
		free(gen);
		return -1;
	}
	if (strcmp(gen->cfg->socket_path, old->socket_path) ||
	    strcmp(gen->cfg->control_path, old->control_path)) {
		free_generation(gen);
		snprintf(why, whylen, "socket and control_socket cannot change on reload: restart ktlsd");
		return -1;
	}
	/* Privileges were given up at start: another user needs a restart. */
	if (gen->cfg->uid != old->uid || gen->cfg->gid != old->gid) {
		free_generation(gen);
		snprintf(why, whylen, "user cannot change on reload (ktlsd runs as %s): restart ktlsd",
			 old->user);
		return -1;
	}
	free_generation(g->current);
	g->current = gen;
	return 0;
}

void generations_free(struct generations *g)
{
	if (g->current)
		free_generation(g->current);
	g->current = NULL;
}
