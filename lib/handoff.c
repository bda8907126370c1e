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

static int build_request(struct ktlsd_wire_request *w, uint16_t version,
			 const struct ktlsd_request *req)
{
	memset(w, 0, sizeof(*w));
	w->magic = KTLSD_WIRE_MAGIC;
	w->version = version;
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

/* A connection to the daemon at @path, checked to be ktlsd's; -1 with errno (EPERM: not). */
static int open_daemon(const char *path)
{
	int sock = connect_daemon(path);

	if (sock >= 0 && !daemon_trusted(sock)) {
		close(sock);
		errno = EPERM;
		return -1;
	}
	return sock;
}

/* A send found the daemon's end of the connection closed. */
static int connection_gone(int err)
{
	return err == EPIPE || err == ECONNRESET || err == ENOTCONN || err == ECONNREFUSED;
}

/*
 * Send the request; 1 if it went, or if the daemon answered it without
 * reading it: over a limit, it turns a new connection away as soon as it
 * accepts it (answer, close), and our send may come after. That answer
 * (EBUSY: @fd never reached it) waits to be read by finish. 0 with errno.
 */
static int request_sent(int sock, int fd, const struct ktlsd_wire_request *w)
{
	struct ktlsd_wire_reply answer;
	int err;

	if (send_request(sock, fd, w) == 0)
		return 1;
	err = errno;
	if (connection_gone(err) &&
	    recv(sock, &answer, sizeof(answer), MSG_PEEK | MSG_DONTWAIT) == sizeof(answer))
		return 1;
	errno = err;
	return 0;
}

int ktlsd_handoff_start(struct ktlsd_handoff *h, const char *socket_path,
			int fd, const struct ktlsd_request *req)
{
	struct ktlsd_wire_request w;
	int err;

	h->sock = h->fd = -1;
	if (build_request(&w, KTLSD_WIRE_VERSION, req) < 0)
		return -1;
	h->sock = open_daemon(socket_path ? socket_path : KTLSD_SOCKET_PATH);
	if (h->sock < 0)
		return -1;
	/* Our own reference, to check the result on even if the caller closes its fd. */
	h->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (h->fd < 0 || !request_sent(h->sock, fd, &w)) {
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

/*
 * Fill @res from the daemon's answer of @n bytes; 0 or an errno. *@answered
 * (if not NULL) tells whether the daemon answered at all (a channel stays).
 */
static int read_answer(const struct ktlsd_wire_reply *w, ssize_t n, int fd,
		       struct ktlsd_result *res, int *answered)
{
	if (answered)
		*answered = 0;
	/* ECONNRESET: it closed the connection with our request unread; @fd never reached it. */
	if (n < 0 && errno == ECONNRESET) {
		fail_result(res, ECONNRESET, "ktlsd closed the connection with the request unread "
			    "(its process ended, or a worker retired): start again");
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
	if (answered)
		*answered = 1;
	if (res->status)
		return res->status;
	if (!ktls_confirmed(fd, res->version)) {
		fail_result(res, EBADMSG, "ktlsd reported success, but the socket carries no kTLS");
		return EBADMSG;
	}
	return 0;
}

/*
 * The answer on @sock for the hand-off of @fd: as read_answer(), or -1 with
 * errno EAGAIN while there is none yet (@res untouched).
 */
static int collect_answer(int sock, int fd, struct ktlsd_result *res, int *answered)
{
	struct ktlsd_wire_reply w;
	ssize_t n;

	do
		n = recv(sock, &w, sizeof(w), MSG_DONTWAIT | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -1;
	return read_answer(&w, n, fd, res, answered);
}

static int no_handoff(struct ktlsd_result *res)
{
	fail_result(res, EBADF, "no hand-off in progress");
	errno = EBADF;
	return -1;
}

int ktlsd_handoff_finish(struct ktlsd_handoff *h, struct ktlsd_result *res)
{
	int err;

	if (h->sock < 0)
		return no_handoff(res);
	err = collect_answer(h->sock, h->fd, res, NULL);
	if (err < 0)
		return -1;
	ktlsd_handoff_cancel(h);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Wait up to @timeout_ms for @sock to be readable: 0, or an errno (ETIMEDOUT). */
static int wait_answer(int sock, int timeout_ms)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : n == 0 ? ETIMEDOUT : errno;
}

int ktlsd_handshake(const char *socket_path, int fd,
		    const struct ktlsd_request *req, int timeout_ms,
		    struct ktlsd_result *res)
{
	struct ktlsd_handoff h;
	int err;

	if (ktlsd_handoff_start(&h, socket_path, fd, req) < 0) {
		err = errno;
		fail_result(res, err, err == EINVAL ? "invalid request" : "cannot reach ktlsd");
		errno = err;
		return -1;
	}
	err = wait_answer(ktlsd_handoff_fd(&h), timeout_ms);
	if (err) {
		ktlsd_handoff_cancel(&h);
		fail_result(res, err, "waiting for ktlsd");
		errno = err;
		return -1;
	}
	return ktlsd_handoff_finish(&h, res);
}

int ktlsd_channel_init(struct ktlsd_channel *ch, const char *socket_path)
{
	const char *path = socket_path ? socket_path : KTLSD_SOCKET_PATH;

	ch->sock = ch->fd = -1;
	if (strlen(path) >= sizeof(ch->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(ch->path, path);
	return 0;
}

int ktlsd_channel_fd(const struct ktlsd_channel *ch)
{
	return ch->fd >= 0 ? ch->sock : -1;
}

void ktlsd_channel_close(struct ktlsd_channel *ch)
{
	if (ch->sock >= 0)
		close(ch->sock);
	if (ch->fd >= 0)
		close(ch->fd);
	ch->sock = ch->fd = -1;
}

void ktlsd_channel_cancel(struct ktlsd_channel *ch)
{
	/* The daemon learns of it by the connection's end: nothing else is sent. */
	if (ch->fd >= 0)
		ktlsd_channel_close(ch);
}

int ktlsd_channel_start(struct ktlsd_channel *ch, int fd, const struct ktlsd_request *req)
{
	struct ktlsd_wire_request w;
	int err;

	if (ch->fd >= 0) {
		errno = EALREADY;
		return -1;
	}
	if (build_request(&w, KTLSD_WIRE_VERSION_CHANNEL, req) < 0)
		return -1;
	/* Our own reference, to check the result on even if the caller closes its fd. */
	ch->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (ch->fd < 0)
		return -1;
	/* Kept: the daemon answers nothing unasked, so a closed end means a new connection. */
	if (ch->sock >= 0 && send_request(ch->sock, fd, &w) == 0)
		return 0;
	if (ch->sock >= 0 && !connection_gone(errno))
		goto fail;
	if (ch->sock >= 0)
		close(ch->sock);
	ch->sock = open_daemon(ch->path);
	if (ch->sock < 0 || !request_sent(ch->sock, fd, &w))
		goto fail;
	return 1;
fail:
	err = errno;
	ktlsd_channel_close(ch);
	errno = err;
	return -1;
}

int ktlsd_channel_finish(struct ktlsd_channel *ch, struct ktlsd_result *res)
{
	int answered, err;

	if (ch->fd < 0)
		return no_handoff(res);
	err = collect_answer(ch->sock, ch->fd, res, &answered);
	if (err < 0)
		return -1;
	close(ch->fd);
	ch->fd = -1;
	/* Answered: the connection carries the next request. Otherwise it is over. */
	if (!answered)
		ktlsd_channel_close(ch);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int ktlsd_channel_handshake(struct ktlsd_channel *ch, int fd, const struct ktlsd_request *req,
			    int timeout_ms, struct ktlsd_result *res)
{
	for (int attempt = 0;; attempt++) {
		int opened = ktlsd_channel_start(ch, fd, req), err;

		if (opened < 0) {
			err = errno;
			fail_result(res, err, err == EINVAL ? "invalid request" :
					      err == EALREADY ? "a hand-off is in progress" :
								"cannot reach ktlsd");
			errno = err;
			return -1;
		}
		err = wait_answer(ch->sock, timeout_ms);
		if (err) {
			ktlsd_channel_cancel(ch);
			fail_result(res, err, "waiting for ktlsd");
			errno = err;
			return -1;
		}
		if (ktlsd_channel_finish(ch, res) == 0)
			return 0;
		/*
		 * Unanswered (the connection closed), unread (ECONNRESET), on a
		 * kept connection the daemon was letting go: once more, on a new one.
		 */
		if (errno != ECONNRESET || ch->sock >= 0 || opened || attempt)
			return -1;
	}
}
