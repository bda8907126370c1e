// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsctl_test: the ktlsctl tool against a real kernel with ktls_nsim —
 * what it shows and sets must match what the kernel does. Its JSON output
 * is parsed back (json-c) and compared with sockets the test opened.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktls_util.h"
#include "ktlsd_env.h"
#include "offload_env.h"
#include "test_time.h"

OFFLOAD_ENV_SUITE(env)

#define SEED 0x5c

/* build/ktlsctl beside build/selftests, $KTLSD_BIN_DIR, or installed. */
static const char *ktlsctl_path(void)
{
	static char path[600];
	const char *dir = getenv("KTLSD_BIN_DIR");
	char self[512];
	ssize_t n;

	if (path[0])
		return path;
	if (dir) {
		snprintf(path, sizeof(path), "%s/ktlsctl", dir);
		return path;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	snprintf(path, sizeof(path), "%s/../ktlsctl", dirname(self));
	if (access(path, X_OK))
		snprintf(path, sizeof(path), "%s/../../../sbin/ktlsctl", dirname(self));
	return path;
}

/* Run ktlsctl ARGS; its exit status, and its stdout parsed as JSON if @json. */
static int ktlsctl(json_object **json, const char *fmt, ...)
{
	char args[512], cmd[1200];
	static char out[1 << 20];
	va_list ap;
	size_t n;
	FILE *p;
	int status;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s", ktlsctl_path(), args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	status = pclose(p);
	if (json)
		*json = json_tokener_parse(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static long long int_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

/* The socket in a `sockets -j` list whose local port is @port, if any. */
static json_object *socket_with_sport(json_object *list, int port)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *s = json_object_array_get_idx(list, i);

		if (int_of(s, "sport") == port)
			return s;
	}
	return NULL;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A pair with TX keys on the local end and RX keys on the remote end. */
static int open_ktls(int *local, int *remote, uint16_t cipher)
{
	struct ktls_keys keys;
	int err = env_tcp_pair(&env, AF_INET, local, remote);

	if (!err)
		err = ktls_test_keys(&keys, cipher, SEED, 0);
	if (!err)
		err = ktls_install(*local, TLS_TX, &keys);
	if (!err)
		err = ktls_install(*remote, TLS_RX, &keys);
	return err;
}

FIXTURE(ctl)
{
	int fds[6];
};

FIXTURE_SETUP(ctl)
{
	for (int i = 0; i < 6; i++)
		self->fds[i] = -1;
	if (!ktlsd_test_selected(_metadata->name))
		return;
	ASSERT_TRUE(env.ready) TH_LOG("offload environment: %s", env.error);
	ASSERT_EQ(0, access(ktlsctl_path(), X_OK)) TH_LOG("%s: not built", ktlsctl_path());
}

FIXTURE_TEARDOWN(ctl)
{
	for (int i = 0; i < 6; i++)
		if (self->fds[i] >= 0)
			close(self->fds[i]);
	env_set_feature(&env, LOCAL, "tls-hw-tx-offload", 1);
}

#define SELECTED()								\
	do {									\
		if (!ktlsd_test_selected(_metadata->name))			\
			SKIP(return, "not selected by KTLSD_TEST_ONLY");	\
	} while (0)

/* dev show: the pair's local end, its driver, offload on, its counters. */
TEST_F(ctl, dev_show_lists_the_pair)
{
	json_object *list, *dev = NULL, *features, *tx, *counters, *v;

	SELECTED();
	EXPECT_EQ(0, ktlsctl(NULL, "dev show"));	/* the text form, too */
	ASSERT_EQ(0, ktlsctl(&list, "-j dev show"));
	ASSERT_NE(NULL, list);
	for (size_t i = 0; i < json_object_array_length(list); i++)
		if (!strcmp(str_of(json_object_array_get_idx(list, i), "ifname"), env.dev[LOCAL]))
			dev = json_object_array_get_idx(list, i);
	ASSERT_NE(NULL, dev) TH_LOG("%s not listed", env.dev[LOCAL]);
	EXPECT_STREQ("ktls_nsim", str_of(dev, "driver"));
	ASSERT_TRUE(json_object_object_get_ex(dev, "features", &features));
	ASSERT_TRUE(json_object_object_get_ex(features, "tls-hw-tx-offload", &tx));
	EXPECT_TRUE(json_object_object_get_ex(tx, "on", &v) && json_object_get_boolean(v));
	EXPECT_TRUE(json_object_object_get_ex(tx, "fixed", &v) && !json_object_get_boolean(v));
	ASSERT_TRUE(json_object_object_get_ex(dev, "counters", &counters));
	EXPECT_LE(0, int_of(counters, "tx_tls_encrypted_bytes"));
	EXPECT_LE(0, int_of(counters, "rx_tls_resync_res_ok"));
	json_object_put(list);
}

/* dev set off: the next kTLS socket runs in software, and sockets says so; on: HW again. */
TEST_F(ctl, dev_set_then_sockets)
{
	json_object *out, *s;
	int *fd = self->fds;

	SELECTED();
	ASSERT_EQ(0, ktlsctl(&out, "-j dev set %s tls-tx off", env.dev[LOCAL]));
	json_object_put(out);
	ASSERT_EQ(0, open_ktls(&fd[0], &fd[1], TLS_CIPHER_AES_GCM_128));
	ASSERT_EQ(0, ktlsctl(&out, "-j sockets sport %d", local_port(fd[0])));
	s = socket_with_sport(out, local_port(fd[0]));
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("sw", str_of(s, "tx"));
	json_object_put(out);

	ASSERT_EQ(0, ktlsctl(NULL, "dev set %s tls-tx on", env.dev[LOCAL]));
	ASSERT_EQ(0, open_ktls(&fd[2], &fd[3], TLS_CIPHER_AES_GCM_128));
	ASSERT_EQ(0, ktlsctl(&out, "-j sockets --hw"));
	s = socket_with_sport(out, local_port(fd[2]));
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("hw", str_of(s, "tx"));
	EXPECT_EQ(NULL, socket_with_sport(out, local_port(fd[0])));	/* SW: not --hw */
	json_object_put(out);
}

/* sockets: exactly the kTLS sockets, with cipher and modes; not plain TCP. */
TEST_F(ctl, sockets_lists_exactly_ktls)
{
	json_object *out, *s;
	int *fd = self->fds;

	SELECTED();
	ASSERT_EQ(0, open_ktls(&fd[0], &fd[1], TLS_CIPHER_AES_GCM_128));
	ASSERT_EQ(0, open_ktls(&fd[2], &fd[3], TLS_CIPHER_AES_GCM_256));
	ASSERT_EQ(0, env_tcp_pair(&env, AF_INET, &fd[4], &fd[5]));

	EXPECT_EQ(0, ktlsctl(NULL, "sockets"));
	/* Sockets of earlier tests may still be closing: look at ours. */
	ASSERT_EQ(0, ktlsctl(&out, "-j sockets dst %s", env.addr_v4[REMOTE]));
	s = socket_with_sport(out, local_port(fd[0]));
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("aes-gcm-128", str_of(s, "cipher"));
	EXPECT_STREQ("1.2", str_of(s, "version"));
	EXPECT_STREQ("hw", str_of(s, "tx"));
	EXPECT_STREQ("none", str_of(s, "rx"));
	EXPECT_STREQ("ESTAB", str_of(s, "state"));
	s = socket_with_sport(out, local_port(fd[2]));
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("aes-gcm-256", str_of(s, "cipher"));
	EXPECT_EQ(NULL, socket_with_sport(out, local_port(fd[4])));	/* plain TCP */
	json_object_put(out);

	/* The receiving ends live in the other namespace. */
	ASSERT_EQ(0, ktlsctl(&out, "-j sockets -n %s", env.netns));
	for (int i = 1; i <= 3; i += 2) {
		s = socket_with_sport(out, local_port(fd[i]));
		ASSERT_NE(NULL, s);
		EXPECT_STREQ("hw", str_of(s, "rx"));
		EXPECT_STREQ("none", str_of(s, "tx"));
	}
	json_object_put(out);

	/* -n all: both ends, each with its namespace. */
	ASSERT_EQ(0, ktlsctl(&out, "-j sockets -n all"));
	s = socket_with_sport(out, local_port(fd[0]));
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("", str_of(s, "netns"));
	s = socket_with_sport(out, local_port(fd[1]));
	ASSERT_NE(NULL, s);
	EXPECT_STREQ(env.netns, str_of(s, "netns"));
	json_object_put(out);
	EXPECT_EQ(0, ktlsctl(NULL, "sockets -n all"));
}

/*
 * stats: the counters move by exactly what the test did (the totals; the
 * TlsCurr* gauges also fall as earlier tests' sockets finish closing).
 */
TEST_F(ctl, stats_count_what_we_did)
{
	json_object *before, *after;
	int *fd = self->fds;

	SELECTED();
	ASSERT_EQ(0, ktlsctl(&before, "-j stats"));
	ASSERT_EQ(0, open_ktls(&fd[0], &fd[1], TLS_CIPHER_AES_GCM_128));
	ASSERT_EQ(0, env_set_feature(&env, LOCAL, "tls-hw-tx-offload", 0));
	ASSERT_EQ(0, open_ktls(&fd[2], &fd[3], TLS_CIPHER_AES_GCM_128));
	ASSERT_EQ(0, ktlsctl(&after, "-j stats"));
	/* The text forms too, plain and with a rate. */
	EXPECT_EQ(0, ktlsctl(NULL, "stats"));
	EXPECT_EQ(0, ktlsctl(NULL, "stats --delta 0.1"));
	EXPECT_EQ(1, int_of(after, "TlsTxDevice") - int_of(before, "TlsTxDevice"));
	EXPECT_EQ(1, int_of(after, "TlsTxSw") - int_of(before, "TlsTxSw"));
	json_object_put(before);
	json_object_put(after);
}

/* nsim: knobs set through the tool are the module's, and shown back. */
TEST_F(ctl, nsim_knobs)
{
	json_object *out, *dev;

	SELECTED();
	if (!env.simulated)
		SKIP(return, "needs ktls_nsim");
	ASSERT_EQ(0, ktlsctl(NULL, "nsim set %s seed 77 max_ctx 900", env.dev[LOCAL]));
	EXPECT_EQ(0, ktlsctl(NULL, "nsim show"));
	ASSERT_EQ(0, ktlsctl(&out, "-j nsim show %s", env.dev[LOCAL]));
	ASSERT_EQ(1, (int)json_object_array_length(out));
	dev = json_object_array_get_idx(out, 0);
	EXPECT_EQ(77, int_of(dev, "seed"));
	EXPECT_EQ(900, int_of(dev, "max_ctx"));
	EXPECT_STREQ(env.dev[REMOTE], str_of(dev, "peer"));
	json_object_put(out);
	EXPECT_EQ(1, ktlsctl(NULL, "nsim set %s drop 1", env.dev[LOCAL]));
	EXPECT_EQ(1, ktlsctl(NULL, "nsim set ktlsctl-nodev seed 1"));
	ASSERT_EQ(0, ktlsctl(NULL, "nsim set %s max_ctx 1024 seed 1", env.dev[LOCAL]));
}

TEST_HARNESS_MAIN
