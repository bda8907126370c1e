/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Listening unix sockets for the daemon: the hand-off socket and the control socket. */
#ifndef KTLSD_UNIXSOCK_H
#define KTLSD_UNIXSOCK_H

#include <stddef.h>
#include <sys/types.h>

/*
 * A non-blocking SOCK_SEQPACKET socket listening at @path.
 *
 * Started by systemd with sockets (LISTEN_FDS, socket activation): the one
 * of them listening at @path, whatever its position; none is an error. Its
 * mode and owner are the socket unit's (@mode is not applied).
 *
 * Otherwise bound here with file mode @mode: its folder made if missing, a
 * stale socket file replaced, a live one (another ktlsd) refused.
 *
 * The fd, or -1 with a message in @err.
 */
int unix_listen(const char *path, mode_t mode, char *err, size_t errlen);

/*
 * After every unix_listen(): 0 if systemd passed no socket that went
 * unclaimed, else -1 with the stray one named in @err.
 */
int unix_check_inherited(char *err, size_t errlen);

/* 1 if the socket at @path came from systemd rather than from our own bind(). */
int unix_is_inherited(const char *path);

/* Close a listening socket; remove its file if we made it. */
void unix_close(int fd, const char *path);

#endif
