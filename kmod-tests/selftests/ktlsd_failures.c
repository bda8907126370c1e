// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsd_failures: every way a hand-off can go wrong, seen from both sides:
 * the peer must report the alert that fits, the application the status
 * that fits, and the daemon must carry on serving.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktlsd_env.h"
#include "test_time.h"

KTLSD_ENV_SUITE(env)

FIXTURE(fail)
{
	int port;
	char port_str[12], connect_to[32], ca[128], server_log[160], client_log[160];
};

FIXTURE_SETUP(fail)
{
	char name[32];

	if (!ktlsd_test_selected(_metadata->name))
		return;
	ASSERT_TRUE(env.ready) TH_LOG("test environment: %s", env.error);
	self->port = free_port();
	ASSERT_LT(0, self->port);
	snprintf(self->port_str, sizeof(self->port_str), "%d", self->port);
	snprintf(self->connect_to, sizeof(self->connect_to), "127.0.0.1:%d", self->port);
	env_path(&env, self->ca, sizeof(self->ca), "ca.crt");
	snprintf(name, sizeof(name), "%d-server.log", self->port);
	env_path(&env, self->server_log, sizeof(self->server_log), name);
	snprintf(name, sizeof(name), "%d-client.log", self->port);
	env_path(&env, self->client_log, sizeof(self->client_log), name);
}

FIXTURE_TEARDOWN(fail)
{
	EXPECT_TRUE(ktlsd_env_daemon_alive(&env)) TH_LOG("ktlsd died");
}

static char *pki(const char *name)
{
	static char paths[8][160];
	static int next;
	char *p = paths[next++ % 8];

	env_path(&env, p, sizeof(paths[0]), name);
	return p;
}

/*
 * Run @server and @client once; return the client's exit code. The server
 * (s_server -naccept 1) ends by itself with its one connection, once it has
 * logged what the client did: wait for that, not just for the client, before
 * its log is read. Closing its stdin first would end it early ("DONE") and
 * lose the alert. Stopped only if it does not end in time.
 */
static int attempt(struct proc *server, struct proc *client, int port)
{
	server->exit_code = client->exit_code = -1;
	if (proc_start(server, &env) < 0 || wait_listening(port, test_ms(10000)) < 0)
		return -100;
	if (proc_start(client, &env) < 0)
		return -101;
	client->exit_code = proc_wait(client->pid, test_ms(60000));
	server->exit_code = proc_wait_nokill(server->pid, test_ms(10000));
	if (server->exit_code == -2) {
		if (server->in_fd >= 0)
			close(server->in_fd);
		kill(server->pid, SIGTERM);
		server->exit_code = proc_wait(server->pid, test_ms(10000));
	}
	return client->exit_code;
}

/* Client role against openssl s_server presenting @cert, verifying as @name. */
static int client_vs_s_server(FIXTURE_DATA(fail) *self, const char *cert, const char *name)
{
	char crt[32], key[32];
	struct proc server = { .in = IN_HOLD }, client = { .in = IN_NULL };

	snprintf(crt, sizeof(crt), "%s.crt", cert);
	snprintf(key, sizeof(key), "%s.key", cert);
	{
		const char *s[] = { "openssl", "s_server", "-accept", self->connect_to, "-cert", pki(crt),
				    "-key", pki(key), "-tls1_2", "-naccept", "1", NULL };
		const char *c[] = { env.ktlscat, "-v", "-t", env.handoff_ms, "-S", env.sock, "-p", "cli",
				    "-n", name, "127.0.0.1", self->port_str, NULL };

		memcpy(server.argv, s, sizeof(s));
		memcpy(client.argv, c, sizeof(c));
	}
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	snprintf(client.log, sizeof(client.log), "%s", self->client_log);
	return attempt(&server, &client, self->port);
}

TEST_F(fail, untrusted_server_certificate)
{
	KTLSD_SELECT();
	EXPECT_EQ(1, client_vs_s_server(self, "untrusted", "localhost"));
	EXPECT_TRUE(file_contains(self->client_log, "peer certificate: unknown CA"));
	EXPECT_TRUE(file_contains(self->client_log, "BR_ERR_X509_NOT_TRUSTED"));
	EXPECT_TRUE(file_contains(self->client_log, "sent alert unknown_ca"));
	EXPECT_TRUE(file_contains(self->server_log, "SSL alert number 48"))
		TH_LOG("s_server did not receive unknown_ca (see %s)", self->server_log);
}

TEST_F(fail, expired_server_certificate)
{
	KTLSD_SELECT();
	EXPECT_EQ(1, client_vs_s_server(self, "expired", "localhost"));
	EXPECT_TRUE(file_contains(self->client_log, "expired or not yet valid"));
	EXPECT_TRUE(file_contains(self->client_log, "Key has expired"));
	EXPECT_TRUE(file_contains(self->server_log, "SSL alert number 45"));
}

TEST_F(fail, server_name_mismatch)
{
	KTLSD_SELECT();
	EXPECT_EQ(1, client_vs_s_server(self, "server-ec", "not-localhost.example"));
	EXPECT_TRUE(file_contains(self->client_log, "does not match the server name"));
	EXPECT_TRUE(file_contains(self->client_log, "BR_ERR_X509_BAD_SERVER_NAME"));
	EXPECT_TRUE(file_contains(self->server_log, "SSL alert number 42"));
}

TEST_F(fail, trusted_server_certificate_verifies)
{
	KTLSD_SELECT();
	EXPECT_EQ(0, client_vs_s_server(self, "server-ec", "localhost"));
	EXPECT_TRUE(file_contains(self->client_log, "peer CN=localhost DNS=localhost (verified)"));
}

/* Server role: ktlscat -l with @profile, s_client -tls1_2 with @extra arguments. */
static int server_vs_s_client(FIXTURE_DATA(fail) *self, const char *profile, const char *const *extra)
{
	const char *args[16] = { "-tls1_2", "-nocommands" };
	size_t n = 2;

	for (size_t i = 0; extra[i] && n < 15; i++)
		args[n++] = extra[i];
	return ktlscat_vs_s_client(&env, self->port, profile, args, 0, self->server_log,
				   self->client_log);
}

TEST_F(fail, missing_client_certificate)
{
	KTLSD_SELECT();
	const char *none[] = { NULL };

	EXPECT_EQ(1, server_vs_s_client(self, "srv-mtls", none));
	EXPECT_TRUE(file_contains(self->server_log, "certificate, one is required"));
	EXPECT_TRUE(file_contains(self->server_log, "Required key not available"))
		TH_LOG("expected ENOKEY; see %s", self->server_log);
	EXPECT_TRUE(file_contains(self->client_log, "SSL alert number 40"));
}

TEST_F(fail, client_certificate_accepted)
{
	KTLSD_SELECT();
	const char *cert[] = { "-cert", pki("client.crt"), "-key", pki("client.key"), NULL };

	EXPECT_EQ(0, server_vs_s_client(self, "srv-mtls", cert));
	EXPECT_TRUE(file_contains(self->server_log, "peer CN=ktlsd-test-client"));
	EXPECT_TRUE(file_contains(self->server_log, "(verified)"));
}

TEST_F(fail, client_certificate_from_another_ca)
{
	KTLSD_SELECT();
	const char *cert[] = { "-cert", pki("untrusted.crt"), "-key", pki("untrusted.key"), NULL };

	EXPECT_EQ(1, server_vs_s_client(self, "srv-mtls", cert));
	EXPECT_TRUE(file_contains(self->server_log, "BR_ERR_X509_NOT_TRUSTED"));
	EXPECT_TRUE(file_contains(self->client_log, "SSL alert number 48"));
}

TEST_F(fail, no_shared_cipher)
{
	KTLSD_SELECT();
	/* An ECDSA certificate cannot serve an RSA suite. */
	const char *rsa_only[] = { "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", NULL };

	EXPECT_EQ(1, server_vs_s_client(self, "srv-ec", rsa_only));
	EXPECT_TRUE(file_contains(self->server_log, "handshake_failure"));
	EXPECT_TRUE(file_contains(self->client_log, "SSL alert number 40"));
}

TEST_F(fail, alpn_mismatch)
{
	KTLSD_SELECT();
	const char *alpn[] = { "-alpn", "spdy/1", NULL };

	EXPECT_EQ(1, server_vs_s_client(self, "srv-alpn", alpn));
	EXPECT_TRUE(file_contains(self->server_log, "no_application_protocol"));
	EXPECT_TRUE(file_contains(self->client_log, "SSL alert number 120"));
}

TEST_F(fail, alpn_negotiated)
{
	KTLSD_SELECT();
	const char *alpn[] = { "-alpn", "spdy/1,http/1.1", NULL };

	EXPECT_EQ(0, server_vs_s_client(self, "srv-alpn", alpn));
	EXPECT_TRUE(file_contains(self->server_log, "alpn http/1.1"));
}

/* ktlscat serving one connection that the test drives by hand. */
static pid_t raw_server(FIXTURE_DATA(fail) *self, struct proc *server, int once)
{
	const char *s[] = { env.ktlscat, "-v", "-t", env.handoff_ms, "-S", env.sock, "-b", "127.0.0.1",
			    "-l", self->port_str, "-p", "srv-ec", "--echo", once ? "--once" : NULL, NULL };

	memcpy(server->argv, s, sizeof(s));
	server->in = IN_NULL;
	snprintf(server->log, sizeof(server->log), "%s", self->server_log);
	if (proc_start(server, &env) < 0 || wait_listening(self->port, test_ms(10000)) < 0)
		return -1;
	return server->pid;
}

static int tcp_connect(int port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int tcp_local_port(int fd)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	return getsockname(fd, (struct sockaddr *)&addr, &len) ? -1 : ntohs(addr.sin_port);
}

/* The number logged right after @prefix in the file @path, or -1. */
static long logged_number(const char *path, const char *prefix)
{
	char buf[65536], *at;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	at = strstr(buf, prefix);
	return at ? strtol(at + strlen(prefix), NULL, 10) : -1;
}

/* Read what the daemon sends until it closes (bounded); returns the count. */
static ssize_t read_until_closed(int fd, uint8_t *buf, size_t size, int timeout_ms)
{
	size_t got = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, timeout_ms) == 1) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == size)
			break;
	}
	return (ssize_t)got;
}

TEST_F(fail, silent_peer_times_out)
{
	KTLSD_SELECT();
	static const uint8_t user_canceled[] = { 21, 3, 3, 0, 2, 2, 90 };
	struct proc server = { 0 };
	uint8_t buf[64];
	int fd;

	ASSERT_LT(0, raw_server(self, &server, 1));
	fd = tcp_connect(self->port);
	ASSERT_LE(0, fd);
	/* Say nothing; the daemon's handshake_timeout is 3 s (scaled). */
	EXPECT_EQ((ssize_t)sizeof(user_canceled),
		  read_until_closed(fd, buf, sizeof(buf), test_ms(20000)));
	EXPECT_EQ(0, memcmp(buf, user_canceled, sizeof(user_canceled)))
		TH_LOG("expected a plaintext fatal user_canceled alert");
	close(fd);
	EXPECT_EQ(1, proc_wait(server.pid, test_ms(20000)));
	/* Not before its handshake_timeout (scaled): the figure may be the time it took. */
	EXPECT_LE(env.handshake_timeout_ms, logged_number(self->server_log, "handshake timed out after "))
		TH_LOG("see %s", self->server_log);
	EXPECT_TRUE(file_contains(self->server_log, "Connection timed out"));
}

TEST_F(fail, peer_resets_mid_handshake)
{
	KTLSD_SELECT();
	static const uint8_t partial_hello[] = { 22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3 };
	struct linger hard = { .l_onoff = 1, .l_linger = 0 };
	struct proc server = { 0 };
	uint8_t buf[64];
	int fd;

	ASSERT_LT(0, raw_server(self, &server, 1));
	fd = tcp_connect(self->port);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(partial_hello), write(fd, partial_hello, sizeof(partial_hello)));
	/* The daemon has the bytes first (it read them all), then the reset. */
	EXPECT_EQ(0, wait_tcp_drained(self->port, tcp_local_port(fd), test_ms(20000)))
		TH_LOG("the half hello was never read");
	/* It answers nothing to half a hello. */
	EXPECT_EQ(0, read_until_closed(fd, buf, sizeof(buf), 300));
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
	close(fd);
	EXPECT_EQ(1, proc_wait(server.pid, test_ms(20000)));
	EXPECT_TRUE(file_contains(self->server_log, "the peer reset the connection") ||
		    file_contains(self->server_log, "closed the connection during the handshake"))
		TH_LOG("see %s", self->server_log);
}

TEST_F(fail, peer_closes_mid_handshake)
{
	KTLSD_SELECT();
	static const uint8_t partial_hello[] = { 22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3 };
	struct proc server = { 0 };
	int fd;

	ASSERT_LT(0, raw_server(self, &server, 1));
	fd = tcp_connect(self->port);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(partial_hello), write(fd, partial_hello, sizeof(partial_hello)));
	shutdown(fd, SHUT_WR);
	EXPECT_EQ(1, proc_wait(server.pid, test_ms(20000)));
	EXPECT_TRUE(file_contains(self->server_log, "closed the connection during the handshake"));
	EXPECT_TRUE(file_contains(self->server_log, "Software caused connection abort"));
	if (!file_contains(self->server_log, "closed the connection during the handshake"))
		show_file(self->server_log);
	close(fd);
}

/*
 * 200 hostile openings (fixed seed): random bytes, and handshake records
 * with random bodies. Each is answered (alert or close) without stalling
 * the daemon, which then serves a real client.
 */
TEST_F_TIMEOUT(fail, malformed_hellos_then_a_good_handshake, 600)
{
	KTLSD_SELECT();
	struct proc server = { 0 }, good_server = { .in = IN_NULL }, good_client = { .in = IN_HOLD, .checked = 1 };
	struct pair_result r;
	uint32_t rng = 20261121;
	uint8_t junk[2048], buf[256];
	int answered = 0;

	ASSERT_LT(0, raw_server(self, &server, 0));
	for (int i = 0; i < 200; i++) {
		size_t len;
		int fd = tcp_connect(self->port);

		ASSERT_LE(0, fd);
		rng = rng * 1103515245u + 12345u;
		len = 1 + (rng >> 8) % sizeof(junk);
		for (size_t j = 0; j < len; j++) {
			rng = rng * 1103515245u + 12345u;
			junk[j] = (uint8_t)(rng >> 16);
		}
		if (i % 2 && len > 9) {
			/* A handshake record, a ClientHello type, a plausible length. */
			static const uint8_t head[] = { 22, 3, 1 };

			memcpy(junk, head, sizeof(head));
			junk[3] = (uint8_t)((len - 5) >> 8);
			junk[4] = (uint8_t)(len - 5);
			junk[5] = 1;
		}
		if (write(fd, junk, len) != (ssize_t)len) {
			close(fd);
			continue;
		}
		shutdown(fd, SHUT_WR);
		/* The daemon answers (alert, or just closes) long before its timeout. */
		read_until_closed(fd, buf, sizeof(buf), test_ms(2500));
		answered++;
		close(fd);
	}
	EXPECT_EQ(200, answered);
	kill(server.pid, SIGTERM);
	proc_wait(server.pid, test_ms(10000));
	EXPECT_TRUE(ktlsd_env_daemon_alive(&env)) TH_LOG("ktlsd died under malformed hellos");

	/* And now a real client gets served, by the same daemon. */
	{
		const char *s[] = { env.ktlscat, "-v", "-t", env.handoff_ms, "-S", env.sock, "-b",
				    "127.0.0.1", "-l", self->port_str, "-p", "srv-ec", "--once", "--sendfile",
				    env.payload_b, NULL };
		const char *c[] = { "openssl", "s_client", "-connect", self->connect_to, "-quiet", NULL };

		memcpy(good_server.argv, s, sizeof(s));
		memcpy(good_client.argv, c, sizeof(c));
		snprintf(good_server.log, sizeof(good_server.log), "%s.good", self->server_log);
		snprintf(good_client.log, sizeof(good_client.log), "%s", self->client_log);
		EXPECT_EQ(0, run_pair(&good_server, self->port, &good_client, env.size,
				      PAYLOAD_B_SEED, test_s(600), &r)) TH_LOG("%s", r.why);
	}
}

/* A caller the profile does not list is refused, and learns why. */
TEST_F(fail, caller_not_allowed_gets_eacces)
{
	KTLSD_SELECT();
	int lfd, status;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	char port[12];
	pid_t pid;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, listen(lfd, 1));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&addr, &len));
	snprintf(port, sizeof(port), "%d", ntohs(addr.sin_port));
	pid = fork();
	if (pid == 0) {
		int log = open(self->client_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(log, 1);
		dup2(log, 2);
		/* nobody: the profile "users" admits uid 0 only. */
		if (setgid(65534) || setuid(65534))
			_exit(99);
		execl(env.ktlscat, env.ktlscat, "-t", env.handoff_ms, "-S", env.sock, "-p", "users",
		      "127.0.0.1", port, NULL);
		_exit(98);
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(1, WEXITSTATUS(status)) TH_LOG("see %s", self->client_log);
	/* No profile admits nobody: the same words whatever the name (no enumeration). */
	EXPECT_TRUE(file_contains(self->client_log, "no profile allows this caller"));
	EXPECT_TRUE(file_contains(self->client_log, "Permission denied"));
	close(lfd);
}

TEST_F(fail, unknown_profile)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL };
	const char *s[] = { env.ktlscat, "-t", env.handoff_ms, "-S", env.sock, "-b", "127.0.0.1",
			    "-l", self->port_str, "-p", "no-such-profile", "--once", NULL };
	int fd;

	memcpy(server.argv, s, sizeof(s));
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	ASSERT_LE(0, proc_start(&server, &env));
	ASSERT_EQ(0, wait_listening(self->port, test_ms(10000)));
	fd = tcp_connect(self->port);
	EXPECT_EQ(1, proc_wait(server.pid, test_ms(20000)));
	EXPECT_TRUE(file_contains(self->server_log, "no such profile 'no-such-profile'"));
	EXPECT_TRUE(file_contains(self->server_log, "No such process"));
	close(fd);
}

/*
 * Short writes everywhere: the smallest socket buffers the kernel allows
 * (SO_SNDBUF/SO_RCVBUF of 1 are raised to its minimum) and write() sizes
 * from 1 byte to 1 MiB. Not a byte may be lost or moved.
 */
TEST_F_TIMEOUT(fail, tiny_buffers_and_odd_writes_server_role, 600)
{
	struct proc server = { .in = IN_NULL }, client = { .in = IN_HOLD, .checked = 1 };
	struct pair_result r;
	const char *s[] = { env.ktlscat, "-v", "-t", env.handoff_ms, "-S", env.sock, "-b", "127.0.0.1",
			    "-l", self->port_str, "-p", "srv-ec", "--once", "--bufsize", "1",
			    "--write-sizes", "1-1048576", "--send", env.payload_b, NULL };
	const char *c[] = { "openssl", "s_client", "-connect", self->connect_to, "-quiet", NULL };

	KTLSD_SELECT();
	memcpy(server.argv, s, sizeof(s));
	memcpy(client.argv, c, sizeof(c));
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	snprintf(client.log, sizeof(client.log), "%s", self->client_log);
	EXPECT_EQ(0, run_pair(&server, self->port, &client, env.size, PAYLOAD_B_SEED,
			      test_s(60 + 8 * (int)(env.size >> 20)), &r)) TH_LOG("%s", r.why);
}

TEST_F_TIMEOUT(fail, tiny_buffers_and_odd_writes_client_role, 600)
{
	struct proc server = { .in = IN_HOLD, .checked = 1 }, client = { .in = IN_NULL };
	struct pair_result r;
	const char *s[] = { "openssl", "s_server", "-accept", self->connect_to, "-cert",
			    pki("server-ec.crt"), "-key", pki("server-ec.key"), "-quiet",
			    "-naccept", "1", NULL };
	const char *c[] = { env.ktlscat, "-v", "-t", env.handoff_ms, "-S", env.sock, "-p", "cli",
			    "-n", "localhost", "--bufsize", "1", "--write-sizes", "1-1048576", "--send",
			    env.payload_a, "127.0.0.1", self->port_str, NULL };

	KTLSD_SELECT();
	memcpy(server.argv, s, sizeof(s));
	memcpy(client.argv, c, sizeof(c));
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	snprintf(client.log, sizeof(client.log), "%s", self->client_log);
	EXPECT_EQ(0, run_pair(&server, self->port, &client, env.size, PAYLOAD_A_SEED,
			      test_s(60 + 8 * (int)(env.size >> 20)), &r)) TH_LOG("%s", r.why);
}

TEST_HARNESS_MAIN
