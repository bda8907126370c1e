// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsd_control: the daemon's control socket through ktlsctl — status
 * counts exactly the handshakes the test caused (good, failed, refused),
 * and reload takes a good configuration, refuses a broken one with its
 * FILE:LINE, and never stops the daemon serving.
 */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktlsd.h"
#include "ktlsd_env.h"
#include "test_time.h"

KTLSD_ENV_SUITE(env)

/* ktlsctl beside the ktlscat under test. */
static const char *ktlsctl_bin(void)
{
	static char path[700];
	char dir[640];

	snprintf(dir, sizeof(dir), "%s", env.ktlscat);
	snprintf(path, sizeof(path), "%s/ktlsctl", dirname(dir));
	if (access(path, X_OK))	/* installed: ktlscat in bin/, ktlsctl in sbin/ */
		snprintf(path, sizeof(path), "%s/../sbin/ktlsctl", dirname(dir));
	return path;
}

/* ktlsctl -j daemon -s CTL @cmd: exit status; the JSON answer; stderr. */
static int daemon_cmd(const char *cmd, json_object **answer, char *err, size_t errlen)
{
	char line[1024], errfile[200];
	static char out[1 << 16];
	size_t n;
	FILE *p, *e;
	int status;

	env_path(&env, errfile, sizeof(errfile), "ktlsctl.err");
	snprintf(line, sizeof(line), "%s -j daemon -s %s %s 2>%s", ktlsctl_bin(), env.ctl, cmd,
		 errfile);
	p = popen(line, "r");
	if (!p)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	status = pclose(p);
	if (answer)
		*answer = json_tokener_parse(out);
	e = fopen(errfile, "r");
	if (err && errlen) {
		n = e ? fread(err, 1, errlen - 1, e) : 0;
		err[n] = 0;
	}
	if (e)
		fclose(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The text form of ktlsctl daemon @cmd: its exit status. */
static int text_cmd(const char *cmd)
{
	char line[1024];
	int status;

	snprintf(line, sizeof(line), "%s daemon -s %s %s >/dev/null", ktlsctl_bin(), env.ctl, cmd);
	status = system(line);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static long long at(json_object *o, const char *a, const char *b)
{
	json_object *x = o, *y;

	if (a && !json_object_object_get_ex(o, a, &x))
		return 0;
	return json_object_object_get_ex(x, b, &y) ? json_object_get_int64(y) : 0;
}

static long long profile_count(json_object *status, const char *profile, const char *what)
{
	json_object *profiles, *p, *v;

	if (!json_object_object_get_ex(status, "profiles", &profiles) ||
	    !json_object_object_get_ex(profiles, profile, &p) ||
	    !json_object_object_get_ex(p, what, &v))
		return 0;
	return json_object_get_int64(v);
}

/* ktlscat server (@profile, sends payload B) and client (profile cli, name @name). */
static void pair(struct proc *server, struct proc *client, const char *port,
		 const char *profile, const char *name)
{
	const char *s[] = {
		env.ktlscat, "-v", "-t", env.handoff_ms, "-S", env.sock, "-b", "127.0.0.1", "-l", port,
		"-p", profile, "--once", "--sendfile", env.payload_b, NULL,
	};
	const char *c[] = {
		env.ktlscat, "-v", "-t", env.handoff_ms, "-S", env.sock, "-p", "cli", "-n", name, "-d",
		"127.0.0.1", port, NULL,
	};

	memcpy(server->argv, s, sizeof(s));
	memcpy(client->argv, c, sizeof(c));
	env_path(&env, server->log, sizeof(server->log), "control-server.log");
	env_path(&env, client->log, sizeof(client->log), "control-client.log");
}

/* A good transfer through two hand-offs: server profile @profile, client cli. */
static int good_handshakes(const char *profile, char *why, size_t whylen)
{
	struct proc server = { .in = IN_NULL }, client = { .in = IN_NULL, .checked = 1 };
	struct pair_result r;
	char port[12];
	int p = free_port(), rc;

	snprintf(port, sizeof(port), "%d", p);
	pair(&server, &client, port, profile, "localhost");
	rc = run_pair(&server, p, &client, env.size, PAYLOAD_B_SEED, test_s(300), &r);
	snprintf(why, whylen, "%s", r.why);
	return rc;
}

static int copy_file(const char *from, const char *to)
{
	char buf[8192];
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	size_t n;
	int err = in && out ? 0 : -1;

	while (!err && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			err = -1;
	if (in)
		fclose(in);
	if (out && fclose(out))
		err = -1;
	return err;
}

static int append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");
	int err = f && fputs(text, f) >= 0 ? 0 : -1;

	if (f && fclose(f))
		err = -1;
	return err;
}

FIXTURE(control)
{
	char saved_conf[200];
};

FIXTURE_SETUP(control)
{
	if (!ktlsd_test_selected(_metadata->name))
		return;
	ASSERT_TRUE(env.ready) TH_LOG("test environment: %s", env.error);
	ASSERT_EQ(0, access(ktlsctl_bin(), X_OK)) TH_LOG("%s: not built", ktlsctl_bin());
	env_path(&env, self->saved_conf, sizeof(self->saved_conf), "ktlsd.conf.saved");
	ASSERT_EQ(0, copy_file(env.conf, self->saved_conf));
}

FIXTURE_TEARDOWN(control)
{
	if (self->saved_conf[0]) {
		copy_file(self->saved_conf, env.conf);
		daemon_cmd("reload", NULL, NULL, 0);
	}
	EXPECT_TRUE(ktlsd_env_daemon_alive(&env));
}

/* status counts what we did: 2 good, 2 failed (name mismatch, both ends), 1 refused. */
TEST_F_TIMEOUT(control, status_counts_handshakes, 600)
{
	struct proc server = { .in = IN_NULL }, client = { .in = IN_NULL };
	json_object *before, *after;
	char why[600], port[12];
	int p, lfd;

	KTLSD_SELECT();
	ASSERT_EQ(0, daemon_cmd("status", &before, NULL, 0));
	ASSERT_NE(NULL, before);

	EXPECT_EQ(0, good_handshakes("srv-ec", why, sizeof(why))) TH_LOG("%s", why);

	/* The client checks the name "wrong.example": both ends fail. */
	p = free_port();
	snprintf(port, sizeof(port), "%d", p);
	pair(&server, &client, port, "srv-ec", "wrong.example");
	ASSERT_LT(0, proc_start(&server, &env));
	ASSERT_EQ(0, wait_listening(p, test_ms(10000)));
	ASSERT_LT(0, proc_start(&client, &env));
	EXPECT_NE(0, proc_wait(client.pid, test_ms(60000)));
	EXPECT_NE(0, proc_wait(server.pid, test_ms(60000)));

	/* An unknown profile: refused before any handshake. */
	{
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(sin);
		struct proc refused = { .in = IN_NULL };
		const char *args[] = {
			env.ktlscat, "-t", env.handoff_ms, "-S", env.sock, "-p", "no-such-profile", "-d",
			"127.0.0.1", port, NULL,
		};

		lfd = socket(AF_INET, SOCK_STREAM, 0);
		ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sin, sizeof(sin)));
		ASSERT_EQ(0, listen(lfd, 4));
		ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&sin, &len));
		snprintf(port, sizeof(port), "%d", ntohs(sin.sin_port));
		memcpy(refused.argv, args, sizeof(args));
		env_path(&env, refused.log, sizeof(refused.log), "control-refused.log");
		ASSERT_LT(0, proc_start(&refused, &env));
		EXPECT_NE(0, proc_wait(refused.pid, test_ms(60000)));
		close(lfd);
	}

	ASSERT_EQ(0, daemon_cmd("status", &after, NULL, 0));
	ASSERT_NE(NULL, after);
	EXPECT_EQ(0, text_cmd("status"));
	EXPECT_EQ(0, text_cmd("profiles"));
	EXPECT_EQ(2, at(after, "handshakes", "ok") - at(before, "handshakes", "ok"));
	EXPECT_EQ(2, at(after, "handshakes", "failed") - at(before, "handshakes", "failed"));
	EXPECT_EQ(1, at(after, "handshakes", "refused") - at(before, "handshakes", "refused"));
	EXPECT_EQ(4, at(after, "latency_ms", "samples") - at(before, "latency_ms", "samples"));
	EXPECT_EQ(1, profile_count(after, "srv-ec", "ok") - profile_count(before, "srv-ec", "ok"));
	EXPECT_EQ(1, profile_count(after, "cli", "ok") - profile_count(before, "cli", "ok"));
	EXPECT_EQ(1, profile_count(after, "cli", "failed") - profile_count(before, "cli", "failed"));
	EXPECT_EQ(1, at(after, "failures", "refused:ESRCH") - at(before, "failures", "refused:ESRCH"));
	EXPECT_EQ(0, at(after, NULL, "in_flight"));
	EXPECT_LE(1, at(after, "latency_ms", "p99"));
	{
		/*
		 * Which elliptic-curve code runs: libsodium's X25519 with nettle's
		 * NIST curves (the default build), nettle's alone, or BearSSL's.
		 */
		json_object *ec;

		ASSERT_TRUE(json_object_object_get_ex(after, "elliptic_curves", &ec));
		EXPECT_TRUE(!strncmp(json_object_get_string(ec), "libsodium (X25519), nettle", 26) ||
			    !strncmp(json_object_get_string(ec), "nettle", 6) ||
			    !strncmp(json_object_get_string(ec), "BearSSL", 7));
		/* ... and which RSA code: libcrypto's (the default build) or BearSSL's. */
		ASSERT_TRUE(json_object_object_get_ex(after, "rsa", &ec));
		EXPECT_TRUE(!strcmp(json_object_get_string(ec), "OpenSSL libcrypto") ||
			    !strcmp(json_object_get_string(ec), "BearSSL"));
		/* ... and which signs with ECDSA keys: libcrypto (the default build) or the EC code. */
		ASSERT_TRUE(json_object_object_get_ex(after, "ecdsa", &ec));
		EXPECT_TRUE(!strcmp(json_object_get_string(ec), "OpenSSL libcrypto") ||
			    !strcmp(json_object_get_string(ec), "nettle") ||
			    !strcmp(json_object_get_string(ec), "BearSSL"));
		/* ... and which SHA-256 code our engine uses: nettle's (the default build) or BearSSL's. */
		ASSERT_TRUE(json_object_object_get_ex(after, "sha256", &ec));
		EXPECT_TRUE(!strcmp(json_object_get_string(ec), "nettle") ||
			    !strcmp(json_object_get_string(ec), "BearSSL"));
	}
	json_object_put(before);
	json_object_put(after);
}

/* A broken configuration is refused with FILE:LINE; the daemon goes on serving. */
TEST_F_TIMEOUT(control, reload_refuses_broken_config, 600)
{
	json_object *answer;
	char err[512], want[300], why[600];

	KTLSD_SELECT();
	ASSERT_EQ(0, append(env.conf, "[profile half\n"));
	EXPECT_EQ(1, daemon_cmd("reload", &answer, err, sizeof(err)));
	snprintf(want, sizeof(want), "reload refused: %s:", env.conf);
	EXPECT_NE(NULL, strstr(err, want)) TH_LOG("stderr: %s", err);
	EXPECT_NE(NULL, strstr(err, "the running configuration stays"));
	EXPECT_TRUE(ktlsd_env_daemon_alive(&env));
	EXPECT_EQ(0, good_handshakes("srv-ec", why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_EQ(0, daemon_cmd("status", &answer, NULL, 0));
	EXPECT_LE(1, at(answer, NULL, "reloads_refused"));
	json_object_put(answer);
}

/* A good reload: a new profile is served at once. */
TEST_F_TIMEOUT(control, reload_adds_a_profile, 600)
{
	json_object *answer;
	char text[600], why[600];
	int found = 0;

	KTLSD_SELECT();
	snprintf(text, sizeof(text), "[profile added]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\n"
		 "verify = none\n", env.dir, env.dir);
	ASSERT_EQ(0, append(env.conf, text));
	ASSERT_EQ(0, daemon_cmd("reload", &answer, NULL, 0));
	json_object_put(answer);
	ASSERT_EQ(0, daemon_cmd("profiles", &answer, NULL, 0));
	for (size_t i = 0; answer && i < json_object_array_length(answer); i++) {
		json_object *name;

		if (json_object_object_get_ex(json_object_array_get_idx(answer, i), "name", &name) &&
		    !strcmp(json_object_get_string(name), "added"))
			found = 1;
	}
	EXPECT_TRUE(found);
	json_object_put(answer);
	EXPECT_EQ(0, good_handshakes("added", why, sizeof(why))) TH_LOG("%s", why);
}

/* The configuration without [profile @name] (up to the next section). */
static int drop_profile(const char *from, const char *to, const char *name)
{
	char line[1024], header[96];
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	int skipping = 0, err = in && out ? 0 : -1;

	snprintf(header, sizeof(header), "[profile %s]", name);
	while (!err && fgets(line, sizeof(line), in)) {
		if (line[0] == '[')
			skipping = !strncmp(line, header, strlen(header));
		if (!skipping && fputs(line, out) < 0)
			err = -1;
	}
	if (in)
		fclose(in);
	if (out && fclose(out))
		err = -1;
	return err;
}

/*
 * A handshake in flight when its profile disappears in a reload finishes
 * with the profile it started with; new requests for it are refused.
 */
TEST_F_TIMEOUT(control, reload_keeps_handshakes_in_flight, 600)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct ktlsd_request req = { .role = KTLSD_ROLE_SERVER, .profile = "srv-ec" };
	struct proc client = { .in = IN_NULL };
	json_object *before, *after, *answer;
	socklen_t len = sizeof(sin);
	struct ktlsd_result res;
	char port[12];
	int lfd, afd;

	KTLSD_SELECT();
	ASSERT_EQ(0, daemon_cmd("status", &before, NULL, 0));
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(lfd, 4));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&sin, &len));
	snprintf(port, sizeof(port), "%d", ntohs(sin.sin_port));
	{
		const char *args[] = {
			env.ktlscat, "-v", "-t", env.handoff_ms, "-S", env.sock, "-p", "cli", "-n",
			"localhost", "-d", "127.0.0.1", port, NULL,
		};

		memcpy(client.argv, args, sizeof(args));
	}
	env_path(&env, client.log, sizeof(client.log), "control-inflight.log");
	ASSERT_LT(0, proc_start(&client, &env));
	/* Its ClientHello is ours to answer: the client handshake is in flight. */
	afd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, afd);
	{
		char first;

		ASSERT_EQ(1, recv(afd, &first, 1, MSG_PEEK));
	}

	ASSERT_EQ(0, drop_profile(self->saved_conf, env.conf, "cli"));
	ASSERT_EQ(0, daemon_cmd("reload", &answer, NULL, 0));
	json_object_put(answer);

	/* Now answer it through the daemon, as a server. */
	ASSERT_EQ(0, ktlsd_handshake(env.sock, afd, &req, test_ms(30000), &res))
		TH_LOG("%s", res.message);
	EXPECT_EQ(0, ktlsd_send_close_notify(afd));
	EXPECT_EQ(0, proc_wait(client.pid, test_ms(60000)))
		TH_LOG("the in-flight client failed: see %s", client.log);
	close(afd);
	close(lfd);

	ASSERT_EQ(0, daemon_cmd("status", &after, NULL, 0));
	EXPECT_EQ(1, profile_count(after, "cli", "ok") - profile_count(before, "cli", "ok"));
	EXPECT_EQ(1, at(after, NULL, "reloads") - at(before, NULL, "reloads"));
	json_object_put(before);
	json_object_put(after);
	/* And the profile is gone for new requests. */
	ASSERT_EQ(0, daemon_cmd("profiles", &answer, NULL, 0));
	for (size_t i = 0; answer && i < json_object_array_length(answer); i++) {
		json_object *name;

		if (json_object_object_get_ex(json_object_array_get_idx(answer, i), "name", &name))
			EXPECT_STRNE("cli", json_object_get_string(name));
	}
	json_object_put(answer);
}

TEST_HARNESS_MAIN
