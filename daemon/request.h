/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests are untrusted input: one recvmsg()'s bytes and descriptors are
 * checked here before anything acts on them.
 */
#ifndef KTLSD_REQUEST_H
#define KTLSD_REQUEST_H

#include <stddef.h>

#include "wire.h"

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
 *   EPROTONOSUPPORT  unknown protocol version (KTLSD_WIRE_VERSION and
 *             KTLSD_WIRE_VERSION_CHANNEL are known)
 *   EBADF     no descriptor, or more than one
 *   EMFILE    descriptors were cut off (MSG_CTRUNC): ktlsd ran out of them
 *   EINVAL    empty profile name, or a string with characters outside its
 *             charset (profile: letters, digits, -_. ; server name: the
 *             same and ':' ; ALPN: printable ASCII)
 */
int request_parse(const struct request_in *in, struct ktlsd_wire_request *out,
		  char *err, size_t errlen);

/* 1 if @name holds only letters, digits, '-', '_', '.' or ':'. */
int request_server_name_valid(const char *name);

/* 1 if @list holds only printable ASCII (space and comma separate items). */
int request_alpn_valid(const char *list);

/*
 * Check that @fd is a connected TCP socket (IPv4 or IPv6) without kTLS yet.
 * A non-socket is ENOTSOCK before any call that could reach its filesystem
 * (a FUSE file's could block): getsockopt() first, then fstat().
 * Returns 0, or ENOTSOCK, EPROTONOSUPPORT, ENOTCONN or EEXIST with a message.
 */
int request_check_socket(int fd, char *err, size_t errlen);

#endif
