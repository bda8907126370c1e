// SPDX-License-Identifier: LGPL-2.1-or-later
/* The hand-off: a TCP fd and a request to ktlsd, the result back. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ktlsd.h"
#include "wire.h"

static int copy_bounded(char *dst, size_t size, const char *src)
{
	size_t len = src ? strlen(src) : 0;

	if (len >= size)
		return -1;
	memcpy(dst, src ? src : "", len + 1);
	return 0;
}

static int build_request(struct ktlsd_wire_request *w,
			 const struct ktlsd_request *req)
{
	memset(w, 0, sizeof(*w));
	w->magic = KTLSD_WIRE_MAGIC;
	w->version = KTLSD_WIRE_VERSION;
	w->role = (uint16_t)req->role;
	if ((req->role != KTLSD_ROLE_CLIENT && req->role != KTLSD_ROLE_SERVER) ||
	    !req->profile || !req->profile[0] ||
	    copy_bounded(w->profile, sizeof(w->profile), req->profile) ||
	    copy_bounded(w->server_name, sizeof(w->server_name), req->server_name) ||
	    copy_bounded(w->alpn, sizeof(w->alpn), req->alpn)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int connect_daemon(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int sock;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(addr.sun_path, path);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -1;
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno;

		close(sock);
		errno = err;
		return -1;
	}
	return sock;
}

static int send_request(int sock, int fd, const struct ktlsd_wire_request *w)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)w, .iov_len = sizeof(*w) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != sizeof(*w)) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int ktlsd_handoff_start(struct ktlsd_handoff *h, const char *socket_path,
			int fd, const struct ktlsd_request *req)
{
	struct ktlsd_wire_request w;
	int err;

	h->sock = -1;
	if (build_request(&w, req) < 0)
		return -1;
	h->sock = connect_daemon(socket_path ? socket_path : KTLSD_SOCKET_PATH);
	if (h->sock < 0)
		return -1;
	if (send_request(h->sock, fd, &w) < 0) {
		err = errno;
		ktlsd_handoff_cancel(h);
		errno = err;
		return -1;
	}
	return 0;
}

int ktlsd_handoff_fd(const struct ktlsd_handoff *h)
{
	return h->sock;
}

void ktlsd_handoff_cancel(struct ktlsd_handoff *h)
{
	if (h->sock >= 0)
		close(h->sock);
	h->sock = -1;
}

static void fail_result(struct ktlsd_result *res, int err, const char *what)
{
	memset(res, 0, sizeof(*res));
	res->status = err;
	res->alert_sent = -1;
	res->alert_received = -1;
	snprintf(res->message, sizeof(res->message), "%s: %s", what, strerror(err));
}

#define COPY_STR(dst, src) \
	(ktlsd_wire_bounded(src, sizeof(src)) ? (snprintf(dst, sizeof(dst), "%s", src), 1) : 0)

static int decode_reply(const struct ktlsd_wire_reply *w, struct ktlsd_result *res)
{
	memset(res, 0, sizeof(*res));
	if (w->magic != KTLSD_WIRE_MAGIC || w->version != KTLSD_WIRE_VERSION ||
	    w->status < 0 || w->tx_mode > KTLSD_MODE_HW_RECORD ||
	    w->rx_mode > KTLSD_MODE_HW_RECORD ||
	    !COPY_STR(res->tls_error_name, w->tls_error_name) ||
	    !COPY_STR(res->message, w->message) ||
	    !COPY_STR(res->cipher_name, w->cipher_name) ||
	    !COPY_STR(res->alpn, w->alpn) ||
	    !COPY_STR(res->server_name, w->server_name) ||
	    !COPY_STR(res->peer_subject, w->peer_subject) ||
	    !COPY_STR(res->peer_san, w->peer_san))
		return -1;
	res->status = w->status;
	res->tls_error = w->tls_error;
	res->alert_sent = w->alert_sent;
	res->alert_received = w->alert_received;
	res->version = w->tls_version;
	res->cipher_suite = w->cipher_suite;
	res->tx_mode = (enum ktlsd_mode)w->tx_mode;
	res->rx_mode = (enum ktlsd_mode)w->rx_mode;
	res->peer_verified = w->peer_verified != 0;
	return 0;
}

int ktlsd_handoff_finish(struct ktlsd_handoff *h, struct ktlsd_result *res)
{
	struct ktlsd_wire_reply w;
	ssize_t n;

	if (h->sock < 0) {
		fail_result(res, EBADF, "no hand-off in progress");
		errno = EBADF;
		return -1;
	}
	do
		n = recv(h->sock, &w, sizeof(w), MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -1;
	ktlsd_handoff_cancel(h);
	if (n < 0) {
		int err = errno;

		fail_result(res, err, "ktlsd");
		errno = err;
		return -1;
	}
	if (n == 0) {
		fail_result(res, ECONNRESET, "ktlsd closed the connection without answering");
		errno = ECONNRESET;
		return -1;
	}
	if ((size_t)n != sizeof(w) || decode_reply(&w, res) < 0) {
		fail_result(res, EBADMSG, "ktlsd's answer");
		errno = EBADMSG;
		return -1;
	}
	if (res->status) {
		errno = res->status;
		return -1;
	}
	return 0;
}

int ktlsd_handshake(const char *socket_path, int fd,
		    const struct ktlsd_request *req, int timeout_ms,
		    struct ktlsd_result *res)
{
	struct ktlsd_handoff h;
	struct pollfd pfd;
	int n;

	if (ktlsd_handoff_start(&h, socket_path, fd, req) < 0) {
		int err = errno;

		fail_result(res, err, err == EINVAL ? "invalid request" : "cannot reach ktlsd");
		errno = err;
		return -1;
	}
	pfd.fd = ktlsd_handoff_fd(&h);
	pfd.events = POLLIN;
	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		int err = n == 0 ? ETIMEDOUT : errno;

		ktlsd_handoff_cancel(&h);
		fail_result(res, err, "waiting for ktlsd");
		errno = err;
		return -1;
	}
	return ktlsd_handoff_finish(&h, res);
}
