// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config.h"
#include "request.h"

static int say(char *err, size_t errlen, int code, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	return code;
}

int request_parse(const struct request_in *in, struct ktlsd_wire_request *out,
		  char *err, size_t errlen)
{
	const struct ktlsd_wire_request *w = in->data;

	/*
	 * The control buffer has room for every descriptor one message can
	 * carry, so a cut means the kernel could not install one here.
	 */
	if (in->truncated_fds)
		return say(err, errlen, EMFILE,
			   "ktlsd is out of descriptors and could not take the socket; try again");
	if (in->fd_count != 1)
		return say(err, errlen, EBADF, in->fd_count == 0 ?
			   "request carries no socket" : "request carries more than one descriptor");
	if (in->len < sizeof(w->magic) + sizeof(w->version))
		return say(err, errlen, EMSGSIZE, "request too short");
	if (w->magic != KTLSD_WIRE_MAGIC)
		return say(err, errlen, EBADMSG, "not a ktlsd request (bad magic)");
	if (w->version != KTLSD_WIRE_VERSION && w->version != KTLSD_WIRE_VERSION_CHANNEL)
		return say(err, errlen, EPROTONOSUPPORT, "unsupported request version");
	if (in->len != sizeof(*w))
		return say(err, errlen, EMSGSIZE, "request has the wrong size");
	if (w->role != KTLSD_ROLE_CLIENT && w->role != KTLSD_ROLE_SERVER)
		return say(err, errlen, EBADMSG, "unknown role");
	if (!ktlsd_wire_bounded(w->profile, sizeof(w->profile)) ||
	    !ktlsd_wire_bounded(w->server_name, sizeof(w->server_name)) ||
	    !ktlsd_wire_bounded(w->alpn, sizeof(w->alpn)))
		return say(err, errlen, EBADMSG, "a name in the request is too long (no NUL)");
	if (!w->profile[0])
		return say(err, errlen, EINVAL, "request names no profile");
	/* Checked before anything logs them: no control bytes reach the log. */
	if (!profile_name_valid(w->profile))
		return say(err, errlen, EINVAL, "profile name: letters, digits, '-', '_' or '.' only");
	if (!request_server_name_valid(w->server_name))
		return say(err, errlen, EINVAL,
			   "server name: letters, digits, '-', '_', '.' or ':' only");
	if (!request_alpn_valid(w->alpn))
		return say(err, errlen, EINVAL, "ALPN list: printable ASCII only");
	memcpy(out, w, sizeof(*out));
	return 0;
}

int request_server_name_valid(const char *name)
{
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("-_.:", *name))
			return 0;
	return 1;
}

int request_alpn_valid(const char *list)
{
	for (; *list; list++)
		if (*list < 0x20 || *list > 0x7e)
			return 0;
	return 1;
}

int request_check_socket(int fd, char *err, size_t errlen)
{
	int protocol = 0;
	socklen_t len = sizeof(protocol);
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	char ulp[16] = "";
	socklen_t ulen = sizeof(ulp);

	/*
	 * Before anything else, a call that sees only the file's type: for
	 * anything but a socket getsockopt() fails (ENOTSOCK) in the kernel
	 * without asking its filesystem (fstat() on a FUSE file would wait for
	 * the FUSE server). No fstat() at all: the workers' seccomp filter has
	 * no room for it (sandbox.c).
	 */
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) < 0)
		return say(err, errlen, ENOTSOCK, "the descriptor is not a socket");
	/*
	 * TCP's own TCP_ULP answers only on a TCP socket of IPv4 or IPv6 (a
	 * raw socket of protocol 6 refuses the level; MPTCP has a protocol
	 * number of its own): with the protocol, one call for what the domain,
	 * type and protocol would say.
	 */
	if (protocol != IPPROTO_TCP || getsockopt(fd, IPPROTO_TCP, TCP_ULP, ulp, &ulen) < 0)
		return say(err, errlen, EPROTONOSUPPORT, "the socket is not TCP over IPv4 or IPv6");
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) < 0)
		return say(err, errlen, ENOTCONN, "the TCP socket is not connected");
	if (ulp[0])
		return say(err, errlen, EEXIST, "the socket already has an upper layer protocol (kTLS?)");
	return 0;
}
