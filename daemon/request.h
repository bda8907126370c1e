/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests are untrusted input: one recvmsg()'s bytes and descriptors are
 * checked here before anything acts on them.
 */
#ifndef KTLSD_REQUEST_H
#define KTLSD_REQUEST_H

#include <stddef.h>

#include "wire.h"

#define REQUEST_MAX_FDS 8	/* room to see (and close) a few extra fds */

struct request_in {
	const void *data;
	size_t len;		/* bytes the message really had (MSG_TRUNC) */
	int truncated_fds;	/* MSG_CTRUNC: descriptors were dropped */
	const int *fds;
	size_t fd_count;
};

/*
 * Check @in and copy the request into @out. Returns 0, or a positive errno
 * with a message in @err:
 *   EMSGSIZE  wrong size
 *   EBADMSG   bad magic, unknown role, a string without its NUL
 *   EPROTONOSUPPORT  unknown protocol version
 *   EBADF     no descriptor, or more than one
 *   EINVAL    empty profile name
 */
int request_parse(const struct request_in *in, struct ktlsd_wire_request *out,
		  char *err, size_t errlen);

/*
 * Check that @fd is a connected TCP socket (IPv4 or IPv6) without kTLS yet.
 * Returns 0, or ENOTSOCK, EPROTONOSUPPORT, ENOTCONN or EEXIST with a message.
 */
int request_check_socket(int fd, char *err, size_t errlen);

#endif
