/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One message with one descriptor, between the supervisor and its children
 * (worker.h, keyproc.h): trusted channels, never an application's.
 */
#ifndef KTLSD_FDPASS_H
#define KTLSD_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* Send @len bytes of @msg with @fd attached on @sock, never blocking. 0, or -1 with errno. */
int fdpass_send(int sock, const void *msg, size_t len, int fd);

/*
 * Receive one message into @msg (at most @len bytes), never blocking, and
 * the one descriptor it may carry into *@fd (close-on-exec; -1 if none).
 * Returns the message's length, 0 when the other end is gone, or -1 with errno.
 */
ssize_t fdpass_recv(int sock, void *msg, size_t len, int *fd);

#endif
