/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A worker's event loop: the unix socket applications connect to (shared
 * with the other workers), and every handshake this worker took on, on one
 * epoll. One slow or hostile peer only ever costs its own deadline.
 */
#ifndef KTLSD_SERVER_H
#define KTLSD_SERVER_H

#include <stddef.h>

struct server;
struct worker_start;

/*
 * A worker's loop (worker.h), in the process the supervisor forked: its
 * own epoll, signals (SIGINT, SIGTERM: stop) and closer threads, on the
 * shared listening socket. The configuration, the slot and the
 * descriptors in @ws stay the caller's; the worker closes its listening
 * socket and channel in server_close(). Returns a server, or NULL with a
 * message in @err.
 */
struct server *server_open(const struct worker_start *ws, char *err, size_t errlen);

/*
 * Start the closer threads, then serve until SIGINT or SIGTERM, until the
 * supervisor is gone, or, told to retire, until every connection held is
 * answered. Returns 0, or 1 on a fatal error.
 */
int server_run(struct server *srv);

/* The RLIMIT_NOFILE below which a worker could not take a message's descriptors safely. */
size_t server_min_nofile(void);

/* Answer the handshakes still in flight (ESHUTDOWN) and close. */
void server_close(struct server *srv);

#endif
