// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libktlsd's side of the hand-off, against a fake daemon in a child
 * process: what it sends, how it reads answers good and bad, and how it
 * fails when there is no daemon or no answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktlsd.h"
#include "reply.h"
#include "tap.h"
#include "test_time.h"
#include "wire.h"

/*
 * libktlsd's sendmsg(), as linked into this test: when hold_send is set, the
 * next one waits for the daemon to hang up first, which makes the race of a
 * daemon that answers and closes before the request arrives (request_sent())
 * happen every time. Otherwise straight to the kernel.
 */
static int hold_send;

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	if (hold_send) {
		struct pollfd p = { .fd = fd, .events = POLLRDHUP };

		hold_send = 0;
		if (poll(&p, 1, test_ms(5000)) != 1)
			return -1;
	}
	return syscall(SYS_sendmsg, fd, msg, flags);
}

enum answer { ANSWER_OK, ANSWER_FAILURE, ANSWER_SHORT, ANSWER_UNTERMINATED, ANSWER_NONE, ANSWER_SILENT };

static char dir[] = "/tmp/ktlsd-test-handoff.XXXXXX";
static char sock_path[128];

/* The fake daemon: one connection, checks the request, answers as told. */
static void fake_daemon(int lfd, enum answer answer)
{
	struct ktlsd_wire_request req;
	struct ktlsd_wire_reply rep;
	char control[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *cmsg;
	int conn = accept(lfd, NULL, NULL), fds = 0;
	ssize_t n = recvmsg(conn, &msg, 0);

	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_type == SCM_RIGHTS)
			fds += (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	/* A request that is not exactly right makes the child exit 1. */
	if (n != sizeof(req) || fds != 1 || req.magic != KTLSD_WIRE_MAGIC ||
	    req.role != KTLSD_ROLE_CLIENT || strcmp(req.profile, "web") ||
	    strcmp(req.server_name, "example.test") || strcmp(req.alpn, "h2"))
		_exit(1);
	memset(&rep, 0, sizeof(rep));
	rep.magic = KTLSD_WIRE_MAGIC;
	rep.version = KTLSD_WIRE_VERSION;
	rep.alert_sent = rep.alert_received = -1;
	switch (answer) {
	case ANSWER_OK:
		rep.tls_version = 0x0303;
		rep.cipher_suite = 0xc02b;
		rep.tx_mode = KTLSD_MODE_SW;
		rep.rx_mode = KTLSD_MODE_HW;
		rep.peer_verified = 1;
		strcpy(rep.cipher_name, "ECDHE-ECDSA-AES128-GCM-SHA256");
		strcpy(rep.alpn, "h2");
		strcpy(rep.peer_subject, "example.test");
		break;
	case ANSWER_FAILURE:
		rep.status = EKEYREJECTED;
		rep.tls_error = 62;
		rep.alert_sent = 48;
		strcpy(rep.tls_error_name, "BR_ERR_X509_NOT_TRUSTED");
		strcpy(rep.message, "peer certificate: unknown CA");
		break;
	case ANSWER_UNTERMINATED:
		memset(rep.alpn, 'x', sizeof(rep.alpn));
		break;
	case ANSWER_SILENT:
		read(conn, &req, 1);	/* until the client gives up */
		_exit(0);
	default:
		break;
	}
	if (answer == ANSWER_SHORT)
		send(conn, &rep, sizeof(rep) - 1, 0);
	else if (answer != ANSWER_NONE)
		send(conn, &rep, sizeof(rep), 0);
	_exit(0);
}

/* The fake daemon's listening socket at sock_path; -1 if none. */
static int fake_listen(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	strcpy(addr.sun_path, sock_path);
	unlink(sock_path);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 4) < 0) {
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	return lfd;
}

/* Listen at sock_path and fork: the child (0) serves *@lfd, the parent gets its pid. */
static pid_t fork_fake(int *lfd)
{
	pid_t pid;

	*lfd = fake_listen();
	if (*lfd < 0)
		return -1;
	pid = fork();
	if (pid != 0)
		close(*lfd);
	return pid;
}

static pid_t start_fake(enum answer answer)
{
	int lfd;
	pid_t pid = fork_fake(&lfd);

	if (pid == 0)
		fake_daemon(lfd, answer);
	return pid;
}

static int fake_ok(pid_t pid)
{
	int status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int wait_readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, test_ms(5000)) == 1;
}

static const struct ktlsd_request request = {
	.role = KTLSD_ROLE_CLIENT, .profile = "web", .server_name = "example.test", .alpn = "h2",
};

static void test_answers(int tcp_fd, int peer)
{
	static const uint8_t internal_error[] = { 21, 3, 3, 0, 2, 2, 80 };
	uint8_t alert[16];
	struct ktlsd_result res;
	pid_t pid;
	int rc;

	pid = start_fake(ANSWER_OK);
	rc = ktlsd_handshake(sock_path, tcp_fd, &request, test_ms(5000), &res);
	ok(fake_ok(pid), "the daemon receives the request and exactly one descriptor");
	/* Issue 9, defect 6: "status 0" on a socket without kTLS is a lie. */
	ok(rc < 0 && errno == EBADMSG && res.status == EBADMSG && strstr(res.message, "no kTLS"),
	   "a success answer for a socket that carries no kTLS fails closed: EBADMSG");

	pid = start_fake(ANSWER_FAILURE);
	rc = ktlsd_handshake(sock_path, tcp_fd, &request, test_ms(5000), &res);
	fake_ok(pid);
	ok(rc < 0 && errno == EKEYREJECTED && res.status == EKEYREJECTED && res.tls_error == 62 &&
	   res.alert_sent == 48 && !strcmp(res.tls_error_name, "BR_ERR_X509_NOT_TRUSTED") &&
	   !strcmp(res.message, "peer certificate: unknown CA"),
	   "a failure answer sets errno and carries error, alert and message");

	pid = start_fake(ANSWER_SHORT);
	rc = ktlsd_handshake(sock_path, tcp_fd, &request, test_ms(5000), &res);
	fake_ok(pid);
	ok(rc < 0 && errno == EBADMSG && res.status == EBADMSG, "a short answer: EBADMSG");

	pid = start_fake(ANSWER_UNTERMINATED);
	rc = ktlsd_handshake(sock_path, tcp_fd, &request, test_ms(5000), &res);
	fake_ok(pid);
	ok(rc < 0 && errno == EBADMSG, "an answer with an unterminated string: EBADMSG");

	pid = start_fake(ANSWER_NONE);
	rc = ktlsd_handshake(sock_path, tcp_fd, &request, test_ms(5000), &res);
	fake_ok(pid);
	ok(rc < 0 && errno == EIO && res.status == EIO,
	   "the daemon hangs up without answering (a worker that died): EIO");
	/* The handshake may have begun: the peer is told, in the clear here (no kTLS on it). */
	ok(recv(peer, alert, sizeof(alert), MSG_DONTWAIT) == 7 && !memcmp(alert, internal_error, 7) &&
	   recv(peer, alert, sizeof(alert), MSG_DONTWAIT) == 0,
	   "and the peer got a fatal internal_error alert, then the end of the stream");

	/* 50 ms is the limit under test, not a wait: it is meant to run out. */
	pid = start_fake(ANSWER_SILENT);
	rc = ktlsd_handshake(sock_path, tcp_fd, &request, 50, &res);
	ok(rc < 0 && errno == ETIMEDOUT && res.status == ETIMEDOUT, "no answer in time: ETIMEDOUT");
	ok(fake_ok(pid), "the daemon sees the connection closed after the timeout");
}

static void test_pollable(int tcp_fd)
{
	struct ktlsd_handoff h;
	struct ktlsd_result res;
	struct pollfd pfd;
	pid_t pid = start_fake(ANSWER_OK);
	int started = ktlsd_handoff_start(&h, sock_path, tcp_fd, &request) == 0;

	pfd.fd = ktlsd_handoff_fd(&h);
	pfd.events = POLLIN;
	ok(started && pfd.fd >= 0 && poll(&pfd, 1, test_ms(5000)) == 1 &&
	   ktlsd_handoff_finish(&h, &res) < 0 && errno == EBADMSG && ktlsd_handoff_fd(&h) == -1,
	   "start, poll, finish (checked against the socket: no kTLS here)");
	fake_ok(pid);
	ok(ktlsd_handoff_finish(&h, &res) < 0 && errno == EBADF, "finish twice: EBADF");
}

static void test_refusals(int tcp_fd)
{
	struct ktlsd_result res;
	struct ktlsd_request req = request;
	char long_name[300];

	unlink(sock_path);
	ok(ktlsd_handshake(sock_path, tcp_fd, &request, test_ms(1000), &res) < 0 && errno == ENOENT &&
	   res.status == ENOENT && strstr(res.message, "cannot reach ktlsd"), "no daemon: ENOENT");
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	req.server_name = long_name;
	ok(ktlsd_handshake(sock_path, tcp_fd, &req, test_ms(1000), &res) < 0 && errno == EINVAL,
	   "a server name too long: EINVAL before anything is sent");
	req = request;
	req.profile = NULL;
	ok(ktlsd_handshake(sock_path, tcp_fd, &req, test_ms(1000), &res) < 0 && errno == EINVAL,
	   "no profile: EINVAL");
	req = request;
	req.role = 0;
	ok(ktlsd_handshake(sock_path, tcp_fd, &req, test_ms(1000), &res) < 0 && errno == EINVAL,
	   "no role: EINVAL");
}

/*
 * A fake daemon for channels: reads requests of version 3 with one
 * descriptor each and follows a script, one step per request. Exits 0 when
 * every request was as expected and the script ran to its end.
 */
enum channel_step {
	STEP_ANSWER,		/* answer with the status given */
	STEP_DROP_UNREAD,	/* wait for a request, close the connection with it unread */
	STEP_EXPECT_END,	/* the client closes: no further request */
	STEP_READ_CLOSE,	/* read a request, then close without answering (a crash) */
	STEP_TURN_AWAY,		/* answer with the status given unasked, then close: over a limit */
};

struct channel_script {
	enum channel_step step;
	int status;
	int new_connection;	/* accept a new connection first */
	int stop_listening;	/* once connected: no further connection can come */
};

static int read_channel_request(int conn)
{
	struct ktlsd_wire_request req;
	char control[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control, .msg_controllen = sizeof(control) };
	struct cmsghdr *cmsg;
	ssize_t n = recvmsg(conn, &msg, 0);
	int fds = 0;

	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_type == SCM_RIGHTS) {
			int fd;

			memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
			close(fd);
			fds += (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		}
	if (n == 0)
		return 0;
	return n == sizeof(req) && fds == 1 && req.magic == KTLSD_WIRE_MAGIC &&
	       req.version == KTLSD_WIRE_VERSION_CHANNEL && !strcmp(req.profile, "web") ? 1 : -1;
}

/* A failure answer with @status on @conn: 0, or -1. */
static int send_answer(int conn, int status)
{
	struct ktlsd_wire_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.magic = KTLSD_WIRE_MAGIC;
	rep.version = KTLSD_WIRE_VERSION;
	rep.status = status;
	rep.alert_sent = rep.alert_received = -1;
	return send(conn, &rep, sizeof(rep), 0) == sizeof(rep) ? 0 : -1;
}

static void channel_daemon(int lfd, const struct channel_script *script, int steps)
{
	int conn = -1;

	for (int i = 0; i < steps; i++) {
		const struct channel_script *s = &script[i];
		struct pollfd p;

		if (s->new_connection) {
			if (conn >= 0)
				close(conn);
			conn = accept(lfd, NULL, NULL);
		}
		if (s->stop_listening)
			close(lfd);
		switch (s->step) {
		case STEP_ANSWER:
			if (read_channel_request(conn) != 1)
				_exit(10 + i);
			if (send_answer(conn, s->status) < 0)
				_exit(20 + i);
			break;
		case STEP_DROP_UNREAD:
			p = (struct pollfd){ conn, POLLIN, 0 };
			if (poll(&p, 1, -1) != 1)
				_exit(30 + i);
			close(conn);
			conn = -1;
			break;
		case STEP_EXPECT_END:
			if (read_channel_request(conn) != 0)
				_exit(40 + i);
			break;
		case STEP_READ_CLOSE:
			if (read_channel_request(conn) != 1)
				_exit(50 + i);
			close(conn);
			conn = -1;
			break;
		case STEP_TURN_AWAY:
			if (send_answer(conn, s->status) < 0)
				_exit(60 + i);
			close(conn);
			conn = -1;
			break;
		}
	}
	_exit(0);
}

static pid_t start_channel_fake(const struct channel_script *script, int steps)
{
	int lfd;
	pid_t pid = fork_fake(&lfd);

	if (pid == 0)
		channel_daemon(lfd, script, steps);
	return pid;
}

/* Connect to the fake daemon and hang up at once: 1 if it could. */
static int connect_and_close(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), rc;

	strcpy(addr.sun_path, sock_path);
	rc = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A channel: requests one after another on one connection, a dropped one sent again. */
static void test_channel(int tcp_fd)
{
	static const struct channel_script kept[] = {
		{ STEP_ANSWER, ESRCH, 1, 0 },
		{ STEP_ANSWER, EKEYREJECTED, 0, 0 },
		/* A worker retiring: the request crossing the close is sent again. */
		{ STEP_DROP_UNREAD, 0, 0, 0 },
		{ STEP_ANSWER, EACCES, 1, 0 },
		/* Answered ECONNRESET (the TCP peer reset): final, not sent again. */
		{ STEP_ANSWER, ECONNRESET, 0, 0 },
		{ STEP_EXPECT_END, 0, 0, 0 },
	};
	static const struct channel_script fresh_dropped[] = {
		{ STEP_DROP_UNREAD, 0, 1, 1 },
	};
	/* Read, then gone: a crash after the request; the listening socket stays for a resend. */
	static const struct channel_script crashed[] = {
		{ STEP_ANSWER, ESRCH, 1, 0 },
		{ STEP_READ_CLOSE, 0, 0, 0 },
		{ STEP_EXPECT_END, 0, 1, 0 },
	};
	struct ktlsd_channel ch;
	struct ktlsd_result res;
	struct stat first, later;
	pid_t pid = start_channel_fake(kept, 6);
	int rc;

	ok(ktlsd_channel_init(&ch, sock_path) == 0 && ktlsd_channel_fd(&ch) == -1,
	   "a channel starts unconnected");
	rc = ktlsd_channel_start(&ch, tcp_fd, &request);
	ok(rc == 1 && ktlsd_channel_fd(&ch) >= 0 && fstat(ktlsd_channel_fd(&ch), &first) == 0,
	   "the first start opens the connection (returns 1)");
	ok(ktlsd_channel_start(&ch, tcp_fd, &request) < 0 && errno == EALREADY,
	   "a second start while one is in progress: EALREADY");
	ok(wait_readable(ktlsd_channel_fd(&ch)) && ktlsd_channel_finish(&ch, &res) < 0 && errno == ESRCH &&
	   ktlsd_channel_fd(&ch) == -1 && ch.sock >= 0,
	   "a refusal is an answer: the connection is kept");
	rc = ktlsd_channel_start(&ch, tcp_fd, &request);
	ok(rc == 0 && fstat(ktlsd_channel_fd(&ch), &later) == 0 && later.st_ino == first.st_ino,
	   "the next start goes on the same connection (returns 0)");
	ok(wait_readable(ktlsd_channel_fd(&ch)) && ktlsd_channel_finish(&ch, &res) < 0 &&
	   errno == EKEYREJECTED && ch.sock >= 0, "its answer comes back on it");
	ok(ktlsd_channel_handshake(&ch, tcp_fd, &request, test_ms(5000), &res) < 0 && errno == EACCES &&
	   ch.sock >= 0 && fstat(ch.sock, &later) == 0 && later.st_ino != first.st_ino,
	   "dropped unread by the daemon, the request went again on a new connection");
	ok(ktlsd_channel_handshake(&ch, tcp_fd, &request, test_ms(5000), &res) < 0 &&
	   errno == ECONNRESET && res.status == ECONNRESET && ch.sock >= 0,
	   "an answered ECONNRESET is final: the connection stays, nothing is sent again");
	ktlsd_channel_close(&ch);
	ok(ch.sock == -1 && fake_ok(pid), "the daemon got exactly the requests expected, then the end");

	pid = start_channel_fake(fresh_dropped, 1);
	ok(ktlsd_channel_handshake(&ch, tcp_fd, &request, test_ms(5000), &res) < 0 && errno == ECONNRESET &&
	   strstr(res.message, "start again") && ch.sock == -1,
	   "dropped unread on a new connection: ECONNRESET to the caller, not sent again");
	ok(fake_ok(pid), "the fake daemon saw one connection");

	pid = start_channel_fake(crashed, 3);
	ok(ktlsd_channel_handshake(&ch, tcp_fd, &request, test_ms(5000), &res) < 0 && errno == ESRCH &&
	   ch.sock >= 0, "a channel answered, kept");
	ok(ktlsd_channel_handshake(&ch, tcp_fd, &request, test_ms(5000), &res) < 0 && errno == EIO &&
	   ch.sock == -1, "read and never answered on the kept connection: EIO, the connection closed");
	/* A resend would reach the fake's next connection as a request instead of its end. */
	ok(connect_and_close() && fake_ok(pid), "and nothing was sent again");
	ktlsd_channel_close(&ch);
	ok(ktlsd_channel_finish(&ch, &res) < 0 && errno == EBADF, "finish with nothing in progress: EBADF");
	ktlsd_channel_cancel(&ch);
	ok(ch.sock == -1 && ch.fd == -1, "cancel with nothing in progress does nothing");
}

/*
 * A daemon over its limits answers a new connection (EBUSY) and closes it
 * before reading anything: a request sent after that finds the connection
 * gone (EPIPE), and the answer waiting is what the caller gets.
 */
static void test_turned_away(int tcp_fd)
{
	static const struct channel_script busy[] = {
		{ STEP_TURN_AWAY, EBUSY, 1, 1 },
	};
	struct ktlsd_channel ch;
	struct ktlsd_result res;
	pid_t pid = start_channel_fake(busy, 1);

	ktlsd_channel_init(&ch, sock_path);
	hold_send = 1;
	ok(ktlsd_channel_start(&ch, tcp_fd, &request) == 1 && !hold_send,
	   "a start whose send comes after the daemon turned the connection away still starts");
	ok(wait_readable(ktlsd_channel_fd(&ch)) && ktlsd_channel_finish(&ch, &res) < 0 && errno == EBUSY &&
	   res.status == EBUSY, "and finish reports the daemon's EBUSY, not EPIPE");
	ktlsd_channel_close(&ch);
	ok(fake_ok(pid), "the fake daemon turned one connection away");
}

/* The reply parser on its own: a success answer, field by field. */
static void test_decode(void)
{
	struct ktlsd_wire_reply w;
	struct ktlsd_result res;

	memset(&w, 0, sizeof(w));
	w.magic = KTLSD_WIRE_MAGIC;
	w.version = KTLSD_WIRE_VERSION;
	w.alert_sent = w.alert_received = -1;
	w.tls_version = 0x0303;
	w.cipher_suite = 0xc02b;
	w.tx_mode = KTLSD_MODE_SW;
	w.rx_mode = KTLSD_MODE_HW;
	w.peer_verified = 1;
	strcpy(w.cipher_name, "ECDHE-ECDSA-AES128-GCM-SHA256");
	strcpy(w.alpn, "h2");
	strcpy(w.peer_subject, "example.test");
	ok(ktlsd_reply_decode(&w, &res) == 0 && res.status == 0 && res.version == 0x0303 &&
	   res.cipher_suite == 0xc02b && !strcmp(res.cipher_name, "ECDHE-ECDSA-AES128-GCM-SHA256") &&
	   !strcmp(res.alpn, "h2") && res.tx_mode == KTLSD_MODE_SW && res.rx_mode == KTLSD_MODE_HW &&
	   res.peer_verified && !strcmp(res.peer_subject, "example.test"),
	   "a success answer is decoded field by field");
	w.tx_mode = 9;
	ok(ktlsd_reply_decode(&w, &res) < 0, "a mode out of range is refused");
}

/* A fake daemon of another uid (nobody): the socket never leaves us. */
static void test_untrusted_daemon(int tcp_fd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ktlsd_result res;
	int lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0), status, rc, ready[2];
	char up = 0;
	pid_t pid;

	if (geteuid() != 0) {
		ok(0, "an untrusted daemon: run as root to test (it takes another uid)");
		return;
	}
	strcpy(addr.sun_path, sock_path);
	unlink(sock_path);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return;
	chmod(sock_path, 0666);
	if (pipe(ready) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		char control[CMSG_SPACE(sizeof(int) * 4)], byte;
		struct iovec iov = { &byte, 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = control, .msg_controllen = sizeof(control) };
		int conn;

		/* SO_PEERCRED names whoever called listen(). */
		if (setgid(65534) < 0 || setuid(65534) < 0 || listen(lfd, 1) < 0)
			_exit(2);
		if (write(ready[1], "u", 1) != 1)
			_exit(3);
		conn = accept(lfd, NULL, NULL);
		/* A descriptor arriving here would be the leak under test. */
		_exit(recvmsg(conn, &msg, 0) <= 0 && !CMSG_FIRSTHDR(&msg) ? 0 : 1);
	}
	close(lfd);
	close(ready[1]);
	/* It listens once it says so (a connect before listen() is refused). */
	if (read(ready[0], &up, 1) != 1)
		up = 0;
	close(ready[0]);
	rc = ktlsd_handshake(sock_path, tcp_fd, &request, test_ms(5000), &res);
	ok(up && rc < 0 && errno == EPERM && res.status == EPERM,
	   "a daemon running as another user (nobody): EPERM");
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "and it never got the socket");
}

static void test_names(void)
{
	ok(!strcmp(ktlsd_alert_name(48), "unknown_ca") && !strcmp(ktlsd_alert_name(0), "close_notify") &&
	   !strcmp(ktlsd_alert_name(255), "unknown"), "alert names");
	ok(!strcmp(ktlsd_mode_name(KTLSD_MODE_HW), "hw") && !strcmp(ktlsd_mode_name(KTLSD_MODE_SW), "sw"),
	   "mode names");
	ok(ktlsd_send_alert(-1, 3, 0) < 0 && errno == EINVAL, "alert level 3: EINVAL");
}

int main(void)
{
	int sv[2];

	if (!mkdtemp(dir) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	snprintf(sock_path, sizeof(sock_path), "%s/ktlsd.sock", dir);
	/* Any descriptor will do: the fake daemon only counts it. */
	test_answers(sv[0], sv[1]);
	test_pollable(sv[0]);
	test_refusals(sv[0]);
	test_channel(sv[0]);
	test_turned_away(sv[0]);
	test_untrusted_daemon(sv[0]);
	test_decode();
	test_names();
	unlink(sock_path);
	rmdir(dir);
	return done();
}
