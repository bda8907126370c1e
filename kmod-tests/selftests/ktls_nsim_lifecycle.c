// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_nsim_lifecycle: the module loads and unloads cleanly ten times in a
 * row, each time with offloaded traffic, and unloads while offloaded
 * sockets are still open (the kernel moves them to software, as on
 * NETDEV_DOWN). Pairs that cannot be created leave nothing behind. No
 * warning or oops may taint the kernel on the way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktls_util.h"
#include "offload_env.h"

#define ROUNDS		10
#define TRANSFER	(256 * 1024 + 77)
#define SEED		0x1c
/* include/linux/panic.h: TAINT_DIE (oops) and TAINT_WARN. */
#define TAINT_DIE_BIT	7
#define TAINT_WARN_BIT	9

static long tainted(void)
{
	long v = -1;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int open_offloaded(struct offload_env *env, int *local, int *remote)
{
	struct ktls_keys keys;
	int err = env_tcp_pair(env, AF_INET, local, remote);

	if (!err)
		err = ktls_test_keys(&keys, TLS_CIPHER_AES_GCM_128, SEED, 0);
	if (!err)
		err = ktls_install(*local, TLS_TX, &keys);
	if (!err)
		err = ktls_install(*remote, TLS_RX, &keys);
	return err;
}

FIXTURE(nsim) {};
FIXTURE_SETUP(nsim) {}
FIXTURE_TEARDOWN(nsim) {}

TEST_F_TIMEOUT(nsim, load_traffic_unload_ten_times, 900)
{
	long taint_before = tainted();
	int round;

	ASSERT_LE(0, taint_before);
	if (getenv("NETIF"))
		SKIP(return, "loads and unloads ktls_nsim: not with a real NIC");
	/* Start from no module at all (another suite may have loaded it). */
	env_run("rmmod ktls_nsim 2>/dev/null");
	for (round = 0; round < ROUNDS; round++) {
		struct offload_env env;
		enum ktlsd_mode tx, rx, unused;
		int local = -1, remote = -1, rc;
		size_t bad = 0;
		pid_t sender;

		offload_env_setup(&env);
		ASSERT_TRUE(env.ready) TH_LOG("round %d: %s", round, env.error);
		rc = open_offloaded(&env, &local, &remote);
		/* Leave no pair behind for the suites that come next. */
		if (rc)
			offload_env_teardown(&env);
		ASSERT_EQ(0, rc) TH_LOG("round %d", round);
		ASSERT_EQ(0, env_modes(&env, LOCAL, local, &tx, &unused));
		ASSERT_EQ(0, env_modes(&env, REMOTE, remote, &unused, &rx));
		EXPECT_EQ(KTLSD_MODE_HW, tx) TH_LOG("round %d: TX not offloaded", round);
		EXPECT_EQ(KTLSD_MODE_HW, rx) TH_LOG("round %d: RX not offloaded", round);
		sender = ktls_spawn_sender(local, TRANSFER, SEED, round & 1);
		ASSERT_LT(0, sender);
		EXPECT_EQ(0, ktls_recv_payload(remote, TRANSFER, SEED, &bad));
		EXPECT_EQ(0, ktls_wait_sender(sender));

		/* Unload with both contexts alive. */
		EXPECT_EQ(0, env_run("rmmod ktls_nsim")) TH_LOG("round %d: rmmod failed", round);
		EXPECT_NE(0, access("/sys/kernel/ktls_nsim", F_OK));
		close(local);
		close(remote);
		offload_env_teardown(&env);
		TH_LOG("round %d: loaded, offloaded both ways, unloaded", round + 1);
	}
	EXPECT_EQ(0, tainted() & ((1L << TAINT_DIE_BIT) | (1L << TAINT_WARN_BIT)))
		TH_LOG("the kernel is tainted (%ld): see dmesg", tainted());
}

#define NSIM_SYSFS	"/sys/kernel/ktls_nsim"
#define TRACE_INSTANCE	"ktls_nsim_lifecycle"

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		err = -errno;
	close(fd);
	return err;
}

/* Kernel log lines so far. */
static int dmesg_lines(void)
{
	FILE *p = popen("dmesg", "r");
	int n = 0, c;

	if (!p)
		return -1;
	while ((c = fgetc(p)) != EOF)
		n += c == '\n';
	pclose(p);
	return n;
}

/* The first kernel log line after line @since that reports trouble, in @out. */
static int dmesg_trouble(int since, char *out, size_t size)
{
	char cmd[256];
	FILE *p;
	int found;

	snprintf(cmd, sizeof(cmd),
		 "dmesg | tail -n +%d | grep -m1 -E 'WARNING|BUG|Oops|duplicate filename|"
		 "corruption|refcount_t|double free'", since + 1);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	found = fgets(out, (int)size, p) != NULL;
	pclose(p);
	return found;
}

/*
 * Percpu allocations and frees, traced in an instance of our own: a
 * net_device's statistics are percpu, and freeing them twice is silent.
 */
static char trace_dir[128];

static int trace_enable(const char *event, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/events/percpu/%s/enable", trace_dir, event);
	return write_text(path, value);
}

static int trace_start(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

	if (access("/sys/kernel/tracing/instances", F_OK))
		env_run("mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null");
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(trace_dir, sizeof(trace_dir), "%s/instances/" TRACE_INSTANCE, roots[i]);
		rmdir(trace_dir);
		if (mkdir(trace_dir, 0700))
			continue;
		if (!trace_enable("percpu_alloc_percpu", "1") &&
		    !trace_enable("percpu_free_percpu", "1"))
			return 0;
		rmdir(trace_dir);
	}
	trace_dir[0] = 0;
	return -1;
}

/*
 * Stop tracing; 1 if an area was freed twice with no allocation of it in
 * between (the line in @what), 0 if not, -1 if the trace cannot be read.
 */
static int trace_double_free(char *what, size_t size)
{
	static char freed[8192][40];
	char path[256], line[1024];
	int n = 0, found = 0;
	FILE *f;

	trace_enable("percpu_alloc_percpu", "0");
	trace_enable("percpu_free_percpu", "0");
	snprintf(path, sizeof(path), "%s/trace", trace_dir);
	f = fopen(path, "r");
	if (!f) {
		rmdir(trace_dir);
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, " ptr=");
		char ptr[40];
		int i, alloc = strstr(line, "percpu_alloc_percpu:") != NULL;

		if (!p || (!alloc && !strstr(line, "percpu_free_percpu:")) ||
		    sscanf(p, " ptr=%39s", ptr) != 1)
			continue;
		for (i = 0; i < n && strcmp(freed[i], ptr); i++)
			;
		if (alloc) {
			if (i < n)
				memcpy(freed[i], freed[--n], sizeof(freed[i]));
		} else if (i < n) {
			snprintf(what, size, "%s", line);
			found = 1;
		} else if (n < (int)(sizeof(freed) / sizeof(freed[0]))) {
			snprintf(freed[n++], sizeof(freed[0]), "%s", ptr);
		}
	}
	fclose(f);
	rmdir(trace_dir);
	return found;
}

/*
 * new_pair with names a registration refuses half-way (IPv4 and IPv6 do
 * not take a device named "all" or "default": register_netdevice fails
 * after the device was briefly registered), with a name the module already
 * has (the remote end lives in another namespace, so only the module can
 * tell), and with a name template: each fails with the right error and
 * leaves nothing behind, nothing is freed twice, no warning is logged, and
 * the pair that was there still carries offloaded traffic.
 */
TEST_F_TIMEOUT(nsim, failed_new_pair_leaves_nothing, 600)
{
	char fresh[2][IF_NAMESIZE], line[64], what[1024] = "";
	long taint_before = tainted();
	struct offload_env env;
	enum ktlsd_mode tx, rx, unused;
	int local = -1, remote = -1, tracing, since, rc, pid = getpid() % 100000;
	size_t bad = 0;
	pid_t sender;

	ASSERT_LE(0, taint_before);
	if (getenv("NETIF"))
		SKIP(return, "creates ktls_nsim pairs: not with a real NIC");
	offload_env_setup(&env);
	ASSERT_TRUE(env.ready) TH_LOG("%s", env.error);
	snprintf(fresh[0], IF_NAMESIZE, "ktf%da", pid);
	snprintf(fresh[1], IF_NAMESIZE, "ktf%db", pid);
	const struct {
		const char *a, *b;
		int err;
	} tries[] = {
		{ "all", fresh[1], EINVAL },		/* the first end fails */
		{ fresh[0], "all", EINVAL },		/* the second one does */
		{ fresh[0], "default", EINVAL },
		{ env.dev[LOCAL], fresh[1], EEXIST },
		{ fresh[0], env.dev[REMOTE], EEXIST },	/* here, but not in this namespace */
		{ "ktf%d", fresh[1], EINVAL },
	};

	since = dmesg_lines();
	tracing = trace_start() == 0;
	if (!tracing)
		TH_LOG("no tracefs: percpu frees are not checked");
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		char path[128];
		int err;

		snprintf(line, sizeof(line), "%s %s", tries[i].a, tries[i].b);
		err = write_text(NSIM_SYSFS "/new_pair", line);
		EXPECT_EQ(-tries[i].err, err) TH_LOG("new_pair \"%s\": %s", line, strerror(-err));
		for (int k = 0; k < 2; k++) {
			EXPECT_EQ(0, if_nametoindex(fresh[k])) TH_LOG("after \"%s\"", line);
			snprintf(path, sizeof(path), NSIM_SYSFS "/%s", fresh[k]);
			EXPECT_NE(0, access(path, F_OK)) TH_LOG("after \"%s\"", line);
		}
		EXPECT_EQ(0, if_nametoindex("all"));
		EXPECT_EQ(0, if_nametoindex("default"));
		if (!err)	/* created after all: do not leave it behind */
			write_text(NSIM_SYSFS "/del_pair", tries[i].a);
	}
	if (tracing) {
		EXPECT_EQ(0, trace_double_free(what, sizeof(what)))
			TH_LOG("percpu memory freed twice: %s", what);
	}
	EXPECT_EQ(0, access(NSIM_SYSFS "/new_pair", W_OK));

	/* The pair that was there: offloaded both ways, every byte right. */
	rc = open_offloaded(&env, &local, &remote);
	if (rc)
		offload_env_teardown(&env);
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, env_modes(&env, LOCAL, local, &tx, &unused));
	ASSERT_EQ(0, env_modes(&env, REMOTE, remote, &unused, &rx));
	EXPECT_EQ(KTLSD_MODE_HW, tx);
	EXPECT_EQ(KTLSD_MODE_HW, rx);
	sender = ktls_spawn_sender(local, TRANSFER, SEED, 0);
	ASSERT_LT(0, sender);
	EXPECT_EQ(0, ktls_recv_payload(remote, TRANSFER, SEED, &bad)) TH_LOG("byte %zu", bad);
	EXPECT_EQ(0, ktls_wait_sender(sender));
	close(local);
	close(remote);
	offload_env_teardown(&env);

	EXPECT_EQ(0, dmesg_trouble(since, what, sizeof(what))) TH_LOG("kernel log: %s", what);
	EXPECT_EQ(0, tainted() & ((1L << TAINT_DIE_BIT) | (1L << TAINT_WARN_BIT)))
		TH_LOG("the kernel is tainted (%ld): see dmesg", tainted());
}

TEST_HARNESS_MAIN
