// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handoff_server: the application side of the handshake benchmark. Accepts
 * TCP connections and hands every one to ktlsd at once (the pollable API,
 * one epoll), so the daemon, not a serial application, sets the pace. A
 * successful connection is closed as soon as its result arrives. The
 * hand-offs go on channels (ktlsd_channel), one per hand-off in flight,
 * kept for the next ones; with --one-shot, on a new connection each
 * (ktlsd_handoff_start()).
 *
 *   handoff_server -S SOCKET -p PROFILE -l PORT [--report N] [--latency FILE] [--one-shot]
 *
 * With --report N it prints "inflight N" once N hand-offs are in progress
 * at the same time. With --latency FILE it writes, on SIGTERM, one line per
 * hand-off answered, in the order they started: the microseconds from its
 * request to its answer, the answer's status (0:
 * kTLS installed) and the client's TCP port (to match the client's own
 * figures). On SIGTERM it prints "ok=.. failed=..". A hand-off the
 * daemon cannot take yet (EBUSY: its backlog is full) is tried again on the
 * next turn of the loop, as an application under a burst would.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ktlsd.h"

struct conn {
	int tcp;		/* -1: a channel kept idle, on the free list */
	struct ktlsd_handoff h;	/* --one-shot */
	struct ktlsd_channel ch; /* otherwise, kept across hand-offs */
	unsigned long index;	/* the hand-offs started before this one */
	uint64_t started_ns;
	unsigned port;		/* the client's */
	struct conn *next_free;
};

static int one_shot;
static struct conn *free_conns;	/* channels between hand-offs */

static struct conn *take_conn(const char *sock)
{
	struct conn *c = free_conns;

	if (c) {
		free_conns = c->next_free;
		return c;
	}
	c = malloc(sizeof(*c));
	if (c && ktlsd_channel_init(&c->ch, sock) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static void put_conn(struct conn *c)
{
	c->tcp = -1;
	c->next_free = free_conns;
	free_conns = c;
}

#define MAX_WAITING 65536
#define MAX_SAMPLES (1 << 20)

/* --latency: each hand-off's request-to-answer time and status, by index. */
static struct sample {
	float us;
	int status;
	unsigned port;
	int answered;
} samples[MAX_SAMPLES];
static unsigned long started;
static int recording;	/* --latency given: the clients' ports are looked up only then */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int write_samples(const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned long n = started < MAX_SAMPLES ? started : MAX_SAMPLES;

	if (!f)
		return -1;
	for (unsigned long i = 0; i < n; i++)
		if (samples[i].answered)
			fprintf(f, "%.1f %d %u\n", samples[i].us, samples[i].status, samples[i].port);
	return fclose(f);
}

static volatile sig_atomic_t stop;

/* Hand @fd over; -1 with errno (EBUSY: try again later). */
static int start(int ep, const char *sock, const char *profile, int fd)
{
	struct ktlsd_request req = { .role = KTLSD_ROLE_SERVER, .profile = profile };
	struct conn *c = take_conn(sock);
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int rc;

	if (!c)
		return -1;
	/* Not otherwise: a system call a hand-off on the path bench-host measures. */
	c->port = recording && getpeername(fd, (struct sockaddr *)&peer, &len) == 0 ? ntohs(peer.sin_port) : 0;
	c->started_ns = now_ns();
	rc = one_shot ? ktlsd_handoff_start(&c->h, sock, fd, &req) : ktlsd_channel_start(&c->ch, fd, &req);
	if (rc < 0) {
		int err = errno;

		put_conn(c);
		errno = err;
		return -1;
	}
	c->tcp = fd;
	c->index = started++;
	/* A channel's kept connection stays watched between hand-offs. */
	if (one_shot || rc == 1)
		epoll_ctl(ep, EPOLL_CTL_ADD, one_shot ? ktlsd_handoff_fd(&c->h) : ktlsd_channel_fd(&c->ch),
			  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = c });
	return 0;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "report", required_argument, NULL, 'r' },
		{ "latency", required_argument, NULL, 'L' },
		{ "one-shot", no_argument, NULL, 'o' },
		{ 0 },
	};
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const char *sock = NULL, *profile = NULL, *latency = NULL;
	unsigned long ok = 0, failed = 0, inflight = 0, report = 0;
	int lfd, ep, opt, one = 1, reported = 0;
	static int waiting[MAX_WAITING];
	size_t nwaiting = 0;
	struct rlimit lim;

	while ((opt = getopt_long(argc, argv, "S:p:l:", options, NULL)) != -1) {
		switch (opt) {
		case 'S': sock = optarg; break;
		case 'p': profile = optarg; break;
		case 'l': addr.sin_port = htons((uint16_t)atoi(optarg)); break;
		case 'r': report = strtoul(optarg, NULL, 10); break;
		case 'L': latency = optarg; recording = 1; break;
		case 'o': one_shot = 1; break;
		default: return 2;
		}
	}
	if (!sock || !profile || !addr.sin_port) {
		fprintf(stderr, "usage: handoff_server -S SOCKET -p PROFILE -l PORT [--report N] [--latency FILE] [--one-shot]\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
	signal(SIGTERM, on_term);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 4096) < 0) {
		perror("handoff_server: listen");
		return 1;
	}
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &(struct epoll_event){ .events = EPOLLIN, .data.ptr = NULL });
	while (!stop) {
		struct epoll_event ev[64];
		int n = epoll_wait(ep, ev, 64, nwaiting ? 10 : 1000);
		size_t still = 0;

		for (size_t i = 0; i < nwaiting; i++) {
			if (start(ep, sock, profile, waiting[i]) == 0) {
				inflight++;
			} else if (errno == EBUSY) {
				waiting[still++] = waiting[i];
			} else {
				failed++;
				close(waiting[i]);
			}
		}
		nwaiting = still;
		if (report && !reported && inflight >= report) {
			printf("inflight %lu\n", inflight);
			fflush(stdout);
			reported = 1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = ev[i].data.ptr;
			struct ktlsd_result res;

			if (!c) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
					if (start(ep, sock, profile, fd) == 0) {
						inflight++;
					} else if (errno == EBUSY && nwaiting < MAX_WAITING) {
						waiting[nwaiting++] = fd;
					} else {
						failed++;
						close(fd);
					}
				}
				continue;
			}
			if (c->tcp < 0) {
				/* An idle channel the daemon let go of: the next start opens another. */
				ktlsd_channel_close(&c->ch);
				continue;
			}
			if ((one_shot ? ktlsd_handoff_finish(&c->h, &res) : ktlsd_channel_finish(&c->ch, &res)) < 0 &&
			    errno == EAGAIN)
				continue;
			if (c->index < MAX_SAMPLES)
				samples[c->index] = (struct sample){ (float)(now_ns() - c->started_ns) / 1000,
								     res.status, c->port, 1 };
			if (res.status == 0)
				ok++;
			else
				failed++;
			inflight--;
			close(c->tcp);
			put_conn(c);
		}
	}
	printf("ok=%lu failed=%lu\n", ok, failed);
	if (latency && write_samples(latency) < 0) {
		perror("handoff_server: --latency");
		return 1;
	}
	return 0;
}
