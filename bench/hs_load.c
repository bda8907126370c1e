// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hs_load: full TLS 1.2 handshakes against a server, as fast as N client
 * processes can do them, with each handshake's latency (connect to the
 * server's Finished). Or, with --idle, N connections that say nothing, to
 * hold N handshakes in flight on the server until stdin closes.
 *
 *   hs_load [--procs N] [--seconds S] [--suite NAME] [--think FILE] HOST PORT
 *   hs_load --idle N HOST PORT
 *
 * Prints: handshakes=.. seconds=.. rate=.. p50_ms=.. p99_ms=.. failures=..
 *
 * --think FILE (one process: connections one after the other) writes a line
 * per connection, in order: its local TCP port and the microseconds the
 * server waited for this client within the handshake (from its first read
 * of the server's flight to its own last flight sent, less the time it was
 * blocked reading), or -1 for a handshake that failed. bench/host.sh
 * subtracts them from the application's hand-off times of the same port
 * (handoff_server --latency).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "ktlsd_ktls.h"
#include "verify.h"

#define MAX_SAMPLES (1 << 20)

struct shared {
	unsigned long count, failures;
	float latency_ms[MAX_SAMPLES];
	unsigned long attempts;
	float think_us[MAX_SAMPLES];	/* by attempt; -1: failed */
	unsigned short port[MAX_SAMPLES];
};

static unsigned short local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	return fd >= 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0 ? ntohs(a.sin_port) : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One full handshake on a blocking socket; 0 when the server's Finished
 * arrived. *@think_s: the client's own time between its first read of the
 * server's flight and its last send, less the time it was blocked in recv().
 */
static int handshake(int fd, uint16_t suite, double *think_s)
{
	static br_ssl_client_context cc;
	static br_x509_minimal_context xc;
	static struct verifier v;
	static unsigned char buf[BR_SSL_BUFSIZE_MONO];
	br_ssl_engine_context *eng = &cc.eng;

	br_ssl_client_init_full(&cc, &xc, NULL, 0);
	/* Measuring the server, not PKI: accept its certificate as it is. */
	verifier_init(&v, &xc, VERIFY_NONE);
	br_ssl_engine_set_x509(eng, &v.vtable);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, &suite, 1);
	br_ssl_engine_set_buffer(eng, buf, sizeof(buf), 0);
	/* Time blocked in recv(): before our latest send, and since. */
	double first_recv = 0, last_send = 0, blocked = 0, blocked_since = 0;

	*think_s = 0;
	if (!br_ssl_client_reset(&cc, "localhost", 0))
		return -1;
	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		unsigned char *p;
		size_t len;
		ssize_t n;

		if (st & BR_SSL_CLOSED)
			return -1;
		if (st & BR_SSL_SENDREC) {
			p = br_ssl_engine_sendrec_buf(eng, &len);
			n = send(fd, p, len, MSG_NOSIGNAL);
			if (n <= 0)
				return -1;
			if (first_recv) {
				last_send = now_s();
				blocked += blocked_since;
				blocked_since = 0;
			}
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
			continue;
		}
		if (st & BR_SSL_SENDAPP) {
			*think_s = last_send ? last_send - first_recv - blocked : 0;
			return 0;
		}
		if (st & BR_SSL_RECVREC) {
			double t0 = now_s();

			p = br_ssl_engine_recvrec_buf(eng, &len);
			n = recv(fd, p, len, 0);
			if (n <= 0)
				return -1;
			if (!first_recv)
				first_recv = t0;
			blocked_since += now_s() - t0;
			br_ssl_engine_recvrec_ack(eng, (size_t)n);
			continue;
		}
		return -1;
	}
}

static void worker(struct shared *sh, const struct sockaddr_in *addr, uint16_t suite, double end)
{
	while (now_s() < end) {
		double t0 = now_s(), think = 0;
		int fd = dial(addr), ok = fd >= 0 && handshake(fd, suite, &think) == 0;
		double ms = (now_s() - t0) * 1000;
		unsigned long a = __atomic_fetch_add(&sh->attempts, 1, __ATOMIC_RELAXED);

		if (a < MAX_SAMPLES) {
			sh->think_us[a] = ok ? (float)(think * 1e6) : -1;
			sh->port[a] = local_port(fd);
		}
		if (fd >= 0)
			close(fd);
		if (!ok) {
			__atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
			continue;
		}
		unsigned long i = __atomic_fetch_add(&sh->count, 1, __ATOMIC_RELAXED);

		if (i < MAX_SAMPLES)
			sh->latency_ms[i] = (float)ms;
	}
	_exit(0);
}

static int write_think(const char *path, const struct shared *sh)
{
	FILE *f = fopen(path, "w");
	unsigned long n = sh->attempts < MAX_SAMPLES ? sh->attempts : MAX_SAMPLES;

	if (!f)
		return -1;
	for (unsigned long i = 0; i < n; i++)
		fprintf(f, "%u %.1f\n", sh->port[i], sh->think_us[i]);
	return fclose(f);
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

static int idle(const struct sockaddr_in *addr, int n)
{
	int *fds = calloc((size_t)n, sizeof(int)), opened = 0;
	char c;

	for (int i = 0; i < n; i++) {
		fds[i] = dial(addr);
		opened += fds[i] >= 0;
	}
	printf("idle_connections=%d\n", opened);
	fflush(stdout);
	/* Hold them until told to let go. */
	while (read(0, &c, 1) > 0)
		;
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return opened == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "procs", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "suite", required_argument, NULL, 'c' },
		{ "idle", required_argument, NULL, 'i' },
		{ "think", required_argument, NULL, 't' },
		{ 0 },
	};
	struct sockaddr_in addr = { .sin_family = AF_INET };
	const struct ktlsd_suite_info *suite = ktlsd_suite_by_name("ECDHE-ECDSA-AES128-GCM-SHA256");
	const char *think = NULL;
	int procs = 2, idle_n = 0, opt;
	double seconds = 10, start, elapsed;
	struct shared *sh;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'n': procs = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'c': suite = ktlsd_suite_by_name(optarg); break;
		case 'i': idle_n = atoi(optarg); break;
		case 't': think = optarg; break;
		default: return 2;
		}
	}
	if (argc - optind != 2 || !suite || inet_pton(AF_INET, argv[optind], &addr.sin_addr) != 1 ||
	    (think && procs != 1)) {
		fprintf(stderr, "usage: hs_load [--procs N] [--seconds S] [--suite NAME] [--think FILE (--procs 1)]"
			" | [--idle N] IPV4 PORT\n");
		return 2;
	}
	addr.sin_port = htons((uint16_t)atoi(argv[optind + 1]));
	if (idle_n)
		return idle(&addr, idle_n);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	start = now_s();
	for (int i = 0; i < procs; i++)
		if (fork() == 0)
			worker(sh, &addr, suite->suite, start + seconds);
	while (wait(NULL) > 0)
		;
	elapsed = now_s() - start;
	{
		unsigned long n = sh->count < MAX_SAMPLES ? sh->count : MAX_SAMPLES;

		qsort(sh->latency_ms, n, sizeof(float), cmp_float);
		printf("handshakes=%lu seconds=%.2f rate=%.1f p50_ms=%.2f p99_ms=%.2f failures=%lu\n",
		       sh->count, elapsed, sh->count / elapsed, n ? sh->latency_ms[n / 2] : 0.0,
		       n ? sh->latency_ms[n * 99 / 100] : 0.0, sh->failures);
	}
	if (think && write_think(think, sh) < 0) {
		perror("hs_load: --think");
		return 1;
	}
	return sh->count ? 0 : 1;
}
