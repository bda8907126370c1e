/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's event loop: the unix socket applications connect to, and
 * every handshake in flight, on one epoll. One slow or hostile peer only
 * ever costs its own deadline.
 */
#ifndef KTLSD_SERVER_H
#define KTLSD_SERVER_H

#include "config.h"

struct server;

/*
 * Create the listening socket at cfg->socket_path (its folder made if
 * missing; a stale socket replaced; a live one refused) and the control
 * socket. The server owns @cfg (allocated with malloc) from then on, and
 * reads @config_path again on reload. Returns a server, or NULL with a
 * message in @err (@cfg is then still the caller's). No thread is started
 * yet: the caller may still fork (daemon()) and give up privileges.
 */
struct server *server_open(struct config *cfg, const char *config_path, char *err,
			   size_t errlen);

/*
 * Start the closer threads, then serve until SIGINT or SIGTERM; SIGHUP, or
 * `reload` on the control socket, reads the configuration again. Returns 0,
 * or 1 on a fatal error.
 */
int server_run(struct server *srv);

/* Answer the handshakes still in flight (ESHUTDOWN), close, unlink what we bound. */
void server_close(struct server *srv);

#endif
