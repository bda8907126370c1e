// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_nsim_lifecycle: the module loads and unloads cleanly ten times in a
 * row, each time with offloaded traffic, and unloads while offloaded
 * sockets are still open (the kernel moves them to software, as on
 * NETDEV_DOWN). No warning or oops may taint the kernel on the way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
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
		int local = -1, remote = -1;
		size_t bad = 0;
		pid_t sender;

		offload_env_setup(&env);
		ASSERT_TRUE(env.ready) TH_LOG("round %d: %s", round, env.error);
		ASSERT_EQ(0, open_offloaded(&env, &local, &remote)) TH_LOG("round %d", round);
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

TEST_HARNESS_MAIN
