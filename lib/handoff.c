// SPDX-License-Identifier: LGPL-2.1-or-later
/* The hand-off: a TCP fd and a request to ktlsd, the result back. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <pwd.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "alert.h"
#include "ktlsd.h"
#include "reply.h"
#include "wire.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

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
	/*
	 * Non-blocking: a daemon that is not accepting (its backlog full)
	 * must not hang the caller whatever its timeout: that is EBUSY.
	 */
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (sock < 0)
		return -1;
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno == EAGAIN ? EBUSY : errno;

		close(sock);
		errno = err;
		return -1;
	}
	return sock;
}

/*
 * Whoever listens at the path must be ktlsd: root, the ktlsd user, or our
 * own uid (a daemon we run ourselves can give us nothing we could not take).
 * Anyone else is refused before our socket leaves this process.
 */
static int daemon_trusted(int sock)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct passwd pw, *found = NULL;
	char buf[1024];

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	if (cred.uid == 0 || cred.uid == geteuid())
		return 1;
	return getpwnam_r(KTLSD_USER, &pw, buf, sizeof(buf), &found) == 0 && found &&
	       found->pw_uid == cred.uid;
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
	if (n < 0 && errno == EAGAIN)
		errno = EBUSY;
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

	h->sock = h->fd = -1;
	if (build_request(&w, req) < 0)
		return -1;
	h->sock = connect_daemon(socket_path ? socket_path : KTLSD_SOCKET_PATH);
	if (h->sock < 0)
		return -1;
	if (!daemon_trusted(h->sock)) {
		ktlsd_handoff_cancel(h);
		errno = EPERM;
		return -1;
	}
	/* Our own reference, to check the result on even if the caller closes its fd. */
	h->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (h->fd < 0 || send_request(h->sock, fd, &w) < 0) {
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
	if (h->fd >= 0)
		close(h->fd);
	h->sock = h->fd = -1;
}

/*
 * A success is believed only if the socket shows it: the "tls" ULP with keys
 * in both directions, of the version the answer names. Only the header of
 * the kernel's crypto_info is asked for, never the keys.
 */
static int ktls_confirmed(int fd, uint16_t version)
{
	struct tls_crypto_info info;
	socklen_t len;

	for (int dir = TLS_TX; dir <= TLS_RX; dir++) {
		len = sizeof(info);
		if (getsockopt(fd, SOL_TLS, dir, &info, &len) < 0 || len != sizeof(info) ||
		    !info.cipher_type || info.version != version)
			return 0;
	}
	return 1;
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

int ktlsd_reply_decode(const struct ktlsd_wire_reply *w, struct ktlsd_result *res)
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
	res->group = w->group;
	res->signature_scheme = w->sig_scheme;
	res->resumed = w->resumed != 0;
	return 0;
}

/*
 * The daemon's process ended while it held the hand-off (a worker that
 * crashed or was killed): how far the handshake got is unknown. The
 * connection ends as after any failed handshake: a fatal internal_error
 * alert, under kTLS if the keys were installed (the kernel's record layer
 * then knows the sequence), in the clear if not; then it is shut down.
 * Never blocks: the alert is dropped if the socket has no room.
 */
static void abandon_peer(int fd)
{
	static const uint8_t plain_alert[] = { 21, 3, 3, 0, 2, KTLSD_ALERT_FATAL, 80 };
	struct tls_crypto_info info;
	socklen_t len = sizeof(info);

	if (getsockopt(fd, SOL_TLS, TLS_TX, &info, &len) == 0 && info.cipher_type)
		ktlsd_send_alert_flags(fd, KTLSD_ALERT_FATAL, 80, MSG_DONTWAIT);
	else
		send(fd, plain_alert, sizeof(plain_alert), MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_RDWR);
}

/* Fill @res from the daemon's answer of @n bytes; 0 or an errno. */
static int read_answer(const struct ktlsd_wire_reply *w, ssize_t n, int fd,
		       struct ktlsd_result *res)
{
	/* ECONNRESET: it ended with our request unread; @fd never reached it. */
	if (n < 0 && errno == ECONNRESET) {
		fail_result(res, ECONNRESET, "ktlsd's process ended before it read the request");
		return ECONNRESET;
	}
	/* EOF: it had read the request, and may have begun the handshake. */
	if (n == 0) {
		abandon_peer(fd);
		fail_result(res, EIO, "ktlsd's process ended without answering (crashed or killed)");
		return EIO;
	}
	if (n < 0) {
		fail_result(res, errno, "ktlsd");
		return res->status;
	}
	if ((size_t)n != sizeof(*w) || ktlsd_reply_decode(w, res) < 0) {
		fail_result(res, EBADMSG, "ktlsd's answer");
		return EBADMSG;
	}
	if (res->status)
		return res->status;
	if (!ktls_confirmed(fd, res->version)) {
		fail_result(res, EBADMSG, "ktlsd reported success, but the socket carries no kTLS");
		return EBADMSG;
	}
	return 0;
}

int ktlsd_handoff_finish(struct ktlsd_handoff *h, struct ktlsd_result *res)
{
	struct ktlsd_wire_reply w;
	ssize_t n;
	int err;

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
	err = read_answer(&w, n, h->fd, res);
	ktlsd_handoff_cancel(h);
	if (err) {
		errno = err;
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
