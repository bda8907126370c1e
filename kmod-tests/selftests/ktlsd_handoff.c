// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsd_handoff: the hand-off against real TLS stacks. ktlscat hands its
 * sockets to ktlsd; the peers are the host's own openssl, gnutls and curl.
 * Every cipher kTLS carries, with ECDSA P-256 and RSA-2048 certificates;
 * data each way, with write() and sendfile(), checked byte for byte and by
 * SHA-256 (KTLSD_TEST_MIB MiB per transfer, 16 by default).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktlsd_env.h"
#include "test_time.h"

KTLSD_ENV_SUITE(env)

FIXTURE(handoff)
{
	int port;
	char port_str[12], connect_to[32], ca[128], crt[128], key[128], priority[160];
	char server_log[160], client_log[160];
};

FIXTURE_VARIANT(handoff)
{
	const char *suite;	/* OpenSSL's name */
	const char *gnutls;	/* GnuTLS's name of the cipher */
	const char *cert;	/* server certificate (and profile) kind */
};

#define VARIANT(name, s, g, c) \
	FIXTURE_VARIANT_ADD(handoff, name) { .suite = s, .gnutls = g, .cert = c }

VARIANT(ecdsa_aes128_gcm, "ECDHE-ECDSA-AES128-GCM-SHA256", "AES-128-GCM", "ec");
VARIANT(ecdsa_aes256_gcm, "ECDHE-ECDSA-AES256-GCM-SHA384", "AES-256-GCM", "ec");
VARIANT(ecdsa_chacha20, "ECDHE-ECDSA-CHACHA20-POLY1305", "CHACHA20-POLY1305", "ec");
VARIANT(rsa_aes128_gcm, "ECDHE-RSA-AES128-GCM-SHA256", "AES-128-GCM", "rsa");
VARIANT(rsa_aes256_gcm, "ECDHE-RSA-AES256-GCM-SHA384", "AES-256-GCM", "rsa");
VARIANT(rsa_chacha20, "ECDHE-RSA-CHACHA20-POLY1305", "CHACHA20-POLY1305", "rsa");

FIXTURE_SETUP(handoff)
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
	snprintf(name, sizeof(name), "server-%s.crt", variant->cert);
	env_path(&env, self->crt, sizeof(self->crt), name);
	snprintf(name, sizeof(name), "server-%s.key", variant->cert);
	env_path(&env, self->key, sizeof(self->key), name);
	snprintf(self->priority, sizeof(self->priority),
		 "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+%s", variant->gnutls);
	snprintf(name, sizeof(name), "%d-server.log", self->port);
	env_path(&env, self->server_log, sizeof(self->server_log), name);
	snprintf(name, sizeof(name), "%d-client.log", self->port);
	env_path(&env, self->client_log, sizeof(self->client_log), name);
}

FIXTURE_TEARDOWN(handoff)
{
	EXPECT_TRUE(ktlsd_env_daemon_alive(&env));
}

/* ktlscat as the server: profile srv-ec or srv-rsa. */
/* Without @mode, ktlscat only receives (-d), until the peer closes. */
static void ktlscat_server(struct proc *p, FIXTURE_DATA(handoff) *self,
			   const FIXTURE_VARIANT(handoff) *variant, const char *mode)
{
	static char profile[16];

	snprintf(profile, sizeof(profile), "srv-%s", variant->cert);
	ktlscat_server_argv(p, &env, self->port_str, profile, mode, mode ? env.payload_b : NULL,
			    self->server_log);
}

/*
 * ktlscat as the client, verifying the peer as "localhost" against ca.crt:
 * sending @send_file; or, without it, only receiving (-d) when @receive_only,
 * else in stdio mode (stdin to the peer, the peer's data to stdout).
 */
static void ktlscat_client(struct proc *p, FIXTURE_DATA(handoff) *self, const char *send_file,
			   int receive_only)
{
	ktlscat_client_argv(p, &env, self->port_str, "cli", send_file, receive_only, self->client_log);
}

static void s_client(struct proc *p, FIXTURE_DATA(handoff) *self,
		     const FIXTURE_VARIANT(handoff) *variant, int quiet)
{
	const char *args[] = {
		"openssl", "s_client", "-connect", self->connect_to, "-servername", "localhost",
		"-verify_hostname", "localhost", "-verify_return_error", "-CAfile", self->ca,
		"-tls1_2", "-cipher", variant->suite, quiet ? "-quiet" : "-nocommands", NULL,
	};

	memcpy(p->argv, args, sizeof(args));
	snprintf(p->log, sizeof(p->log), "%s", self->client_log);
}

static void gnutls_cli(struct proc *p, FIXTURE_DATA(handoff) *self)
{
	static char logfile[200];
	const char *args[] = {
		"gnutls-cli", logfile, "--x509cafile", self->ca, "--priority", self->priority,
		"-p", self->port_str, "localhost", NULL,
	};

	/* Its status lines go to the log, so stdout is the data alone. */
	snprintf(logfile, sizeof(logfile), "--logfile=%s", self->client_log);
	memcpy(p->argv, args, sizeof(args));
	snprintf(p->log, sizeof(p->log), "%s.stderr", self->client_log);
}

/* What ktlscat reports of the hand-off: the suite asked for, software kTLS. */
static int handoff_reported(const char *log, const char *suite)
{
	char want[96];

	snprintf(want, sizeof(want), "TLS 1.2 %s", suite);
	return file_contains(log, want) && file_contains(log, "kTLS tx sw, rx sw");
}

#define RUN(server, client, seed) KTLSD_RUN_PAIR(&env, self->port, server, client, seed)

/* Server role: we send with sendfile(), openssl s_client receives. */
TEST_F_TIMEOUT(handoff, server_sendfile_to_openssl, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL }, client = { .in = IN_HOLD, .checked = 1 };

	ktlscat_server(&server, self, variant, "--sendfile");
	s_client(&client, self, variant, 1);
	RUN(&server, &client, PAYLOAD_B_SEED);
	EXPECT_TRUE(handoff_reported(self->server_log, variant->suite));
}

/* Server role: openssl s_client sends, we receive. */
TEST_F_TIMEOUT(handoff, server_receives_from_openssl, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL, .checked = 1 };
	struct proc client = { .in = IN_FILE, .in_file = env.payload_a };

	ktlscat_server(&server, self, variant, NULL);
	s_client(&client, self, variant, 0);
	RUN(&server, &client, PAYLOAD_A_SEED);
	EXPECT_TRUE(handoff_reported(self->server_log, variant->suite));
}

/* Server role: we send with write(), gnutls-cli receives. */
TEST_F_TIMEOUT(handoff, server_writes_to_gnutls, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL }, client = { .in = IN_HOLD, .checked = 1 };

	ktlscat_server(&server, self, variant, "--send");
	gnutls_cli(&client, self);
	RUN(&server, &client, PAYLOAD_B_SEED);
	EXPECT_TRUE(handoff_reported(self->server_log, variant->suite));
}

/* Server role: gnutls-cli sends, we receive. */
TEST_F_TIMEOUT(handoff, server_receives_from_gnutls, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL, .checked = 1 };
	struct proc client = { .in = IN_FILE, .in_file = env.payload_a };

	ktlscat_server(&server, self, variant, NULL);
	gnutls_cli(&client, self);
	RUN(&server, &client, PAYLOAD_A_SEED);
	EXPECT_TRUE(handoff_reported(self->server_log, variant->suite));
}

/* Server role: curl downloads what we send with sendfile(). */
TEST_F_TIMEOUT(handoff, server_sendfile_to_curl, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL }, client = { .in = IN_NULL, .checked = 1 };
	char url[64];
	const char *args[] = {
		"curl", "-sS", "--http0.9", "--cacert", self->ca, "--tlsv1.2", "--tls-max", "1.2",
		"--ciphers", variant->suite, "-o", "-", url, NULL,
	};

	snprintf(url, sizeof(url), "https://localhost:%d/", self->port);
	ktlscat_server(&server, self, variant, "--sendfile");
	memcpy(client.argv, args, sizeof(args));
	snprintf(client.log, sizeof(client.log), "%s", self->client_log);
	RUN(&server, &client, PAYLOAD_B_SEED);
	EXPECT_TRUE(handoff_reported(self->server_log, variant->suite));
}

static void s_server(struct proc *p, FIXTURE_DATA(handoff) *self,
		     const FIXTURE_VARIANT(handoff) *variant)
{
	const char *args[] = {
		"openssl", "s_server", "-accept", self->connect_to, "-cert", self->crt,
		"-key", self->key, "-tls1_2", "-cipher", variant->suite, "-quiet",
		"-naccept", "1", NULL,
	};

	memcpy(p->argv, args, sizeof(args));
	snprintf(p->log, sizeof(p->log), "%s", self->server_log);
}

/* Client role: we send with write(), openssl s_server receives. */
TEST_F_TIMEOUT(handoff, client_writes_to_openssl, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_HOLD, .checked = 1 }, client = { .in = IN_NULL };

	s_server(&server, self, variant);
	ktlscat_client(&client, self, env.payload_a, 0);
	RUN(&server, &client, PAYLOAD_A_SEED);
	EXPECT_TRUE(handoff_reported(self->client_log, variant->suite));
}

/*
 * Client role: openssl s_server sends, we receive. s_server -WWW serves the
 * file on request: with plain s_server, whether it reads its stdin before
 * the handshake ends is a race, and when it does it blocks in SSL_read.
 */
TEST_F_TIMEOUT(handoff, client_receives_from_openssl, 1200)
{
	struct proc server = { .in = IN_NULL };
	struct proc client = { .in = IN_FILE, .checked = 1, .http_body = 1 };
	char request[160];
	FILE *f;
	const char *args[] = {
		"openssl", "s_server", "-accept", self->connect_to, "-cert", self->crt,
		"-key", self->key, "-tls1_2", "-cipher", variant->suite, "-WWW", "-quiet",
		"-naccept", "1", NULL,
	};

	KTLSD_SELECT();
	env_path(&env, request, sizeof(request), "get-payload-b");
	f = fopen(request, "w");
	ASSERT_TRUE(f != NULL);
	fprintf(f, "GET /payload-b HTTP/1.0\r\n\r\n");
	fclose(f);
	memcpy(server.argv, args, sizeof(args));
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	server.cwd = env.dir;
	client.in_file = request;
	/* Not -d: the request is its stdin. */
	ktlscat_client(&client, self, NULL, 0);
	RUN(&server, &client, PAYLOAD_B_SEED);
	EXPECT_TRUE(handoff_reported(self->client_log, variant->suite));
}

/*
 * Client role, both ways at once: gnutls-serv echoes. Its echo is line by
 * line, so the payload is text. The runner feeds ktlscat's stdin and closes
 * it only when every byte is back: gnutls-serv drops what it has not echoed
 * yet when close_notify arrives.
 */
TEST_F_TIMEOUT(handoff, client_echo_through_gnutls, 1200)
{
	struct proc server = { .in = IN_NULL, .keeps_running = 1 };
	struct proc client = { .in = IN_FEED, .checked = 1 };
	const char *args[] = {
		"gnutls-serv", "-p", self->port_str, "--x509certfile", self->crt,
		"--x509keyfile", self->key, "--priority", self->priority, "--echo", NULL,
	};

	KTLSD_SELECT();
	memcpy(server.argv, args, sizeof(args));
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	/* stdio mode, not -d: stdin is the payload. */
	ktlscat_client(&client, self, NULL, 0);
	RUN(&server, &client, PAYLOAD_TEXT_SEED);
	EXPECT_TRUE(handoff_reported(self->client_log, variant->suite));
}

/* flight_peer (GnuTLS) as @role, sending the peers' payload. */
static void flight_peer(struct proc *p, FIXTURE_DATA(handoff) *self, const char *role)
{
	int i = 0;

	p->argv[i++] = env.flight_peer;
	p->argv[i++] = role;
	p->argv[i++] = self->port_str;
	p->argv[i++] = "--priority";
	p->argv[i++] = self->priority;
	if (!strcmp(role, "--client")) {
		p->argv[i++] = "--ca";
		p->argv[i++] = self->ca;
		snprintf(p->log, sizeof(p->log), "%s", self->client_log);
	} else {
		p->argv[i++] = "--cert";
		p->argv[i++] = self->crt;
		p->argv[i++] = "--key";
		p->argv[i++] = self->key;
		snprintf(p->log, sizeof(p->log), "%s", self->server_log);
	}
	p->argv[i++] = env.payload_a;
}

/*
 * Server role, False Start: the client's CCS, Finished and first record of
 * data leave in one send(), before our Finished has reached it. ktlsd must
 * stop reading at the Finished and leave the record to kTLS: not one byte
 * lost. The client then checks our Finished.
 */
TEST_F_TIMEOUT(handoff, server_false_start_flight, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL, .checked = 1 }, client = { .in = IN_NULL };

	ASSERT_EQ(0, access(env.flight_peer, X_OK)) TH_LOG("%s: not built", env.flight_peer);
	ktlscat_server(&server, self, variant, NULL);
	flight_peer(&client, self, "--client");
	RUN(&server, &client, PAYLOAD_A_SEED);
	EXPECT_TRUE(handoff_reported(self->server_log, variant->suite));
	EXPECT_TRUE(file_contains(self->client_log, "first flight:"));
}

/*
 * Client role: the server's CCS, Finished and first record of data arrive
 * in one segment; the record is kTLS's, not the handshake's.
 */
TEST_F_TIMEOUT(handoff, client_finished_flight, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL }, client = { .in = IN_NULL, .checked = 1 };

	ASSERT_EQ(0, access(env.flight_peer, X_OK)) TH_LOG("%s: not built", env.flight_peer);
	flight_peer(&server, self, "--server");
	ktlscat_client(&client, self, NULL, 1);
	RUN(&server, &client, PAYLOAD_A_SEED);
	EXPECT_TRUE(handoff_reported(self->client_log, variant->suite));
	EXPECT_TRUE(file_contains(self->server_log, "first flight:"));
}

TEST_HARNESS_MAIN
