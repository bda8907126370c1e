// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsd_records: life after the hand-off, through libktlsd. Both ends of a
 * loopback TCP pair are handed to ktlsd (one client, one server, at once
 * with the pollable API); then the records that are not data. Last, more
 * pairs handed off on channels.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktls_util.h"
#include "ktlsd.h"
#include "ktlsd_env.h"
#include "test_time.h"

KTLSD_ENV_SUITE(env)

FIXTURE(records)
{
	int client, server;
	struct ktlsd_result client_res, server_res;
};

/*
 * Both hand-offs in flight at once: each side's handshake needs the other.
 * The server's profile stops at TLS 1.2; the client's offers 1.2 and 1.3,
 * so our own TLS 1.2 client meets our TLS 1.2 server.
 */
static int hand_off_both(FIXTURE_DATA(records) *self)
{
	struct ktlsd_request creq = { .role = KTLSD_ROLE_CLIENT, .profile = "cli-none" };
	struct ktlsd_request sreq = { .role = KTLSD_ROLE_SERVER, .profile = "srv-ec12" };
	struct ktlsd_handoff c, s;
	int c_done = 0, s_done = 0, c_rc = -1, s_rc = -1;

	if (ktlsd_handoff_start(&c, env.sock, self->client, &creq) < 0 ||
	    ktlsd_handoff_start(&s, env.sock, self->server, &sreq) < 0)
		return -1;
	while (!c_done || !s_done) {
		struct pollfd pfd[2] = {
			{ .fd = c_done ? -1 : ktlsd_handoff_fd(&c), .events = POLLIN },
			{ .fd = s_done ? -1 : ktlsd_handoff_fd(&s), .events = POLLIN },
		};

		if (poll(pfd, 2, test_ms(30000)) <= 0)
			return -1;
		if (pfd[0].revents) {
			c_rc = ktlsd_handoff_finish(&c, &self->client_res);
			c_done = c_rc == 0 || errno != EAGAIN;
		}
		if (pfd[1].revents) {
			s_rc = ktlsd_handoff_finish(&s, &self->server_res);
			s_done = s_rc == 0 || errno != EAGAIN;
		}
	}
	return c_rc == 0 && s_rc == 0 ? 0 : -1;
}

FIXTURE_SETUP(records)
{
	if (!ktlsd_test_selected(_metadata->name))
		return;
	ASSERT_TRUE(env.ready) TH_LOG("test environment: %s", env.error);
	ASSERT_EQ(0, ktls_tcp_pair(&self->client, &self->server));
	/* The application's choices: Nagle off on one end, on (the default) on the other. */
	ASSERT_EQ(0, setsockopt(self->client, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int)));
	ASSERT_EQ(0, hand_off_both(self))
		TH_LOG("client: %s; server: %s", self->client_res.message, self->server_res.message);
	ASSERT_EQ(KTLSD_MODE_SW, self->client_res.tx_mode);
	ASSERT_EQ(KTLSD_MODE_SW, self->server_res.rx_mode);
}

FIXTURE_TEARDOWN(records)
{
	close(self->client);
	close(self->server);
	EXPECT_TRUE(ktlsd_env_daemon_alive(&env));
}

static int nodelay_of(int fd)
{
	socklen_t len = sizeof(int);
	int on = -1;

	return getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) < 0 ? -1 : on;
}

static ssize_t recv_str(int fd, char *buf, size_t len, int *alert)
{
	ssize_t n = ktlsd_recv(fd, buf, len - 1, 0, alert);

	if (n >= 0)
		buf[n] = 0;
	return n;
}

TEST_F(records, both_ends_agree)
{
	KTLSD_SELECT();
	EXPECT_EQ(self->client_res.cipher_suite, self->server_res.cipher_suite);
	EXPECT_EQ(0x0303, self->client_res.version);
	/* Profile cli-none: nothing verified, so no name is reported. */
	EXPECT_STREQ("", self->client_res.peer_subject);
	EXPECT_FALSE(self->client_res.peer_verified);
}

/* Whatever the daemon does with Nagle during the handshake, the application gets its own setting back. */
TEST_F(records, application_tcp_nodelay_is_kept)
{
	KTLSD_SELECT();
	EXPECT_EQ(1, nodelay_of(self->client));
	EXPECT_EQ(0, nodelay_of(self->server));
}

TEST_F(records, close_notify_ends_the_stream)
{
	KTLSD_SELECT();
	char buf[64];
	int alert = -1;

	ASSERT_EQ(5, write(self->server, "hello", 5));
	ASSERT_EQ(0, ktlsd_send_close_notify(self->server));
	EXPECT_EQ(5, recv_str(self->client, buf, sizeof(buf), &alert));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ(0, recv_str(self->client, buf, sizeof(buf), &alert));
	EXPECT_EQ(KTLSD_ALERT_CLOSE_NOTIFY, alert);
}

/* A bare FIN is the end of the stream too, but told apart: truncation. */
TEST_F(records, fin_without_close_notify_is_told_apart)
{
	KTLSD_SELECT();
	char buf[64];
	int alert = 0;

	ASSERT_EQ(5, write(self->server, "hello", 5));
	ASSERT_EQ(0, shutdown(self->server, SHUT_WR));
	EXPECT_EQ(5, recv_str(self->client, buf, sizeof(buf), &alert));
	EXPECT_EQ(0, recv_str(self->client, buf, sizeof(buf), &alert));
	EXPECT_EQ(-1, alert);
}

TEST_F(records, fatal_alert_is_an_error_with_its_code)
{
	KTLSD_SELECT();
	char buf[64];
	int alert = -1;

	ASSERT_EQ(0, ktlsd_send_alert(self->server, KTLSD_ALERT_FATAL, 40));
	EXPECT_EQ(-1, recv_str(self->client, buf, sizeof(buf), &alert));
	EXPECT_EQ(EPROTO, errno);
	EXPECT_EQ(40, alert);
}

TEST_F(records, warning_alert_is_skipped)
{
	KTLSD_SELECT();
	char buf[64];
	int alert = -1;

	ASSERT_EQ(0, ktlsd_send_alert(self->server, KTLSD_ALERT_WARNING, 90));
	ASSERT_EQ(4, write(self->server, "data", 4));
	EXPECT_EQ(4, recv_str(self->client, buf, sizeof(buf), &alert));
	EXPECT_STREQ("data", buf);
}

/* HelloRequest from the server: refused with a warning, data continues. */
TEST_F(records, hello_request_is_refused_and_data_continues)
{
	KTLSD_SELECT();
	static const uint8_t hello_request[] = { 0, 0, 0, 0 };
	uint8_t raw[16], type = 0;
	char buf[64];
	int alert = -1;

	ASSERT_EQ(4, write(self->server, "one ", 4));
	ASSERT_EQ(4, ktls_send_record(self->server, TLS_RECORD_HANDSHAKE, hello_request, 4));
	ASSERT_EQ(3, write(self->server, "two", 3));
	EXPECT_EQ(4, recv_str(self->client, buf, sizeof(buf), &alert));
	EXPECT_STREQ("one ", buf);
	EXPECT_EQ(3, recv_str(self->client, buf, sizeof(buf), &alert));
	EXPECT_STREQ("two", buf);
	/* What the server got back: a warning no_renegotiation alert. */
	ASSERT_EQ(2, ktls_recv_record(self->server, &type, raw, sizeof(raw)));
	EXPECT_EQ(TLS_RECORD_ALERT, type);
	EXPECT_EQ(KTLSD_ALERT_WARNING, raw[0]);
	EXPECT_EQ(KTLSD_ALERT_NO_RENEGOTIATION, raw[1]);
}

/* A ClientHello for renegotiation, from the client: refused the same way. */
TEST_F(records, client_renegotiation_is_refused)
{
	KTLSD_SELECT();
	uint8_t hello[64] = { 1, 0, 0, 60, 3, 3 }, raw[16], type = 0;
	char buf[64];
	int alert = -1;

	ASSERT_EQ((ssize_t)sizeof(hello),
		  ktls_send_record(self->client, TLS_RECORD_HANDSHAKE, hello, sizeof(hello)));
	ASSERT_EQ(5, write(self->client, "after", 5));
	EXPECT_EQ(5, recv_str(self->server, buf, sizeof(buf), &alert));
	EXPECT_STREQ("after", buf);
	ASSERT_EQ(2, ktls_recv_record(self->client, &type, raw, sizeof(raw)));
	EXPECT_EQ(TLS_RECORD_ALERT, type);
	EXPECT_EQ(KTLSD_ALERT_NO_RENEGOTIATION, raw[1]);
}

/* A record type TLS 1.2 has no place for after the handshake. */
TEST_F(records, unexpected_record_type_is_fatal)
{
	KTLSD_SELECT();
	static const uint8_t ccs[] = { 1 };
	uint8_t raw[16], type = 0;
	char buf[64];
	int alert = -1;

	ASSERT_EQ(1, ktls_send_record(self->server, 20, ccs, 1));
	EXPECT_EQ(-1, recv_str(self->client, buf, sizeof(buf), &alert));
	EXPECT_EQ(EBADMSG, errno);
	ASSERT_EQ(2, ktls_recv_record(self->server, &type, raw, sizeof(raw)));
	EXPECT_EQ(TLS_RECORD_ALERT, type);
	EXPECT_EQ(KTLSD_ALERT_FATAL, raw[0]);
	EXPECT_EQ(KTLSD_ALERT_UNEXPECTED_MESSAGE, raw[1]);
}

/* A one-byte buffer still gets data byte by byte, records kept whole. */
TEST_F(records, tiny_reads)
{
	KTLSD_SELECT();
	char c = 0, got[8] = "";
	int alert = -1;

	ASSERT_EQ(0, ktlsd_send_alert(self->server, KTLSD_ALERT_WARNING, 90));
	ASSERT_EQ(3, write(self->server, "abc", 3));
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(1, ktlsd_recv(self->client, &c, 1, 0, &alert));
		got[i] = c;
	}
	EXPECT_STREQ("abc", got);
}

/*
 * Three more pairs, each end handed off on a channel of its own (libktlsd's
 * ktlsd_channel): the first start opens the connections, the next ones go
 * on them, and every pair gets kTLS both ways, data through.
 */
TEST_F(records, channels_carry_one_handoff_after_another)
{
	KTLSD_SELECT();
	struct ktlsd_request creq = { .role = KTLSD_ROLE_CLIENT, .profile = "cli-none" };
	struct ktlsd_request sreq = { .role = KTLSD_ROLE_SERVER, .profile = "srv-ec12" };
	struct ktlsd_channel c, s;

	ASSERT_EQ(0, ktlsd_channel_init(&c, env.sock));
	ASSERT_EQ(0, ktlsd_channel_init(&s, env.sock));
	for (int i = 0; i < 3; i++) {
		struct ktlsd_result cres, sres;
		int client, server, c_rc = -1, s_rc = -1, c_done = 0, s_done = 0, alert = -1;
		char buf[16];

		ASSERT_EQ(0, ktls_tcp_pair(&client, &server));
		ASSERT_EQ(i == 0, ktlsd_channel_start(&c, client, &creq));
		ASSERT_EQ(i == 0, ktlsd_channel_start(&s, server, &sreq));
		while (!c_done || !s_done) {
			struct pollfd pfd[2] = {
				{ .fd = c_done ? -1 : ktlsd_channel_fd(&c), .events = POLLIN },
				{ .fd = s_done ? -1 : ktlsd_channel_fd(&s), .events = POLLIN },
			};

			ASSERT_LT(0, poll(pfd, 2, test_ms(30000)));
			if (pfd[0].revents) {
				c_rc = ktlsd_channel_finish(&c, &cres);
				c_done = c_rc == 0 || errno != EAGAIN;
			}
			if (pfd[1].revents) {
				s_rc = ktlsd_channel_finish(&s, &sres);
				s_done = s_rc == 0 || errno != EAGAIN;
			}
		}
		ASSERT_EQ(0, c_rc) TH_LOG("pair %d, client: %s", i, cres.message);
		ASSERT_EQ(0, s_rc) TH_LOG("pair %d, server: %s", i, sres.message);
		EXPECT_EQ(KTLSD_MODE_SW, cres.tx_mode);
		EXPECT_EQ(KTLSD_MODE_SW, sres.rx_mode);
		ASSERT_EQ(5, write(client, "hello", 5));
		EXPECT_EQ(5, recv_str(server, buf, sizeof(buf), &alert));
		EXPECT_STREQ("hello", buf);
		close(client);
		close(server);
	}
	ktlsd_channel_close(&c);
	ktlsd_channel_close(&s);
}

TEST_HARNESS_MAIN
