// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsd_hostile: peers that do legal but awkward things, and records that
 * are not what they claim, where kernel TLS is needed to see the outcome.
 *   - a client that half-closes TCP right after its Finished (6.1 refuses
 *     TCP_ULP once the socket has left ESTABLISHED);
 *   - a record that fails authentication, or is too long, after the
 *     hand-off: the peer must get bad_record_mac / record_overflow.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktls_util.h"
#include "ktlsd.h"
#include "ktlsd_env.h"
#include "proc_look.h"
#include "test_time.h"

KTLSD_ENV_SUITE(env)

#define HALF_CLOSE_ROUNDS 200

static int listen_local(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* One round: flight_peer half-closes after its Finished; we hand off as server. */
static int half_close_round(int lfd, int port, const char *priority, char *why, size_t whylen)
{
	struct ktlsd_request req = { .role = KTLSD_ROLE_SERVER, .profile = "srv-ec" };
	char port_str[12], ca[160], log[160];
	struct ktlsd_result res;
	struct proc peer = { .in = IN_NULL };
	int fd, rc, code;

	snprintf(port_str, sizeof(port_str), "%d", port);
	env_path(&env, ca, sizeof(ca), "ca.crt");
	env_path(&env, log, sizeof(log), "half-close.log");
	peer.argv[0] = env.flight_peer;
	peer.argv[1] = "--half-close";
	peer.argv[2] = port_str;
	peer.argv[3] = "--priority";
	peer.argv[4] = priority;
	peer.argv[5] = "--ca";
	peer.argv[6] = ca;
	snprintf(peer.log, sizeof(peer.log), "%s", log);
	if (proc_start(&peer, &env) < 0) {
		snprintf(why, whylen, "cannot start flight_peer");
		return -1;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	rc = fd < 0 ? -1 : ktlsd_handshake(env.sock, fd, &req, test_ms(20000), &res);
	code = proc_wait(peer.pid, test_ms(20000));
	if (fd >= 0)
		close(fd);
	if (rc < 0) {
		snprintf(why, whylen, "hand-off: %s (%s)", res.message, strerrorname_np(res.status));
		return -1;
	}
	if (code != 0) {
		snprintf(why, whylen, "flight_peer exited %d (see %s)", code, log);
		return -1;
	}
	return 0;
}

static void half_close_rounds(struct __test_metadata *_metadata, const char *priority, int rounds)
{
	char why[256] = "";
	int port, lfd, failed = 0;

	ASSERT_TRUE(env.ready) TH_LOG("test environment: %s", env.error);
	lfd = listen_local(&port);
	ASSERT_LE(0, lfd);
	for (int i = 0; i < rounds; i++)
		if (half_close_round(lfd, port, priority, why, sizeof(why)) < 0 && failed++ == 0)
			TH_LOG("round %d: %s", i, why);
	close(lfd);
	EXPECT_EQ(0, failed) TH_LOG("%d of %d half-closing peers lost their hand-off",
				    failed, rounds);
	EXPECT_TRUE(ktlsd_env_daemon_alive(&env));
}

/*
 * Each round starts a gnutls peer and runs a handshake: under TCG on a busy
 * machine 200 of them need more than the harness's default 30 s (scaled).
 */
FIXTURE(half_close) {
	int unused;
};

FIXTURE_SETUP(half_close)
{
}

FIXTURE_TEARDOWN(half_close)
{
}

TEST_F_TIMEOUT(half_close, right_after_finished, 600)
{
	KTLSD_SELECT();
	half_close_rounds(_metadata, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM",
			  HALF_CLOSE_ROUNDS);
}

/* The same with TLS 1.3: the client's Finished is its last flight there too. */
TEST_F_TIMEOUT(half_close, right_after_finished_tls13, 600)
{
	KTLSD_SELECT();
	half_close_rounds(_metadata, "NORMAL:-VERS-ALL:+VERS-TLS1.3", HALF_CLOSE_ROUNDS / 4);
}

/*
 * Our side reads with ktlsd_recv() under kTLS with known test keys; the
 * other side writes a forged record in the clear, then installs the key our
 * side sends with, to read the alert that came back.
 */
static void forged_record(struct __test_metadata *_metadata, uint16_t body_len,
			  int want_errno, int want_alert)
{
	struct ktls_keys ours_tx, ours_rx, theirs_rx;
	uint8_t rec[5 + 64] = { 23, 3, 3, 0, 0 }, buf[64], type = 0;
	int ours, theirs, alert = 0;
	ssize_t n;

	ASSERT_EQ(0, ktls_tcp_pair(&ours, &theirs));
	ASSERT_EQ(0, ktls_test_keys(&ours_tx, TLS_CIPHER_AES_GCM_128, 1, 1));
	ASSERT_EQ(0, ktls_test_keys(&ours_rx, TLS_CIPHER_AES_GCM_128, 2, 1));
	ASSERT_EQ(0, ktls_test_keys(&theirs_rx, TLS_CIPHER_AES_GCM_128, 1, 1));
	ASSERT_EQ(0, ktls_install(ours, TLS_TX, &ours_tx));
	ASSERT_EQ(0, ktls_install(ours, TLS_RX, &ours_rx));
	/* A header claiming @body_len bytes, and 64 bytes of nothing. */
	rec[3] = (uint8_t)(body_len >> 8);
	rec[4] = (uint8_t)body_len;
	ASSERT_EQ((ssize_t)sizeof(rec), write(theirs, rec, sizeof(rec)));
	n = ktlsd_recv(ours, buf, sizeof(buf), 0, &alert);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(want_errno, errno) TH_LOG("ktlsd_recv: %s", strerror(errno));
	ASSERT_EQ(0, ktls_install(theirs, TLS_RX, &theirs_rx));
	n = ktls_recv_record(theirs, &type, buf, sizeof(buf));
	EXPECT_EQ(2, n) TH_LOG("no alert came back: %s", n < 0 ? strerror((int)-n) : "short");
	EXPECT_EQ(TLS_RECORD_ALERT, type);
	if (n == 2) {
		EXPECT_EQ(KTLSD_ALERT_FATAL, buf[0]);
		EXPECT_EQ(want_alert, buf[1]);
	}
	close(ours);
	close(theirs);
}

TEST(bad_record_gets_bad_record_mac)
{
	KTLSD_SELECT();
	forged_record(_metadata, 64, EBADMSG, KTLSD_ALERT_BAD_RECORD_MAC);
}

TEST(oversized_record_gets_record_overflow)
{
	KTLSD_SELECT();
	/* 2^14 + 2048 + 1: longer than any TLS 1.2 ciphertext may be. */
	forged_record(_metadata, 16384 + 2048 + 1, EMSGSIZE, KTLSD_ALERT_RECORD_OVERFLOW);
}

#define MAX_SECRETS 64

/* The secrets of a key log (NSS format), in order, and their length. */
struct key_log {
	uint8_t secret[MAX_SECRETS][48];
	size_t len[MAX_SECRETS];
	int count;
};

/*
 * Read every secret of @path: TLS 1.2's CLIENT_RANDOM master secrets, TLS
 * 1.3's traffic and exporter secrets (32 or 48 bytes, by the suite's hash).
 */
static int read_key_log(const char *path, struct key_log *log)
{
	char line[512], label[64], hex[97];
	FILE *f = fopen(path, "r");

	log->count = 0;
	if (!f)
		return -1;
	while (log->count < MAX_SECRETS && fgets(line, sizeof(line), f)) {
		size_t len;

		if (sscanf(line, "%63s %*64s %96s", label, hex) != 2)
			continue;
		len = strlen(hex) / 2;
		if (len != 32 && len != 48)
			continue;
		for (size_t i = 0; i < len; i++)
			sscanf(hex + 2 * i, "%2hhx", &log->secret[log->count][i]);
		log->len[log->count++] = len;
	}
	fclose(f);
	return log->count;
}

/* Mark in @found each of @log's secrets that occurs in @pid's writable memory; -1 if unreadable. */
static int scan_memory(pid_t pid, const struct key_log *log, uint8_t *found)
{
	const uint8_t *needles[MAX_SECRETS];
	size_t lens[MAX_SECRETS];

	for (int k = 0; k < log->count; k++) {
		needles[k] = log->secret[k];
		lens[k] = log->len[k];
	}
	return proc_scan_memory(pid, needles, lens, log->count, found);
}

/*
 * How many of @log's secrets occur in the writable memory of ktlsd's
 * processes: the supervisor and every worker; -1 if one is unreadable.
 */
static int secrets_in_memory(pid_t daemon, const struct key_log *log)
{
	uint8_t found[MAX_SECRETS] = { 0 };
	pid_t workers[64];
	int n = proc_children(daemon, workers, 64), count = 0;

	if (n < 1 || scan_memory(daemon, log, found) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (scan_memory(workers[i], log, found) < 0)
			return -1;
	for (int k = 0; k < log->count; k++)
		count += found[k];
	return count;
}

/*
 * After its handshakes end, @expect_left of the session secrets are left
 * in the memory of ktlsd's processes (all of them, or none): the peer
 * (openssl s_client @version) logs them, we look for them.
 */
static void secrets_left(struct __test_metadata *_metadata, const char *profile, const char *version,
			 int per_handshake, int all_left)
{
	struct ktlsd_request req = { .role = KTLSD_ROLE_SERVER, .profile = profile };
	char port_str[12], connect_to[32], keylog[160], log[160];
	static struct key_log secrets;
	int port, lfd, n, left = -1;

	ASSERT_TRUE(env.ready) TH_LOG("test environment: %s", env.error);
	lfd = listen_local(&port);
	ASSERT_LE(0, lfd);
	snprintf(port_str, sizeof(port_str), "%d", port);
	snprintf(connect_to, sizeof(connect_to), "127.0.0.1:%d", port);
	env_path(&env, keylog, sizeof(keylog), "keylog.txt");
	env_path(&env, log, sizeof(log), "keylog-client.log");
	unlink(keylog);
	for (int i = 0; i < 8; i++) {
		struct proc client = { .in = IN_NULL };
		struct ktlsd_result res;
		int fd, rc;

		client.argv[0] = "openssl";
		client.argv[1] = "s_client";
		client.argv[2] = "-connect";
		client.argv[3] = connect_to;
		client.argv[4] = version;
		client.argv[5] = "-keylogfile";
		client.argv[6] = keylog;
		client.argv[7] = "-quiet";
		snprintf(client.log, sizeof(client.log), "%s", log);
		ASSERT_LT(0, proc_start(&client, &env));
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		ASSERT_LE(0, fd);
		rc = ktlsd_handshake(env.sock, fd, &req, test_ms(20000), &res);
		EXPECT_EQ(0, rc) TH_LOG("hand-off %d: %s", i, res.message);
		ktlsd_send_close_notify(fd);
		close(fd);
		proc_wait(client.pid, test_ms(20000));
	}
	close(lfd);
	n = read_key_log(keylog, &secrets);
	ASSERT_EQ(8 * per_handshake, n) TH_LOG("the key log holds %d secrets", n);
	/* Freed at the end of the daemon's event batch: wait for that, bounded. */
	for (int tries = 0; tries < 100 && left != (all_left ? n : 0); tries++) {
		left = secrets_in_memory(env.daemon, &secrets);
		if (left != (all_left ? n : 0))
			poll(NULL, 0, test_ms(20));
	}
	EXPECT_EQ(all_left ? n : 0, left)
		TH_LOG("%d of %d secrets are in the memory of ktlsd's processes", left, n);
}

TEST(no_session_secret_outlives_its_handshake)
{
	KTLSD_SELECT();
	/* One master secret per handshake; a profile that resumes nothing. */
	secrets_left(_metadata, "srv-notickets", "-tls1_2", 1, 0);
}

/*
 * With the TLS 1.2 session cache on (the default), the master secrets stay,
 * in the cache the workers share, for ticket_lifetime: what resumption
 * needs (and ktlsd.conf(5) says). Also the proof that the scan finds them.
 */
TEST(tls12_session_cache_keeps_master_secrets)
{
	KTLSD_SELECT();
	secrets_left(_metadata, "srv-ec", "-tls1_2", 1, 1);
}

TEST(no_tls13_secret_outlives_its_handshake)
{
	KTLSD_SELECT();
	/* Both handshake and both application traffic secrets, the exporter's (tickets on). */
	secrets_left(_metadata, "srv-ec", "-tls1_3", 5, 0);
}

TEST_HARNESS_MAIN
