// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsd_tls13: ktlsd's own TLS 1.3 engine (server role) against real TLS
 * 1.3 stacks: openssl s_client, gnutls-cli and curl, each pinned to TLS
 * 1.3. Every suite with ECDSA P-256 and RSA-2048 (RSA-PSS) certificates,
 * data each way with write() and sendfile(), byte for byte; then what
 * version negotiation, HelloRetryRequest, client certificates and failures
 * look like from the peer's side.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktlsd_env.h"
#include "proc_look.h"
#include "test_time.h"

KTLSD_ENV_SUITE(env)

FIXTURE(t13)
{
	int port;
	char port_str[12], connect_to[32], ca[128], priority[160];
	char server_log[160], client_log[160];
};

FIXTURE_VARIANT(t13)
{
	const char *suite;	/* OpenSSL's (and the RFC's) name */
	const char *gnutls;	/* GnuTLS's name of the cipher */
	const char *cert;	/* server certificate (and profile) kind */
	const char *scheme;	/* the signature scheme that certificate makes */
};

#define VARIANT(name, s, g, c, sig) \
	FIXTURE_VARIANT_ADD(t13, name) { .suite = s, .gnutls = g, .cert = c, .scheme = sig }

VARIANT(ecdsa_aes128_gcm, "TLS_AES_128_GCM_SHA256", "AES-128-GCM", "ec", "0x0403");
VARIANT(ecdsa_aes256_gcm, "TLS_AES_256_GCM_SHA384", "AES-256-GCM", "ec", "0x0403");
VARIANT(ecdsa_chacha20, "TLS_CHACHA20_POLY1305_SHA256", "CHACHA20-POLY1305", "ec", "0x0403");
VARIANT(rsa_aes128_gcm, "TLS_AES_128_GCM_SHA256", "AES-128-GCM", "rsa", "0x0804");
VARIANT(rsa_aes256_gcm, "TLS_AES_256_GCM_SHA384", "AES-256-GCM", "rsa", "0x0804");
VARIANT(rsa_chacha20, "TLS_CHACHA20_POLY1305_SHA256", "CHACHA20-POLY1305", "rsa", "0x0804");

static void fixture_paths(struct __test_metadata *_metadata, int *port, char *port_str,
			  char *connect_to, char *ca, char *server_log, char *client_log)
{
	char name[32];

	ASSERT_TRUE(env.ready) TH_LOG("test environment: %s", env.error);
	*port = free_port();
	ASSERT_LT(0, *port);
	snprintf(port_str, 12, "%d", *port);
	snprintf(connect_to, 32, "127.0.0.1:%d", *port);
	env_path(&env, ca, 128, "ca.crt");
	snprintf(name, sizeof(name), "%d-server.log", *port);
	env_path(&env, server_log, 160, name);
	snprintf(name, sizeof(name), "%d-client.log", *port);
	env_path(&env, client_log, 160, name);
}

FIXTURE_SETUP(t13)
{
	if (!ktlsd_test_selected(_metadata->name))
		return;
	fixture_paths(_metadata, &self->port, self->port_str, self->connect_to, self->ca,
		      self->server_log, self->client_log);
	snprintf(self->priority, sizeof(self->priority),
		 "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+%s", variant->gnutls);
}

FIXTURE_TEARDOWN(t13)
{
	EXPECT_TRUE(ktlsd_env_daemon_alive(&env));
}

/* ktlscat serving one connection with @profile; without @mode it only receives. */
static void ktlscat_server(struct proc *p, const char *port_str, const char *log,
			   const char *profile, const char *mode, const char *file)
{
	ktlscat_server_argv(p, &env, port_str, profile, mode, file, log);
}

static void variant_server(struct proc *p, FIXTURE_DATA(t13) *self,
			   const FIXTURE_VARIANT(t13) *variant, const char *mode)
{
	static char profile[16];

	snprintf(profile, sizeof(profile), "srv-%s", variant->cert);
	ktlscat_server(p, self->port_str, self->server_log, profile, mode,
		       mode ? env.payload_b : NULL);
}

static void s_client(struct proc *p, FIXTURE_DATA(t13) *self,
		     const FIXTURE_VARIANT(t13) *variant, int quiet)
{
	const char *args[] = {
		"openssl", "s_client", "-connect", self->connect_to, "-servername", "localhost",
		"-verify_hostname", "localhost", "-verify_return_error", "-CAfile", self->ca,
		"-tls1_3", "-ciphersuites", variant->suite, quiet ? "-quiet" : "-nocommands", NULL,
	};

	memcpy(p->argv, args, sizeof(args));
	snprintf(p->log, sizeof(p->log), "%s", self->client_log);
}

/* What ktlscat reports: TLS 1.3, the suite, software kTLS, our signature. */
static int reported(const char *log, const char *suite, const char *scheme)
{
	char want[96];

	snprintf(want, sizeof(want), "TLS 1.3 %s", suite);
	if (!file_contains(log, want) || !file_contains(log, "kTLS tx sw, rx sw"))
		return 0;
	snprintf(want, sizeof(want), "signature scheme %s", scheme);
	return file_contains(log, want);
}

#define EXPECT_LOG(log, text) \
	EXPECT_TRUE(file_contains(log, text)) TH_LOG("'%s' not in %s", text, log)

#define RUN(server, client, seed) KTLSD_RUN_PAIR(&env, self->port, server, client, seed)

/* We send with sendfile(), openssl s_client -tls1_3 receives. */
TEST_F_TIMEOUT(t13, sendfile_to_openssl, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL }, client = { .in = IN_HOLD, .checked = 1 };

	variant_server(&server, self, variant, "--sendfile");
	s_client(&client, self, variant, 1);
	RUN(&server, &client, PAYLOAD_B_SEED);
	EXPECT_TRUE(reported(self->server_log, variant->suite, variant->scheme))
		TH_LOG("see %s", self->server_log);
}

/* openssl s_client -tls1_3 sends, we receive. */
TEST_F_TIMEOUT(t13, receive_from_openssl, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL, .checked = 1 };
	struct proc client = { .in = IN_FILE, .in_file = env.payload_a };

	variant_server(&server, self, variant, NULL);
	s_client(&client, self, variant, 0);
	RUN(&server, &client, PAYLOAD_A_SEED);
	EXPECT_TRUE(reported(self->server_log, variant->suite, variant->scheme));
}

/* We write(), gnutls-cli with a TLS 1.3-only priority receives. */
TEST_F_TIMEOUT(t13, write_to_gnutls, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL }, client = { .in = IN_HOLD, .checked = 1 };
	static char logfile[200];
	const char *args[] = {
		"gnutls-cli", logfile, "--x509cafile", self->ca, "--priority", self->priority,
		"-p", self->port_str, "localhost", NULL,
	};

	snprintf(logfile, sizeof(logfile), "--logfile=%s", self->client_log);
	memcpy(client.argv, args, sizeof(args));
	snprintf(client.log, sizeof(client.log), "%s.stderr", self->client_log);
	variant_server(&server, self, variant, "--send");
	RUN(&server, &client, PAYLOAD_B_SEED);
	EXPECT_TRUE(reported(self->server_log, variant->suite, variant->scheme));
}

/* curl --tlsv1.3 downloads what we send with sendfile(). */
TEST_F_TIMEOUT(t13, sendfile_to_curl, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL }, client = { .in = IN_NULL, .checked = 1 };
	char url[64];
	const char *args[] = {
		"curl", "-sS", "--http0.9", "--cacert", self->ca, "--tlsv1.3",
		"--tls13-ciphers", variant->suite, "-o", "-", url, NULL,
	};

	snprintf(url, sizeof(url), "https://localhost:%d/", self->port);
	variant_server(&server, self, variant, "--sendfile");
	memcpy(client.argv, args, sizeof(args));
	snprintf(client.log, sizeof(client.log), "%s", self->client_log);
	RUN(&server, &client, PAYLOAD_B_SEED);
	EXPECT_TRUE(reported(self->server_log, variant->suite, variant->scheme));
}

/*
 * The client's Finished and its first record of data leave in one send()
 * (flight_peer, GnuTLS): ktlsd stops reading at the Finished and leaves the
 * record to kTLS. Not one byte lost.
 */
TEST_F_TIMEOUT(t13, finished_and_data_in_one_flight, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL, .checked = 1 }, client = { .in = IN_NULL };
	int i = 0;

	ASSERT_EQ(0, access(env.flight_peer, X_OK)) TH_LOG("%s: not built", env.flight_peer);
	variant_server(&server, self, variant, NULL);
	client.argv[i++] = env.flight_peer;
	client.argv[i++] = "--client";
	client.argv[i++] = self->port_str;
	client.argv[i++] = "--priority";
	client.argv[i++] = self->priority;
	client.argv[i++] = "--ca";
	client.argv[i++] = self->ca;
	client.argv[i++] = env.payload_a;
	snprintf(client.log, sizeof(client.log), "%s", self->client_log);
	RUN(&server, &client, PAYLOAD_A_SEED);
	EXPECT_TRUE(reported(self->server_log, variant->suite, variant->scheme));
	EXPECT_LOG(self->client_log, "first flight:");
}

/* The client role: a TLS 1.3-only profile (cli13) against real servers. */
FIXTURE(t13c)
{
	int port;
	char port_str[12], connect_to[32], ca[128], crt[128], key[128], priority[160];
	char server_log[160], client_log[160];
};

FIXTURE_VARIANT(t13c)
{
	const char *suite;
	const char *gnutls;
	const char *cert;
};

FIXTURE_VARIANT_ADD(t13c, ecdsa_aes128_gcm)
{
	.suite = "TLS_AES_128_GCM_SHA256", .gnutls = "AES-128-GCM", .cert = "ec",
};

FIXTURE_VARIANT_ADD(t13c, rsa_aes256_gcm)
{
	.suite = "TLS_AES_256_GCM_SHA384", .gnutls = "AES-256-GCM", .cert = "rsa",
};

FIXTURE_VARIANT_ADD(t13c, ecdsa_chacha20)
{
	.suite = "TLS_CHACHA20_POLY1305_SHA256", .gnutls = "CHACHA20-POLY1305", .cert = "ec",
};

FIXTURE_SETUP(t13c)
{
	char name[32];

	if (!ktlsd_test_selected(_metadata->name))
		return;
	fixture_paths(_metadata, &self->port, self->port_str, self->connect_to, self->ca,
		      self->server_log, self->client_log);
	snprintf(name, sizeof(name), "server-%s.crt", variant->cert);
	env_path(&env, self->crt, sizeof(self->crt), name);
	snprintf(name, sizeof(name), "server-%s.key", variant->cert);
	env_path(&env, self->key, sizeof(self->key), name);
	snprintf(self->priority, sizeof(self->priority),
		 "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+%s", variant->gnutls);
}

FIXTURE_TEARDOWN(t13c)
{
	EXPECT_TRUE(ktlsd_env_daemon_alive(&env));
}

/* ktlscat as a TLS 1.3 client of "localhost": sending @file, or stdio. */
static void ktlscat_client(struct proc *p, const char *port_str, const char *log,
			   const char *profile, const char *file)
{
	ktlscat_client_argv(p, &env, port_str, profile, file, 0, log);
}

/* We write(), openssl s_server -tls1_3 receives. */
TEST_F_TIMEOUT(t13c, client_writes_to_openssl, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_HOLD, .checked = 1 }, client = { .in = IN_NULL };
	const char *args[] = {
		"openssl", "s_server", "-accept", self->connect_to, "-cert", self->crt,
		"-key", self->key, "-tls1_3", "-ciphersuites", variant->suite, "-quiet",
		"-naccept", "1", NULL,
	};

	memcpy(server.argv, args, sizeof(args));
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	ktlscat_client(&client, self->port_str, self->client_log, "cli13", env.payload_a);
	RUN(&server, &client, PAYLOAD_A_SEED);
	EXPECT_LOG(self->client_log, variant->suite);
	EXPECT_LOG(self->client_log, "TLS 1.3");
	EXPECT_LOG(self->client_log, "peer CN=localhost DNS=localhost (verified)");
}

/* openssl s_server -WWW sends the file we ask for, we receive. */
TEST_F_TIMEOUT(t13c, client_receives_from_openssl, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL };
	struct proc client = { .in = IN_FILE, .checked = 1, .http_body = 1 };
	char request[160];
	FILE *f;
	const char *args[] = {
		"openssl", "s_server", "-accept", self->connect_to, "-cert", self->crt,
		"-key", self->key, "-tls1_3", "-ciphersuites", variant->suite, "-WWW", "-quiet",
		"-naccept", "1", NULL,
	};

	env_path(&env, request, sizeof(request), "get-payload-b-13");
	f = fopen(request, "w");
	ASSERT_TRUE(f != NULL);
	fprintf(f, "GET /payload-b HTTP/1.0\r\n\r\n");
	fclose(f);
	memcpy(server.argv, args, sizeof(args));
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	server.cwd = env.dir;
	client.in_file = request;
	ktlscat_client(&client, self->port_str, self->client_log, "cli13", NULL);
	RUN(&server, &client, PAYLOAD_B_SEED);
	EXPECT_LOG(self->client_log, "TLS 1.3");
}

/* Both ways at once: gnutls-serv (TLS 1.3 only) echoes lines of text. */
TEST_F_TIMEOUT(t13c, client_echo_through_gnutls, 1200)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL, .keeps_running = 1 };
	struct proc client = { .in = IN_FEED, .checked = 1 };
	const char *args[] = {
		"gnutls-serv", "-p", self->port_str, "--x509certfile", self->crt,
		"--x509keyfile", self->key, "--priority", self->priority, "--echo", NULL,
	};

	memcpy(server.argv, args, sizeof(args));
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	ktlscat_client(&client, self->port_str, self->client_log, "cli13", NULL);
	RUN(&server, &client, PAYLOAD_TEXT_SEED);
	EXPECT_LOG(self->client_log, "TLS 1.3");
}

/* One connection each, no payload: negotiation and failures. */
FIXTURE(nego)
{
	int port;
	char port_str[12], connect_to[32], ca[128], server_log[160], client_log[160];
};

FIXTURE_SETUP(nego)
{
	if (!ktlsd_test_selected(_metadata->name))
		return;
	fixture_paths(_metadata, &self->port, self->port_str, self->connect_to, self->ca,
		      self->server_log, self->client_log);
}

FIXTURE_TEARDOWN(nego)
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
 * ktlscat --echo with @profile against s_client with @extra arguments (its
 * version among them). When the hand-off is to fail, s_client's stdin stays
 * open: in TLS 1.3 its handshake ends before ours, and it must stay to read
 * our alert rather than leave at the end of its input.
 */
static int against_s_client(FIXTURE_DATA(nego) *self, const char *profile,
			    const char *const *extra, int expect_failure)
{
	const char *args[16] = { "-CAfile", self->ca, "-nocommands" };
	size_t n = 3;

	for (size_t i = 0; extra[i] && n < 15; i++)
		args[n++] = extra[i];
	return ktlscat_vs_s_client(&env, self->port, profile, args, expect_failure,
				   self->server_log, self->client_log);
}

/* A client offering 1.2 and 1.3 gets 1.3 from a 1.2-1.3 profile... */
TEST_F(nego, default_profile_speaks_tls13)
{
	KTLSD_SELECT();
	const char *args[] = { NULL };

	EXPECT_EQ(0, against_s_client(self, "srv-ec", args, 0));
	EXPECT_LOG(self->server_log, "TLS 1.3 TLS_AES_128_GCM_SHA256");
	EXPECT_LOG(self->client_log, "TLSv1.3");
}

/* ... and a 1.2-only client gets 1.2 from BearSSL, the bytes handed over. */
TEST_F(nego, tls12_client_gets_tls12)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_2", NULL };

	EXPECT_EQ(0, against_s_client(self, "srv-ec", args, 0));
	EXPECT_LOG(self->server_log, "TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256");
}

/* A 1.2-only client against a 1.3-only profile: protocol_version. */
TEST_F(nego, tls12_client_refused_by_tls13_only_profile)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_2", NULL };

	EXPECT_EQ(1, against_s_client(self, "srv13-only", args, 1));
	EXPECT_LOG(self->server_log, "does not offer TLS 1.3");
	EXPECT_LOG(self->client_log, "alert number 70");
}

/* The client's only key share is P-256, the profile takes X25519 only: HRR. */
TEST_F(nego, hello_retry_for_x25519)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-groups", "P-256:X25519", NULL };

	EXPECT_EQ(0, against_s_client(self, "srv-x25519", args, 0));
	/* Only a HelloRetryRequest gets these two to agree. */
	EXPECT_LOG(self->server_log, "group 0x001d");
}

/* ... and the reverse: an X25519 share, a P-256-only profile. */
TEST_F(nego, hello_retry_for_p256)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-groups", "X25519:P-256", NULL };

	EXPECT_EQ(0, against_s_client(self, "srv-p256", args, 0));
	EXPECT_LOG(self->server_log, "group 0x0017");
}

/* A client whose groups the profile does not take: handshake_failure. */
TEST_F(nego, no_shared_group)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-groups", "P-384", NULL };

	EXPECT_EQ(1, against_s_client(self, "srv-x25519", args, 1));
	EXPECT_LOG(self->server_log, "no key exchange group in common");
	EXPECT_LOG(self->client_log, "alert number 40");
}

TEST_F(nego, no_shared_cipher_suite)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256", NULL };

	EXPECT_EQ(1, against_s_client(self, "srv-aes128", args, 1));
	EXPECT_LOG(self->server_log, "no TLS 1.3 cipher suite in common");
	EXPECT_LOG(self->client_log, "alert number 40");
}

TEST_F(nego, alpn_mismatch)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-alpn", "spdy/1", NULL };

	EXPECT_EQ(1, against_s_client(self, "srv-alpn", args, 1));
	EXPECT_LOG(self->server_log, "no application protocol in common");
	EXPECT_LOG(self->client_log, "alert number 120");
}

TEST_F(nego, alpn_and_server_name)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-alpn", "spdy/1,http/1.1", "-servername", "localhost", NULL };

	EXPECT_EQ(0, against_s_client(self, "srv-alpn", args, 0));
	EXPECT_LOG(self->server_log, "alpn http/1.1");
	EXPECT_LOG(self->server_log, "server name localhost");
}

TEST_F(nego, client_certificate_accepted)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-cert", pki("client.crt"), "-key", pki("client.key"), NULL };

	EXPECT_EQ(0, against_s_client(self, "srv-mtls", args, 0));
	EXPECT_LOG(self->server_log, "TLS 1.3");
	EXPECT_LOG(self->server_log, "peer CN=ktlsd-test-client");
	EXPECT_LOG(self->server_log, "(verified)");
}

TEST_F(nego, missing_client_certificate)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", NULL };

	EXPECT_EQ(1, against_s_client(self, "srv-mtls", args, 1));
	EXPECT_LOG(self->server_log, "the client sent no certificate");
	EXPECT_LOG(self->server_log, "Required key not available");
	EXPECT_LOG(self->client_log, "alert number 116");
}

TEST_F(nego, client_certificate_from_another_ca)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-cert", pki("untrusted.crt"), "-key", pki("untrusted.key"), NULL };

	EXPECT_EQ(1, against_s_client(self, "srv-mtls", args, 1));
	EXPECT_LOG(self->server_log, "BR_ERR_X509_NOT_TRUSTED");
	EXPECT_LOG(self->client_log, "alert number 48");
}

/*
 * One connection for resumption: ktlscat sends a small file and closes;
 * s_client -ign_eof reads until then, so it has read our NewSessionTicket
 * (which comes first) and can save it (-sess_out) — or offers one
 * (-sess_in). Returns ktlscat's exit code.
 */
static int session_round(FIXTURE_DATA(nego) *self, const char *profile, const char *version,
			 const char *sess_flag, const char *sess_file, const char *const *extra)
{
	struct proc server = { .in = IN_NULL }, client = { .in = IN_NULL };
	const char *c[] = { "openssl", "s_client", "-connect", self->connect_to, "-CAfile", self->ca,
			    version, "-ign_eof", sess_flag, sess_file, NULL };
	size_t n = sizeof(c) / sizeof(c[0]) - 1;
	static char data[160];
	FILE *f;

	env_path(&env, data, sizeof(data), "ticket-round-data");
	f = fopen(data, "w");
	if (!f)
		return -102;
	fprintf(f, "one line after the ticket\n");
	fclose(f);
	ktlscat_server(&server, self->port_str, self->server_log, profile, "--send", data);
	memcpy(client.argv, c, sizeof(c));
	for (size_t i = 0; extra && extra[i]; i++)
		client.argv[n++] = extra[i];
	snprintf(client.log, sizeof(client.log), "%s", self->client_log);
	if (proc_start(&server, &env) < 0 || wait_listening(self->port, test_ms(10000)) < 0)
		return -100;
	proc_start(&client, &env);
	client.exit_code = proc_wait(client.pid, test_ms(60000));
	return proc_wait(server.pid, test_ms(30000));
}

static int ticket_round(FIXTURE_DATA(nego) *self, const char *profile, const char *sess_flag,
			const char *sess_file, const char *const *extra)
{
	return session_round(self, profile, "-tls1_3", sess_flag, sess_file, extra);
}

static void session_file(char *path, size_t len, const char *name)
{
	env_path(&env, path, len, name);
	unlink(path);
}

/* s_client -sess_out, then -sess_in: our ticket resumes the session. */
TEST_F(nego, resumes_from_its_ticket)
{
	KTLSD_SELECT();
	char sess[160];

	session_file(sess, sizeof(sess), "sess-ec.pem");
	ASSERT_EQ(0, ticket_round(self, "srv-ec", "-sess_out", sess, NULL));
	EXPECT_FALSE(file_contains(self->server_log, "resumed"));
	ASSERT_EQ(0, access(sess, R_OK)) TH_LOG("s_client saved no session: no ticket came");
	ASSERT_EQ(0, ticket_round(self, "srv-ec", "-sess_in", sess, NULL));
	EXPECT_LOG(self->client_log, "Reused, TLSv1.3");
	EXPECT_LOG(self->server_log, "resumed");
}

/*
 * Resumption whichever worker a client lands on: the session is made on
 * one worker (the other stopped meanwhile) and resumed on the other. TLS
 * 1.3: the supervisor's ticket keys; TLS 1.2: the session cache they share.
 */
static void resume_on_another_worker(struct __test_metadata *_metadata, FIXTURE_DATA(nego) *self,
				     const char *version, const char *reused)
{
	pid_t w[8];
	char sess[160];
	int rc;

	ASSERT_EQ(2, proc_workers(env.daemon, w, 8)) TH_LOG("the test configuration has 2 workers");
	session_file(sess, sizeof(sess), "sess-workers.pem");
	kill(w[1], SIGSTOP);
	rc = session_round(self, "srv-ec", version, "-sess_out", sess, NULL);
	kill(w[1], SIGCONT);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, access(sess, R_OK)) TH_LOG("s_client saved no session");
	kill(w[0], SIGSTOP);
	rc = session_round(self, "srv-ec", version, "-sess_in", sess, NULL);
	kill(w[0], SIGCONT);
	ASSERT_EQ(0, rc);
	EXPECT_LOG(self->client_log, reused);
	EXPECT_LOG(self->server_log, "resumed");
}

TEST_F(nego, tls13_resumes_on_another_worker)
{
	KTLSD_SELECT();
	resume_on_another_worker(_metadata, self, "-tls1_3", "Reused, TLSv1.3");
}

TEST_F(nego, tls12_resumes_on_another_worker)
{
	KTLSD_SELECT();
	resume_on_another_worker(_metadata, self, "-tls1_2", "Reused, TLSv1.2");
}

/* A ticket resumes only under the profile that issued it. */
TEST_F(nego, ticket_of_another_profile_is_not_taken)
{
	KTLSD_SELECT();
	char sess[160];

	session_file(sess, sizeof(sess), "sess-other.pem");
	ASSERT_EQ(0, ticket_round(self, "srv-ec", "-sess_out", sess, NULL));
	ASSERT_EQ(0, ticket_round(self, "srv-x25519", "-sess_in", sess, NULL));
	EXPECT_LOG(self->client_log, "New, TLSv1.3");
	EXPECT_FALSE(file_contains(self->server_log, "resumed"));
}

/* The resumed session reports the client identity its ticket was issued with. */
TEST_F(nego, resumption_keeps_the_client_identity)
{
	KTLSD_SELECT();
	char sess[160];
	const char *cert[] = { "-cert", pki("client.crt"), "-key", pki("client.key"), NULL };

	session_file(sess, sizeof(sess), "sess-mtls.pem");
	ASSERT_EQ(0, ticket_round(self, "srv-mtls", "-sess_out", sess, cert));
	ASSERT_EQ(0, ticket_round(self, "srv-mtls", "-sess_in", sess, NULL));
	EXPECT_LOG(self->client_log, "Reused, TLSv1.3");
	EXPECT_LOG(self->server_log, "resumed");
	EXPECT_LOG(self->server_log, "peer CN=ktlsd-test-client");
	EXPECT_LOG(self->server_log, "(verified)");
}

/* session_tickets = no: no ticket goes out, so nothing can be saved. */
TEST_F(nego, no_ticket_when_tickets_are_off)
{
	KTLSD_SELECT();
	char sess[160];

	session_file(sess, sizeof(sess), "sess-off.pem");
	ASSERT_EQ(0, ticket_round(self, "srv-notickets", "-sess_out", sess, NULL));
	EXPECT_NE(0, access(sess, R_OK)) TH_LOG("s_client saved a session: a ticket came");
}

/*
 * ktlscat (client role, @profile) against s_server with @extra arguments.
 * Returns ktlscat's exit code; both logs hold what each side saw.
 */
static int client_against_s_server(FIXTURE_DATA(nego) *self, const char *profile,
				   const char *const *extra)
{
	struct proc server = { .in = IN_HOLD }, client = { .in = IN_NULL };
	const char *args[] = { "openssl", "s_server", "-accept", self->connect_to, "-cert",
			       pki("server-ec.crt"), "-key", pki("server-ec.key"), "-naccept", "1",
			       NULL };
	size_t n = sizeof(args) / sizeof(args[0]) - 1;
	int rc;

	memcpy(server.argv, args, sizeof(args));
	for (size_t i = 0; extra[i]; i++)
		server.argv[n++] = extra[i];
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	ktlscat_client(&client, self->port_str, self->client_log, profile, NULL);
	client.in = IN_NULL;
	if (proc_start(&server, &env) < 0 || wait_listening(self->port, test_ms(10000)) < 0)
		return -100;
	proc_start(&client, &env);
	rc = proc_wait(client.pid, test_ms(60000));
	/* s_server (-naccept 1) leaves once it has read the end, our alert too: its log is whole then. */
	if (proc_wait_nokill(server.pid, test_ms(10000)) == -2) {
		kill(server.pid, SIGTERM);
		proc_wait(server.pid, test_ms(10000));
	}
	return rc;
}

/* Our client's only share is X25519; the server takes P-256 only: HRR. */
TEST_F(nego, client_answers_hello_retry)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-groups", "P-256", NULL };

	EXPECT_EQ(0, client_against_s_server(self, "cli13", args));
	EXPECT_LOG(self->client_log, "group 0x0017");
	EXPECT_LOG(self->server_log, "CIPHER is TLS_AES_128_GCM_SHA256");
}

/* A client certificate when the server asks for one. */
TEST_F(nego, client_certificate_sent)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-Verify", "1", "-CAfile", pki("ca.crt"), NULL };

	EXPECT_EQ(0, client_against_s_server(self, "cli13-mtls", args));
	EXPECT_LOG(self->server_log, "ktlsd-test-client");
	EXPECT_LOG(self->client_log, "signature scheme 0x0403");
}

/* A TLS 1.3-only client against a TLS 1.2 server: protocol_version. */
TEST_F(nego, client_refuses_tls12_server)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_2", NULL };

	EXPECT_EQ(1, client_against_s_server(self, "cli13", args));
	EXPECT_LOG(self->client_log, "protocol_version");
}

/* A profile allowing 1.2 and 1.3 offers both; a 1.3 server answers 1.3. */
TEST_F(nego, client_offering_both_gets_tls13)
{
	KTLSD_SELECT();
	const char *args[] = { NULL };

	EXPECT_EQ(0, client_against_s_server(self, "cli", args));
	EXPECT_LOG(self->client_log, "TLS 1.3 TLS_AES_");
}

/* ... and a 1.2 server: the handshake goes on in our TLS 1.2 client (EMS). */
TEST_F(nego, client_offering_both_continues_in_tls12)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_2", NULL };

	EXPECT_EQ(0, client_against_s_server(self, "cli", args));
	EXPECT_LOG(self->client_log, "TLS 1.2 ECDHE-ECDSA-");
	EXPECT_LOG(self->server_log, "CIPHER is ECDHE-ECDSA-");
}

/* A TLS 1.2 CertificateRequest: our chain and a CertificateVerify. */
TEST_F(nego, client_certificate_sent_in_tls12)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_2", "-Verify", "1", "-CAfile", pki("ca.crt"), NULL };

	EXPECT_EQ(0, client_against_s_server(self, "cli-mtls", args));
	EXPECT_LOG(self->client_log, "TLS 1.2 ");
	EXPECT_LOG(self->server_log, "ktlsd-test-client");
	EXPECT_LOG(self->client_log, "signature scheme 0x0403");
}

/* A TLS 1.2 server from another CA: unknown_ca, in the clear, as it sees it. */
TEST_F(nego, client_refuses_untrusted_tls12_server)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_2", "-cert", pki("untrusted.crt"), "-key", pki("untrusted.key"),
			       NULL };

	EXPECT_EQ(1, client_against_s_server(self, "cli", args));
	EXPECT_LOG(self->client_log, "BR_ERR_X509_NOT_TRUSTED");
	EXPECT_LOG(self->server_log, "alert unknown ca");
}

/*
 * Two connections of our client to one server: the first keeps the
 * server's tickets (taken after its Finished, before the hand-off), the
 * second resumes with one. @server is the server's command.
 */
static void client_resumes(struct __test_metadata *_metadata, FIXTURE_DATA(nego) *self,
			   const char *const *server_argv, const char *server_says)
{
	struct proc server = { .in = IN_HOLD }, first = { .in = IN_NULL }, second = { .in = IN_NULL };
	char log2[sizeof(self->client_log) + 4];
	size_t n = 0;

	while (server_argv[n])
		n++;
	memcpy(server.argv, server_argv, (n + 1) * sizeof(server_argv[0]));
	snprintf(server.log, sizeof(server.log), "%s", self->server_log);
	snprintf(log2, sizeof(log2), "%s.2", self->client_log);
	ktlscat_client(&first, self->port_str, self->client_log, "cli-resume", NULL);
	ktlscat_client(&second, self->port_str, log2, "cli-resume", NULL);
	first.in = second.in = IN_NULL;
	ASSERT_LT(0, proc_start(&server, &env));
	ASSERT_EQ(0, wait_listening(self->port, test_ms(10000)));
	ASSERT_LT(0, proc_start(&first, &env));
	EXPECT_EQ(0, proc_wait(first.pid, test_ms(60000)));
	ASSERT_LT(0, proc_start(&second, &env));
	EXPECT_EQ(0, proc_wait(second.pid, test_ms(60000)));
	kill(server.pid, SIGTERM);
	proc_wait(server.pid, test_ms(10000));
	EXPECT_LOG(self->client_log, "TLS 1.3");
	EXPECT_FALSE(file_contains(self->client_log, "resumed"));
	EXPECT_LOG(log2, "resumed");
	if (server_says)
		EXPECT_LOG(self->server_log, server_says);
}

TEST_F(nego, client_resumes_with_openssls_ticket)
{
	KTLSD_SELECT();
	const char *args[] = { "openssl", "s_server", "-accept", self->connect_to, "-cert",
			       pki("server-ec.crt"), "-key", pki("server-ec.key"), "-naccept", "2", NULL };

	client_resumes(_metadata, self, args, "Reused session-id");
}

/* ... and with ours: ktlsd resumes on both ends. */
TEST_F(nego, client_resumes_with_ktlsds_ticket)
{
	KTLSD_SELECT();
	const char *args[] = { env.ktlscat, "-v", "-t", env.handoff_ms, "-S", env.sock, "-p", "srv-ec",
			       "--echo", "-l", self->port_str, NULL };

	/* Not ktlscat_server(): that one serves one connection (--once). */
	client_resumes(_metadata, self, args, "resumed");
}

/* A server certificate from another CA: unknown_ca, as the server sees it. */
TEST_F(nego, client_refuses_untrusted_server)
{
	KTLSD_SELECT();
	const char *args[] = { "-tls1_3", "-cert", pki("untrusted.crt"), "-key", pki("untrusted.key"),
			       NULL };

	EXPECT_EQ(1, client_against_s_server(self, "cli13", args));
	EXPECT_LOG(self->client_log, "BR_ERR_X509_NOT_TRUSTED");
	EXPECT_LOG(self->server_log, "alert unknown ca");
}

/* Wait (at most @timeout_ms) until @path holds @needle: 0, or -1. */
static int wait_log(const char *path, const char *needle, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 20) {
		if (file_contains(path, needle))
			return 0;
		poll(NULL, 0, 20);
	}
	return file_contains(path, needle) ? 0 : -1;
}

/*
 * A peer's KeyUpdate after the hand-off (s_client's "k" command, typed on
 * a line of its own once the line before it has arrived): Linux 6.1 cannot
 * take the new key, so ktlsd_recv ends the connection cleanly with
 * EKEYEXPIRED and an internal_error alert, after every byte sent before
 * it. s_client's stdin stays open: it leaves on the alert.
 */
TEST_F(nego, key_update_ends_the_connection_cleanly)
{
	KTLSD_SELECT();
	struct proc server = { .in = IN_NULL }, client = { .in = IN_HOLD };
	const char *c[] = { "openssl", "s_client", "-connect", self->connect_to, "-CAfile", self->ca,
			    "-tls1_3", NULL };
	static const char before[] = "before the update\n", update[] = "k\n";

	ktlscat_server(&server, self->port_str, self->server_log, "srv-ec", NULL, NULL);
	memcpy(client.argv, c, sizeof(c));
	snprintf(client.log, sizeof(client.log), "%s", self->client_log);
	ASSERT_LT(0, proc_start(&server, &env));
	ASSERT_EQ(0, wait_listening(self->port, test_ms(10000)));
	ASSERT_LT(0, proc_start(&client, &env));
	ASSERT_EQ((ssize_t)strlen(before), write(client.in_fd, before, strlen(before)));
	EXPECT_EQ(0, wait_log(self->server_log, "before the update", test_ms(30000)));
	ASSERT_EQ((ssize_t)strlen(update), write(client.in_fd, update, strlen(update)));
	/* ktlscat's exit code for a read that failed: 3. */
	EXPECT_EQ(3, proc_wait(server.pid, test_ms(30000)));
	proc_wait(client.pid, test_ms(30000));
	close(client.in_fd);
	EXPECT_LOG(self->server_log, "Key has expired");
	EXPECT_LOG(self->client_log, "alert internal error");
}

TEST_HARNESS_MAIN
