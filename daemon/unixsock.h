/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Listening unix sockets for the daemon: the hand-off socket and the control socket. */
#ifndef KTLSD_UNIXSOCK_H
#define KTLSD_UNIXSOCK_H

#include <stddef.h>
#include <sys/types.h>

/*
 * A non-blocking SOCK_SEQPACKET socket listening at @path with file mode
 * @mode: its folder made if missing, a stale socket file replaced, a live
 * one (another ktlsd) refused. The fd, or -1 with a message in @err.
 */
int unix_listen(const char *path, mode_t mode, char *err, size_t errlen);

#endif
