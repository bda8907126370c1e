/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The supervisor: the process that binds the sockets, reads the
 * configuration and answers the control socket, and runs the handshakes in
 * `workers` worker processes (worker.h, server.h), all accepting on the one
 * listening socket.
 *
 *   - A worker that dies (a crash, kill -9) takes only its own connections:
 *     the kernel closes them, and libktlsd reports EIO to their
 *     applications. It is started again at once; if it keeps dying (within
 *     10 s of its start), after a pause doubling from 100 ms to 30 s. The log
 *     names the signal.
 *   - A reload (SIGHUP, `ktlsctl daemon reload`) reads the file here; a bad
 *     file is refused and nothing changes. Otherwise new workers start on
 *     the new configuration and the old ones retire: they accept nothing
 *     more and end once each connection they hold is answered.
 *   - TLS 1.3 ticket keys are made and rotated here and sent to every
 *     worker, so a ticket one worker issued resumes on any other.
 *   - `ktlsctl daemon status` adds up every worker's counters (and those of
 *     the workers that ended) and lists the workers.
 */
#ifndef KTLSD_SUPERVISOR_H
#define KTLSD_SUPERVISOR_H

#include <stddef.h>

#include "config.h"

struct supervisor;

/*
 * Create the listening socket at cfg->socket_path (its folder made if
 * missing; a stale socket replaced; a live one refused), or take it from
 * systemd, and the control socket. The supervisor owns @cfg (allocated with
 * malloc) from then on, and reads @config_path again on reload. Returns a
 * supervisor, or NULL with a message in @err (@cfg is then still the
 * caller's). No thread or process is started yet: the caller may still
 * fork (daemon()) and give up privileges.
 */
struct supervisor *supervisor_open(struct config *cfg, const char *config_path, char *err,
				   size_t errlen);

/*
 * Start the workers and serve until SIGINT or SIGTERM, which stops the
 * workers (each answers what it holds with ESHUTDOWN). Returns 0, or 1 on a
 * fatal error.
 */
int supervisor_run(struct supervisor *sup);

/* Stop any worker left, close, unlink what we bound. */
void supervisor_close(struct supervisor *sup);

#endif
