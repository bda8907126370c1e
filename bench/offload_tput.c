// SPDX-License-Identifier: GPL-2.0
/*
 * offload_tput: throughput over a ktls_nsim pair of plaintext TCP, software
 * kTLS and kTLS offloaded to the emulated NIC (TLS_HW both ways), sending a
 * file with sendfile(2); then the same with 1% of data segments lost. Each
 * is reported as a ratio to plaintext in the same run, with the CPU time
 * the whole machine and the sending process spent per GiB.
 *
 *   offload_tput [MiB]     (default 1024, or $BENCH_OFFLOAD_MIB)
 *
 * $BENCH_ROUNDS (default 1) repeats every measurement, interleaved, and
 * reports the median: a shared host makes single runs noisy.
 *
 * Runs where offload_env can set up its pair (the test VM: make bench).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/tls.h>

#include "ktls_util.h"
#include "offload_env.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define SEED 0x3b

enum kind { PLAIN, SW, HW_TX, HW_TX_ZC, HW, N_KINDS };
static const char *const kind_name[] = {
	"plaintext TCP", "kTLS software", "kTLS TX on ktls_nsim", "  + zerocopy sendfile",
	"kTLS TX+RX on ktls_nsim",
};

struct result {
	double seconds;
	double machine_cpu;	/* all CPUs, busy seconds */
	double sender_cpu;	/* the sending process, user + system */
	enum ktlsd_mode tx, rx;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Busy CPU seconds of the whole machine so far, from /proc/stat. */
static double machine_busy(void)
{
	unsigned long long v[10] = {};
	FILE *f = fopen("/proc/stat", "r");
	double busy;

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) != 8) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* user nice system idle iowait irq softirq steal: all but idle, iowait */
	busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
	return busy / sysconf(_SC_CLK_TCK);
}

static int make_file(size_t size)
{
	char buf[1 << 16];
	int fd = memfd_create("offload_tput", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

		ktls_pattern(buf, n, SEED, off);
		if (write(fd, buf, n) != (ssize_t)n)
			return -1;
	}
	return fd;
}

static void send_file(int sock, int file, size_t size)
{
	off_t off = 0;

	while ((size_t)off < size) {
		ssize_t n = sendfile(sock, file, &off, size - (size_t)off);

		if (n < 0 && errno != EINTR) {
			perror("offload_tput: sendfile");
			_exit(1);
		}
	}
	_exit(0);
}

static int install(int local, int remote)
{
	struct ktls_keys keys;
	int err = ktls_test_keys(&keys, TLS_CIPHER_AES_GCM_128, SEED, 0);

	if (!err)
		err = ktls_install(local, TLS_TX, &keys);
	if (!err)
		err = ktls_install(remote, TLS_RX, &keys);
	return err;
}

static int run_one(struct offload_env *env, enum kind kind, int file, size_t size,
		   struct result *res)
{
	static char buf[1 << 18];
	int local, remote, status;
	double t0, cpu0;
	struct rusage ru;
	size_t got = 0;
	enum ktlsd_mode unused;
	pid_t pid;

	env_set_feature(env, LOCAL, "tls-hw-tx-offload", kind == HW || kind == HW_TX || kind == HW_TX_ZC);
	env_set_feature(env, REMOTE, "tls-hw-rx-offload", kind == HW);
	if (env_tcp_pair(env, AF_INET, &local, &remote))
		return -1;
	res->tx = res->rx = KTLSD_MODE_BASE;
	if (kind != PLAIN) {
		if (install(local, remote))
			return -1;
		/* The kernel then sends the file's pages as they are, not a copy. */
		if (kind == HW_TX_ZC &&
		    setsockopt(local, SOL_TLS, TLS_TX_ZEROCOPY_RO, &(int){ 1 }, sizeof(int)))
			return -1;
		env_modes(env, LOCAL, local, &res->tx, &unused);
		env_modes(env, REMOTE, remote, &unused, &res->rx);
	}
	t0 = now();
	cpu0 = machine_busy();
	pid = fork();
	if (pid == 0)
		send_file(local, file, size);
	while (got < size) {
		ssize_t n = recv(remote, buf, sizeof(buf), 0);

		if (n <= 0) {
			fprintf(stderr, "offload_tput: recv: %s\n", n ? strerror(errno) : "EOF");
			return -1;
		}
		got += (size_t)n;
	}
	res->seconds = now() - t0;
	res->machine_cpu = machine_busy() - cpu0;
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	res->sender_cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			  ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	close(local);
	close(remote);
	return 0;
}

static int by_seconds(const void *a, const void *b)
{
	double x = ((const struct result *)a)->seconds, y = ((const struct result *)b)->seconds;

	return (x > y) - (x < y);
}

static const char *mode(enum ktlsd_mode m)
{
	return m == KTLSD_MODE_HW ? "hw" : m == KTLSD_MODE_SW ? "sw" : "-";
}

int main(int argc, char **argv)
{
	const char *mib_env = getenv("BENCH_OFFLOAD_MIB");
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : mib_env ? strtoul(mib_env, NULL, 0) : 1024;
	size_t size = mib << 20;
	const char *rounds_env = getenv("BENCH_ROUNDS");
	int rounds = rounds_env ? atoi(rounds_env) : 1;
	struct result r[2][N_KINDS], all[2][N_KINDS][9];
	struct offload_env env;
	double gib = size / (double)(1 << 30);
	int file;

	offload_env_setup(&env);
	if (!env.ready || !env.simulated) {
		fprintf(stderr, "offload_tput: %s\n", env.ready ? "needs ktls_nsim" : env.error);
		return 1;
	}
	file = make_file(size);
	if (file < 0) {
		perror("offload_tput: payload");
		return 1;
	}
	if (rounds < 1 || rounds > 9)
		rounds = 1;
	for (int round = 0; round < rounds; round++)
		for (int lossy = 0; lossy < 2; lossy++) {
			env_nsim_knob(&env, LOCAL, "seed", 1 + round);
			env_nsim_knob(&env, LOCAL, "drop", lossy ? 100 : 0);
			for (int k = PLAIN; k < N_KINDS; k++) {
				if (run_one(&env, k, file, size, &all[lossy][k][round])) {
					fprintf(stderr, "offload_tput: %s%s failed\n", kind_name[k],
						lossy ? " with loss" : "");
					offload_env_teardown(&env);
					return 1;
				}
			}
		}
	for (int lossy = 0; lossy < 2; lossy++)
		for (int k = PLAIN; k < N_KINDS; k++) {
			qsort(all[lossy][k], rounds, sizeof(struct result), by_seconds);
			r[lossy][k] = all[lossy][k][rounds / 2];
		}
	env_nsim_knob(&env, LOCAL, "drop", 0);

	printf("sendfile of %zu MiB over a ktls_nsim pair, AES-GCM-128, median of %d run(s)\n\n",
	       mib, rounds);
	printf("| %-25s | %-4s | %7s | %8s | %13s | %14s |\n", "path", "loss", "MiB/s",
	       "vs plain", "CPU s/GiB", "sender s/GiB");
	printf("|---------------------------|------|---------|----------|---------------|----------------|\n");
	for (int lossy = 0; lossy < 2; lossy++)
		for (int k = PLAIN; k < N_KINDS; k++) {
			struct result *x = &r[lossy][k];

			printf("| %-25s | %-4s | %7.1f | %7.2fx | %13.1f | %14.1f |   tx %s rx %s\n",
			       kind_name[k], lossy ? "1%" : "0", mib / x->seconds,
			       r[lossy][PLAIN].seconds / x->seconds, x->machine_cpu / gib,
			       x->sender_cpu / gib, mode(x->tx), mode(x->rx));
		}
	printf("\nTX on ktls_nsim vs software kTLS: %.2fx (target >= 0.9)\n",
	       r[0][SW].seconds / r[0][HW_TX].seconds);
	printf("TX on ktls_nsim, zerocopy sendfile, vs software kTLS: %.2fx (target >= 0.9)\n",
	       r[0][SW].seconds / r[0][HW_TX_ZC].seconds);
	printf("TX+RX on ktls_nsim vs software kTLS: %.2fx\n", r[0][SW].seconds / r[0][HW].seconds);
	printf("TX on ktls_nsim with 1%% loss vs without: %.2fx (target >= 0.7)\n",
	       r[0][HW_TX].seconds / r[1][HW_TX].seconds);
	printf("TX on ktls_nsim, zerocopy sendfile, with 1%% loss vs without: %.2fx (target >= 0.7)\n",
	       r[0][HW_TX_ZC].seconds / r[1][HW_TX_ZC].seconds);
	printf("TX+RX on ktls_nsim with 1%% loss vs without: %.2fx\n",
	       r[0][HW].seconds / r[1][HW].seconds);
	offload_env_teardown(&env);
	return 0;
}
