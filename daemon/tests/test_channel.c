// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Channels (ktlsd_channel) against the real ktlsd: many hand-offs on one
 * connection, kept after answers and refusals, counted against the uid's
 * limit while idle, cancelled by a request sent out of turn, and let go of
 * unread when the worker retires or the daemon stops. These need no kernel
 * TLS: every hand-off here is refused, or ends before the handshake does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktlsd.h"
#include "live.h"
#include "tap.h"
#include "wire.h"

static char dir[] = "/tmp/ktlsd-test-channel.XXXXXX";
static char sock_path[100], conf_path[160], log_path[160];
static char ktlsd_bin[200];

static const struct ktlsd_request unknown = { .role = KTLSD_ROLE_SERVER, .profile = "no-such-profile" };
static const struct ktlsd_request connect_out = { .role = KTLSD_ROLE_CLIENT, .profile = "out" };

/* One worker, so that every connection meets the same limits; two idle connections per uid. */
static int write_config(void)
{
	FILE *f = fopen(conf_path, "w");

	if (!f)
		return -1;
	fprintf(f, "[daemon]\nsocket = %s\ncontrol_socket = none\nuser = nobody\nworkers = 1\n"
		"max_handshakes_per_uid = 2\n", sock_path);
	fprintf(f, "[profile out]\nrole = client\nverify = none\nallow_uid = 0\n");
	return fclose(f);
}

static int readable(int fd, int limit_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, limit_ms) == 1;
}

/* A hand-off on @ch, polled to its end: its status (0: kTLS installed). */
static int channel_handoff(struct ktlsd_channel *ch, int fd, const struct ktlsd_request *req,
			   int *opened)
{
	struct ktlsd_result res;
	int rc = ktlsd_channel_start(ch, fd, req);

	if (rc < 0)
		return errno;
	if (opened)
		*opened = rc;
	if (!readable(ktlsd_channel_fd(ch), test_ms(5000)))
		return ETIMEDOUT;
	if (ktlsd_channel_finish(ch, &res) < 0 && errno == EAGAIN)
		return EAGAIN;
	return res.status;
}

static ino_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* A client-role hand-off on @ch whose peer got the daemon's ClientHello: 0, or -1. */
static int start_client_handoff(struct ktlsd_channel *ch, int *ours, int *peer)
{
	unsigned char hello[5];

	if (live_tcp_pair(ours, peer) < 0 || ktlsd_channel_start(ch, *ours, &connect_out) < 0)
		return -1;
	if (!readable(*peer, test_ms(5000)) || recv(*peer, hello, 5, MSG_WAITALL) != 5 || hello[0] != 22)
		return -1;
	return 0;
}

static void test_kept(void)
{
	struct ktlsd_channel ch;
	int tcp, peer, opened[5] = { -1, -1, -1, -1, -1 }, st[5] = { -1, -1, -1, -1, -1 }, released = 0;
	ino_t first = 0;
	int same = 1;

	if (ktlsd_channel_init(&ch, sock_path) < 0) {
		ok(0, "a channel");
		return;
	}
	for (int i = 0; i < 5; i++) {
		char c;

		if (live_tcp_pair(&tcp, &peer) < 0)
			break;
		st[i] = channel_handoff(&ch, tcp, &unknown, &opened[i]);
		if (i == 0)
			first = inode_of(ch.sock);
		same &= ch.sock >= 0 && inode_of(ch.sock) == first;
		/* The peer sees the end only once the daemon's copy is closed too. */
		close(tcp);
		released += readable(peer, test_ms(5000)) && recv(peer, &c, 1, 0) == 0;
		close(peer);
	}
	ok(st[0] == ESRCH && st[1] == ESRCH && st[2] == ESRCH && st[3] == ESRCH && st[4] == ESRCH,
	   "five refused hand-offs on a channel: ESRCH each");
	ok(opened[0] == 1 && !opened[1] && !opened[2] && !opened[3] && !opened[4] && same,
	   "the first opened the connection, the four others went on it");
	ok(released == 5, "the daemon let go of each TCP socket, keeping the channel (%d of 5)", released);

	/* A handshake that begins, then fails: answered, and the channel stays. */
	if (!ok(start_client_handoff(&ch, &tcp, &peer) == 0, "a client-role handshake begins on the channel"))
		goto out;
	close(peer);
	ok(readable(ktlsd_channel_fd(&ch), test_ms(5000)), "its peer gone, the daemon answers");
	{
		struct ktlsd_result res = { 0 };
		int rc = ktlsd_channel_finish(&ch, &res), err = errno;

		/* Our close of the peer with the ClientHello's rest unread is a reset: ECONNRESET, answered. */
		ok(rc < 0 && err == res.status && res.status && res.status != EIO &&
		   !strstr(res.message, "unread") && ch.sock >= 0 && inode_of(ch.sock) == first,
		   "a failed handshake is an answer (%s: %s): the connection stays",
		   strerrorname_np(res.status), res.message);
	}
	close(tcp);
	if (live_tcp_pair(&tcp, &peer) < 0)
		goto out;
	ok(channel_handoff(&ch, tcp, &unknown, &opened[0]) == ESRCH && opened[0] == 0,
	   "and carries the next request");
	close(peer);
out:
	close(tcp);
	ktlsd_channel_close(&ch);
}

/* The connection of @ch ended by the daemon, with nothing sent on it. */
static int ended(struct ktlsd_channel *ch)
{
	char c;

	return ch->sock >= 0 && readable(ch->sock, test_ms(5000)) && recv(ch->sock, &c, 1, MSG_DONTWAIT) == 0;
}

/*
 * Idle channels count as connections waiting for a request (two per uid
 * here): a channel is kept only within that limit, and a new connection at
 * the limit is let in in place of the uid's oldest idle channel.
 */
static void test_limits(void)
{
	struct ktlsd_channel a, b, c, d;
	int tcp_a = -1, peer_a = -1, tcp_b = -1, peer_b = -1, tcp, peer, opened = -1;
	struct ktlsd_result res;

	if (ktlsd_channel_init(&a, sock_path) < 0 || ktlsd_channel_init(&b, sock_path) < 0 ||
	    ktlsd_channel_init(&c, sock_path) < 0 || ktlsd_channel_init(&d, sock_path) < 0 ||
	    live_tcp_pair(&tcp, &peer) < 0) {
		ok(0, "four channels and a TCP pair");
		return;
	}
	/* Two handshakes running (the uid's two), then two channels idle (its two waiting). */
	ok(start_client_handoff(&a, &tcp_a, &peer_a) == 0 && start_client_handoff(&b, &tcp_b, &peer_b) == 0,
	   "two client-role handshakes run on channels a and b");
	ok(channel_handoff(&c, tcp, &unknown, NULL) == ESRCH && channel_handoff(&d, tcp, &unknown, NULL) == ESRCH,
	   "channels c and d answered, both kept idle");
	close(peer_a);
	ok(readable(ktlsd_channel_fd(&a), test_ms(5000)) && ktlsd_channel_finish(&a, &res) < 0 &&
	   res.status != EIO && ended(&a),
	   "a's handshake answered with the uid's waiting connections all taken: a's connection ends");
	ok(channel_handoff(&c, tcp, &unknown, &opened) == ESRCH && opened == 0,
	   "c is still kept");
	ok(live_handoff(sock_path, "no-such-profile", KTLSD_ROLE_SERVER, NULL, 0) == ESRCH,
	   "a new connection of the uid is let in, at its limit of waiting connections");
	ok(ended(&d), "in place of its oldest idle channel (d), ended with nothing sent");
	ok(channel_handoff(&d, tcp, &unknown, &opened) == ESRCH && opened == 1,
	   "whose next hand-off opens a new connection by itself");
	close(peer_b);
	ok(readable(ktlsd_channel_fd(&b), test_ms(5000)) && ktlsd_channel_finish(&b, &res) < 0 &&
	   res.status != EIO, "b's handshake answered");
	close(tcp_a);
	close(tcp_b);
	close(tcp);
	close(peer);
	ktlsd_channel_close(&a);
	ktlsd_channel_close(&b);
	ktlsd_channel_close(&c);
	ktlsd_channel_close(&d);
}

/* A request sent before the answer to the one in flight: the hand-off is cancelled, the connection ends. */
static void test_out_of_turn(void)
{
	struct ktlsd_wire_request w = { .magic = KTLSD_WIRE_MAGIC, .version = KTLSD_WIRE_VERSION_CHANNEL,
					.role = KTLSD_ROLE_SERVER, .profile = "no-such-profile" };
	struct ktlsd_channel ch;
	int tcp, peer, extra, extra_peer;
	char buf[64];
	ssize_t n = -1;

	if (ktlsd_channel_init(&ch, sock_path) < 0 || start_client_handoff(&ch, &tcp, &peer) < 0 ||
	    live_tcp_pair(&extra, &extra_peer) < 0) {
		ok(0, "a client-role handshake in flight on a channel");
		return;
	}
	ok(live_send_fds(ch.sock, &w, sizeof(w), &extra, 1) == 0, "a second request sent before the answer");
	ok(readable(ch.sock, test_ms(5000)) && recv(ch.sock, buf, sizeof(buf), 0) == 0,
	   "the daemon ends the connection without an answer");
	while (readable(peer, test_ms(5000)) && (n = recv(peer, buf, sizeof(buf), 0)) > 0)
		;
	ok(n == 0, "the handshake in flight was stopped: its peer sees the end");
	ktlsd_channel_close(&ch);
	close(tcp);
	close(peer);
	close(extra);
	close(extra_peer);
	ok(live_handoff(sock_path, "no-such-profile", KTLSD_ROLE_SERVER, NULL, 0) == ESRCH,
	   "the daemon serves on");
}

/* A reload retires the worker: its idle channels are closed unread, the next start opens anew. */
static void test_reload(pid_t daemon)
{
	struct ktlsd_channel ch;
	int tcp, peer, opened = -1;
	char c;

	if (ktlsd_channel_init(&ch, sock_path) < 0 || live_tcp_pair(&tcp, &peer) < 0 ||
	    !ok(channel_handoff(&ch, tcp, &unknown, NULL) == ESRCH, "a channel answered, idle")) {
		ktlsd_channel_close(&ch);
		return;
	}
	kill(daemon, SIGHUP);
	ok(readable(ch.sock, test_ms(10000)) && recv(ch.sock, &c, 1, MSG_DONTWAIT) == 0,
	   "after a reload the retiring worker closes the idle channel, with nothing sent on it");
	ok(channel_handoff(&ch, tcp, &unknown, &opened) == ESRCH && opened == 1,
	   "the next hand-off opens a new connection by itself and is answered");
	ok(ktlsd_channel_handshake(&ch, tcp, &unknown, test_ms(5000), &(struct ktlsd_result){ 0 }) < 0 &&
	   errno == ESRCH, "ktlsd_channel_handshake() on it too");
	close(tcp);
	close(peer);
	ktlsd_channel_close(&ch);
}

static void test_stop(pid_t daemon)
{
	struct ktlsd_channel ch;
	int tcp, peer;
	char c;

	if (ktlsd_channel_init(&ch, sock_path) < 0 || live_tcp_pair(&tcp, &peer) < 0 ||
	    !ok(channel_handoff(&ch, tcp, &unknown, NULL) == ESRCH, "a channel answered, idle")) {
		ktlsd_channel_close(&ch);
		return;
	}
	ok(live_stop(daemon), "ktlsd stops cleanly with an idle channel connected");
	ok(readable(ch.sock, 0) && recv(ch.sock, &c, 1, MSG_DONTWAIT) == 0,
	   "the channel was closed, with nothing sent on it");
	{
		int st = channel_handoff(&ch, tcp, &unknown, NULL);

		ok(st == ENOENT || st == ECONNREFUSED, "no daemon: the next start says so (%s)",
		   strerrorname_np(st));
	}
	close(tcp);
	close(peer);
	ktlsd_channel_close(&ch);
}

int main(void)
{
	const char *missing = live_prepare(dir, ktlsd_bin, sizeof(ktlsd_bin));
	char cmd[300];
	pid_t d;

	if (missing) {
		ok(0, "%s", missing);
		return done();
	}
	LIVE_PATHS(dir, sock_path, conf_path, log_path);
	if (!ok(write_config() == 0, "configuration written") ||
	    !ok((d = live_start(ktlsd_bin, conf_path, log_path, sock_path, 0, 0)) > 0, "ktlsd starts"))
		return done();
	test_kept();
	test_limits();
	test_out_of_turn();
	test_reload(d);
	test_stop(d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done();
}
