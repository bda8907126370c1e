// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The supervisor and its workers, with the real ktlsd on the host (no kTLS
 * needed: the peers here stay silent, so no handshake gets far enough to
 * install keys).
 *
 *   - kill -9 one worker during 200 hand-offs: exactly its hand-offs fail,
 *     each with EIO and at once, their peers get a fatal internal_error
 *     alert and the end of the stream; the other worker's go on untouched.
 *     The worker is back (a new pid) within a second, and the status and
 *     the log count and name the death. Killed again at once, it comes
 *     back after a pause.
 *   - A reload starts new workers; the old ones retire, keeping their
 *     hand-offs until those end on their own, then exit.
 *   - SIGTERM answers every hand-off ESHUTDOWN and leaves no worker;
 *     so does the supervisor's death (SIGKILL).
 *   - The key process: the workers' memory holds no private key, the key
 *     process's does; real handshakes (openssl s_client, TLS 1.3 and 1.2)
 *     are signed through it. kill -9 it while a worker waits for a
 *     signature: that handshake fails at once with internal_error, the key
 *     process is back within a second, and the next handshakes complete.
 *     (Here a handshake completes up to the kTLS install, which this
 *     kernel refuses: ENOPROTOOPT.)
 *   - The seccomp filter: each worker runs under one (its
 *     restarted copy too), so does the key process (with no capability),
 *     full handshakes of both versions go through them,
 *     and a worker that calls open(2) (the KTLSD_TEST_SECCOMP_PROBE hook) is
 *     killed by SIGSYS, named in the log, and started again; the other
 *     worker is untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <netinet/in.h>
#include <sys/wait.h>

#include "creds.h"
#include "ktlsd.h"
#include "live.h"
#include "tap.h"
#include "worker.h"

#define NOBODY		65534
#define HANDOFFS	200
#define MAX_WORKERS	8

static char dir[] = "/tmp/ktlsd-test-workers.XXXXXX";
static char sock_path[108], ctl_path[108], conf_path[160], log_path[160];
static char ktlsd_bin[200];
/* The profile tls_handoff_start_with() hands off to. */
static const char *tls_profile = "srv";

/* Two workers (unless @workers), one server profile; @extra: more profile lines. */
static int write_config(unsigned workers, const char *extra)
{
	char cmd[600];
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "cd %s && test -e ec.crt || (openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.crt -days 2 "
		 "-subj /CN=localhost 2>/dev/null && chgrp %d ec.key && chmod 0640 ec.key)",
		 dir, NOBODY);
	if (system(cmd) != 0)
		return -1;
	f = fopen(conf_path, "w");
	if (!f)
		return -1;
	fprintf(f, "[daemon]\nsocket = %s\ncontrol_socket = %s\nuser = nobody\nworkers = %u\n"
		"handshake_timeout = %dms\nrequest_timeout = %dms\n\n", sock_path, ctl_path, workers,
		test_ms(60000), test_ms(60000));
	fprintf(f, "[profile srv]\ncert = %s/ec.crt\nkey = %s/ec.key\nverify = none\n%s\n", dir, dir,
		extra);
	return fclose(f);
}

/* Each test reads a log of its own daemon only. */
static pid_t start_daemon(void)
{
	unlink(log_path);
	return live_start(ktlsd_bin, conf_path, log_path, sock_path, 0, 1);
}

/* What `status` says of one worker. */
struct worker_info {
	pid_t pid;
	char state[16];
	long long in_flight, restarts;
};

static long long field(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

/*
 * The workers the status lists, in @out (at most MAX_WORKERS); how many, or
 * -1 without an answer. *@restarts: the daemon's count of restarts.
 */
static int workers(struct worker_info *out, long long *restarts)
{
	static char answer[1 << 16];
	json_object *st = json_tokener_parse(live_control(ctl_path, "status", answer, sizeof(answer)));
	json_object *list, *v;
	int n = 0;

	if (!st || !json_object_object_get_ex(st, "workers", &list)) {
		json_object_put(st);
		return -1;
	}
	if (restarts)
		*restarts = field(st, "worker_restarts");
	for (size_t i = 0; i < json_object_array_length(list) && n < MAX_WORKERS; i++, n++) {
		json_object *w = json_object_array_get_idx(list, i);

		out[n].pid = (pid_t)field(w, "pid");
		out[n].in_flight = field(w, "in_flight");
		out[n].restarts = field(w, "restarts");
		snprintf(out[n].state, sizeof(out[n].state), "%s",
			 json_object_object_get_ex(w, "state", &v) ? json_object_get_string(v) : "");
	}
	json_object_put(st);
	return n;
}

/* The handshakes in flight in worker @pid; -1 if it is not listed. */
static long long in_flight_of(pid_t pid)
{
	struct worker_info w[MAX_WORKERS];
	int n = workers(w, NULL);

	for (int i = 0; i < n; i++)
		if (w[i].pid == pid)
			return w[i].in_flight;
	return -1;
}

/* Workers listed in @state. */
static int count_state(const char *state)
{
	struct worker_info w[MAX_WORKERS];
	int n = workers(w, NULL), k = 0;

	for (int i = 0; i < n; i++)
		k += !strcmp(w[i].state, state);
	return k;
}

/* A hand-off to a silent peer: the daemon waits for a ClientHello that never comes. */
struct handoff {
	int app, peer;
	struct ktlsd_handoff h;
	int done, status;
};

static int start_handoffs(struct handoff *hs, int n)
{
	struct ktlsd_request req = { .role = KTLSD_ROLE_SERVER, .profile = "srv" };

	for (int i = 0; i < n; i++) {
		hs[i] = (struct handoff){ .app = -1, .peer = -1 };
		if (live_tcp_pair(&hs[i].app, &hs[i].peer) < 0 ||
		    ktlsd_handoff_start(&hs[i].h, sock_path, hs[i].app, &req) < 0)
			return -1;
	}
	return 0;
}

/*
 * Collect the answers that come within @ms (waiting on the hand-offs'
 * sockets, or not at all for 0), or until @want are done: how many of @hs
 * are done then.
 */
static int collect_some(struct handoff *hs, int n, int want, int ms)
{
	uint64_t until = live_now_ms() + (uint64_t)ms;
	struct pollfd pfd[HANDOFFS];
	int idx[HANDOFFS], done;

	for (;;) {
		int waiting = 0, left;

		done = 0;
		for (int i = 0; i < n; i++) {
			if (hs[i].done) {
				done++;
				continue;
			}
			pfd[waiting] = (struct pollfd){ ktlsd_handoff_fd(&hs[i].h), POLLIN, 0 };
			idx[waiting++] = i;
		}
		left = (int)(until > live_now_ms() ? until - live_now_ms() : 0);
		if (!waiting || done >= want || poll(pfd, waiting, left) <= 0)
			return done;
		for (int k = 0; k < waiting; k++) {
			struct handoff *h = &hs[idx[k]];
			struct ktlsd_result res;

			if (!pfd[k].revents)
				continue;
			if (ktlsd_handoff_finish(&h->h, &res) < 0 && errno == EAGAIN)
				continue;
			h->done = 1;
			h->status = res.status;
		}
	}
}

static int collect(struct handoff *hs, int n, int ms)
{
	return collect_some(hs, n, n, ms);
}

static void end_handoffs(struct handoff *hs, int n)
{
	for (int i = 0; i < n; i++) {
		if (!hs[i].done)
			ktlsd_handoff_cancel(&hs[i].h);
		close(hs[i].app);
		close(hs[i].peer);
	}
}

/*
 * 1 if @peer holds a fatal internal_error alert in the clear, then the end
 * of the stream, by @until (live_now_ms()).
 */
static int got_alert_and_end(int peer, uint64_t until)
{
	static const uint8_t alert[] = { 21, 3, 3, 0, 2, 2, 80 };
	uint8_t buf[16];
	struct pollfd p = { peer, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, (int)(until > live_now_ms() ? until - live_now_ms() : 0)) != 1)
		return 0;
	n = recv(peer, buf, sizeof(buf), MSG_WAITALL);
	return n == (ssize_t)sizeof(alert) && !memcmp(buf, alert, sizeof(alert));
}

static int log_count(const char *needle)
{
	return live_log_count(log_path, needle);
}

/* Start ktlsd with 2 workers (listed in @w); its pid, or -1 after reporting why. */
static pid_t start_two_workers(struct worker_info *w)
{
	pid_t d;

	write_config(2, "");
	d = start_daemon();
	if (!ok(d > 0 && WAIT_FOR(workers(w, NULL) == 2 && w[0].pid > 0 && w[1].pid > 0,
				  test_ms(5000)), "ktlsd starts with 2 workers"))
		return -1;
	return d;
}

/* A request for a profile that does not exist is answered ESRCH. */
static int answers(void)
{
	return live_handoff(sock_path, "no-such-profile", KTLSD_ROLE_SERVER, NULL, 0) == ESRCH;
}

/* Start hand-offs from @hs on worker @only, with @other stopped so it cannot take any. */
static int handoffs_to(pid_t only, pid_t other, struct handoff *hs, int n, long long expect)
{
	int rc;

	kill(other, SIGSTOP);
	rc = start_handoffs(hs, n);
	rc = rc == 0 && WAIT_FOR(in_flight_of(only) == expect, test_ms(10000)) ? 0 : -1;
	kill(other, SIGCONT);
	return rc;
}

static void test_kill_one_worker(void)
{
	static struct handoff hs[HANDOFFS];
	struct worker_info w[MAX_WORKERS];
	int n, done, eio = 0, alerts = 0, back = 0;
	long long restarts = 0;
	uint64_t killed, elapsed;
	pid_t d, a, b;

	d = start_two_workers(w);
	if (d < 0)
		return;
	a = w[0].pid;
	b = w[1].pid;
	ok(!strcmp(w[0].state, "running") && !strcmp(w[1].state, "running") && a != b,
	   "both running, in two processes (%d, %d)", (int)a, (int)b);
	/* Half to each, deterministically: the other one is stopped meanwhile. */
	if (!ok(handoffs_to(a, b, hs, HANDOFFS / 2, HANDOFFS / 2) == 0 &&
		handoffs_to(b, a, hs + HANDOFFS / 2, HANDOFFS / 2, HANDOFFS / 2) == 0,
		"%d hand-offs in flight, %d in each worker", HANDOFFS, HANDOFFS / 2))
		goto out;
	kill(a, SIGKILL);
	killed = live_now_ms();
	done = collect_some(hs, HANDOFFS, HANDOFFS / 2, test_ms(5000));
	elapsed = live_now_ms() - killed;
	for (int i = 0; i < HANDOFFS / 2; i++)
		eio += hs[i].done && hs[i].status == EIO;
	/* At once: not at the handshake timeout (60 s), nor at a second's deadline. */
	ok(done >= HANDOFFS / 2 && eio == HANDOFFS / 2 && elapsed < (uint64_t)test_ms(1000),
	   "kill -9 of one worker: each of its %d hand-offs failed with EIO (%d), within %llu ms",
	   HANDOFFS / 2, eio, (unsigned long long)elapsed);
	back = WAIT_FOR(workers(w, &restarts) == 2 && w[0].pid > 0 && w[0].pid != a &&
			w[0].pid != b && !strcmp(w[0].state, "running"), test_ms(1000));
	elapsed = live_now_ms() - killed;
	/* Killed again at once, well within the 10 s a worker must live to be trusted: a pause. */
	if (back)
		kill(w[0].pid, SIGKILL);
	ok(back && w[0].restarts == 1 && restarts == 1,
	   "the worker is back within a second (%llu ms), as pid %d; the status counts 1 restart",
	   (unsigned long long)elapsed, (int)w[0].pid);
	for (int i = 0; i < HANDOFFS / 2; i++)
		alerts += got_alert_and_end(hs[i].peer, killed + (uint64_t)test_ms(5000));
	ok(alerts == HANDOFFS / 2, "their peers got a fatal internal_error alert, then the end (%d)",
	   alerts);
	n = collect(hs, HANDOFFS, 0);
	ok(n == HANDOFFS / 2 && in_flight_of(b) == HANDOFFS / 2,
	   "the other worker's %d go on untouched (%d answered in all)", HANDOFFS / 2, n);
	ok(WAIT_FOR(log_count("worker 0 was killed by signal 9 (SIGKILL)") == 2, test_ms(5000)),
	   "the log names the signal, each time");
	a = w[0].pid;
	ok(WAIT_FOR(log_count("after a pause: it keeps dying") == 1, test_ms(5000)) &&
	   WAIT_FOR(workers(w, &restarts) == 2 && w[0].pid > 0 && w[0].pid != a, test_ms(5000)) &&
	   restarts == 2, "killed again at once, it is started again after a pause");
	ok(answers(), "the daemon answers");
	ok(collect(hs, HANDOFFS, 0) == HANDOFFS / 2 && in_flight_of(b) == HANDOFFS / 2,
	   "still the other worker's hand-offs go on");
out:
	end_handoffs(hs, HANDOFFS);
	ok(WAIT_FOR(in_flight_of(b) == 0, test_ms(10000)), "cancelled, they are gone from its count");
	ok(live_stop(d), "ktlsd stops cleanly");
}

static void test_reload_rolls_over(void)
{
	struct handoff hs[4];
	struct worker_info w[MAX_WORKERS];
	char answer[4096];
	int n, aborted = 0;
	pid_t d, old[2];

	d = start_two_workers(w);
	if (d < 0)
		return;
	old[0] = w[0].pid;
	old[1] = w[1].pid;
	if (!ok(handoffs_to(old[0], old[1], hs, 2, 2) == 0 &&
		handoffs_to(old[1], old[0], hs + 2, 2, 2) == 0, "2 hand-offs in flight in each"))
		goto out;
	write_config(3, "[profile added]\nrole = client\nverify = none\n");
	ok(strstr(live_control(ctl_path, "reload", answer, sizeof(answer)), "\"reloaded\"") != NULL,
	   "reloaded, now with 3 workers");
	n = workers(w, NULL);
	ok(n == 5 && count_state("running") == 3 && count_state("retiring") == 2 &&
	   in_flight_of(old[0]) == 2 && in_flight_of(old[1]) == 2,
	   "3 new workers run; the 2 old ones retire, keeping their hand-offs (%d listed)", n);
	ok(collect(hs, 4, 0) == 0, "none of those was answered");
	ok(answers() && strstr(live_control(ctl_path, "profiles", answer, sizeof(answer)), "added"),
	   "the new workers serve the new configuration");
	/* Their peers hang up: the handshakes end as they would have anyway. */
	for (int i = 0; i < 4; i++)
		shutdown(hs[i].peer, SHUT_RDWR);
	collect(hs, 4, test_ms(10000));
	for (int i = 0; i < 4; i++)
		aborted += hs[i].done && hs[i].status == ECONNABORTED;
	ok(aborted == 4, "they end with ECONNABORTED, the peers' doing, not ktlsd's (%d)", aborted);
	ok(WAIT_FOR(workers(w, NULL) == 3 && count_state("retiring") == 0, test_ms(5000)) &&
	   WAIT_FOR(log_count("exited with status 0") == 2, test_ms(5000)),
	   "then the old workers exit, and only the 3 new ones are left");
	write_config(2, "[profile broken]\ncert = /nonexistent\n");
	ok(strstr(live_control(ctl_path, "reload", answer, sizeof(answer)), "error") &&
	   workers(w, NULL) == 3 && count_state("running") == 3,
	   "a broken file is refused, and the workers stay as they were");
out:
	end_handoffs(hs, 4);
	ok(live_stop(d), "ktlsd stops cleanly");
}

static void test_stop(int sig)
{
	struct handoff hs[4];
	struct worker_info w[MAX_WORKERS];
	int shutdown_answers = 0;
	pid_t d, pids[2];

	d = start_two_workers(w);
	if (d < 0)
		return;
	pids[0] = w[0].pid;
	pids[1] = w[1].pid;
	if (!ok(handoffs_to(pids[0], pids[1], hs, 2, 2) == 0 &&
		handoffs_to(pids[1], pids[0], hs + 2, 2, 2) == 0, "2 hand-offs in flight in each"))
		goto out;
	kill(d, sig);
	collect(hs, 4, test_ms(10000));
	for (int i = 0; i < 4; i++)
		shutdown_answers += hs[i].done && hs[i].status == ESHUTDOWN;
	ok(shutdown_answers == 4, "%s to the supervisor: each hand-off is answered ESHUTDOWN (%d)",
	   sigabbrev_np(sig), shutdown_answers);
	ok(WAIT_FOR(kill(pids[0], 0) < 0 && kill(pids[1], 0) < 0, test_ms(10000)),
	   "and no worker is left");
out:
	end_handoffs(hs, 4);
	if (sig == SIGKILL)
		waitpid(d, NULL, 0);
	else
		ok(live_stop(d), "ktlsd stops cleanly");
}

/* The key process's pid from the status, or -1. */
static pid_t key_process(long long *restarts)
{
	static char answer[1 << 16];
	json_object *st = json_tokener_parse(live_control(ctl_path, "status", answer, sizeof(answer)));
	json_object *list;
	pid_t pid = -1;

	if (st && json_object_object_get_ex(st, "key_processes", &list) &&
	    json_object_array_length(list) == 1) {
		pid = (pid_t)field(json_object_array_get_idx(list, 0), "pid");
		if (restarts)
			*restarts = field(json_object_array_get_idx(list, 0), "restarts");
	}
	json_object_put(st);
	return pid;
}

/* A TLS client (openssl s_client) on a loopback connection handed off to ktlsd. */
struct tls_handoff {
	int lfd, app;
	pid_t client;
	struct ktlsd_handoff h;
};

/*
 * Start one: s_client with @version, and @sess_flag @sess_file if not NULL
 * (-sess_out, -sess_in), its output in @out if not NULL.
 */
static int tls_handoff_start_with(struct tls_handoff *t, const char *version, const char *sess_flag,
				  const char *sess_file, const char *out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct ktlsd_request req = { .role = KTLSD_ROLE_SERVER, .profile = tls_profile };
	socklen_t len = sizeof(sa);
	char port[16];

	t->app = -1;
	t->client = -1;
	t->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (t->lfd < 0 || bind(t->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(t->lfd, 1) < 0 ||
	    getsockname(t->lfd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	snprintf(port, sizeof(port), "127.0.0.1:%d", ntohs(sa.sin_port));
	t->client = fork();
	if (t->client == 0) {
		int null = open("/dev/null", O_RDWR);
		int log = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;

		dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
		if (sess_flag)
			execlp("openssl", "openssl", "s_client", "-connect", port, version, sess_flag,
			       sess_file, (char *)NULL);
		else
			execlp("openssl", "openssl", "s_client", "-connect", port, version, (char *)NULL);
		_exit(127);
	}
	t->app = accept4(t->lfd, NULL, NULL, SOCK_CLOEXEC);
	return t->app >= 0 ? ktlsd_handoff_start(&t->h, sock_path, t->app, &req) : -1;
}

static int tls_handoff_start(struct tls_handoff *t, const char *version)
{
	return tls_handoff_start_with(t, version, NULL, NULL, NULL);
}

/* Its outcome within @ms: the status, or -ETIMEDOUT. */
/* Its outcome within @ms: the status, or -ETIMEDOUT; @kill_client: not waiting for s_client to leave. */
static int tls_handoff_end(struct tls_handoff *t, int ms, int kill_client)
{
	struct pollfd p = { ktlsd_handoff_fd(&t->h), POLLIN, 0 };
	struct ktlsd_result res;
	int st = -ETIMEDOUT;

	while (poll(&p, 1, ms) == 1) {
		if (ktlsd_handoff_finish(&t->h, &res) == 0 || errno != EAGAIN) {
			st = res.status;
			break;
		}
	}
	if (st == -ETIMEDOUT)
		ktlsd_handoff_cancel(&t->h);
	close(t->app);
	close(t->lfd);
	if (t->client > 0) {
		/* s_client ends on its own once the connection is over: its output is whole then. */
		if (kill_client || !WAIT_FOR(waitpid(t->client, NULL, WNOHANG) == t->client, test_ms(10000)))
			kill(t->client, SIGKILL);
		waitpid(t->client, NULL, 0);
	}
	return st;
}

/* A handshake with s_client that ran to its end: kTLS installed, or refused by this kernel. */
static int tls_handshake_completes(const char *version)
{
	struct tls_handoff t;
	int st = tls_handoff_start(&t, version) == 0 ? tls_handoff_end(&t, test_ms(20000), 1) : -1;

	return st == 0 || st == ENOPROTOOPT;
}

/* 1 if worker @pid is inside poll(2): waiting for the key process (its loop uses epoll_wait). */
static int waits_for_signature(pid_t pid)
{
	char path[64], line[128] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	/* x86-64 poll(2) is system call 7. */
	return !strncmp(line, "7 ", 2);
}

/* 1 if @path holds @needle. */
static int output_has(const char *path, const char *needle)
{
	return live_log_count(path, needle) > 0;
}

/*
 * RFC 5246 §7.2.2: a TLS 1.2 session whose connection ended with a fatal
 * alert is not resumed. Here every hand-off ends with one (internal_error:
 * this kernel has no kTLS), so the session s_client saved must not resume;
 * where kTLS works it must.
 */
static void test_no_resumption_after_fatal_alert(void)
{
	char sess[200], out[200];
	struct tls_handoff t;
	int first = -1;

	snprintf(sess, sizeof(sess), "%s/sess12.pem", dir);
	snprintf(out, sizeof(out), "%s/s_client.out", dir);
	unlink(sess);
	if (tls_handoff_start_with(&t, "-tls1_2", "-sess_out", sess, NULL) == 0)
		first = tls_handoff_end(&t, test_ms(20000), 0);
	if (!ok((first == 0 || first == ENOPROTOOPT) && access(sess, R_OK) == 0,
		"a TLS 1.2 session, saved by s_client"))
		return;
	if (tls_handoff_start_with(&t, "-tls1_2", "-sess_in", sess, out) == 0)
		tls_handoff_end(&t, test_ms(20000), 0);
	if (first == ENOPROTOOPT)
		ok(output_has(out, "New, TLSv1.2") && !output_has(out, "Reused"),
		   "its connection ended with a fatal alert: offered again, it is not resumed");
	else
		ok(output_has(out, "Reused, TLSv1.2"), "offered again, it is resumed");
}

/* 1 if `ktlsctl daemon status` prints a line holding @needle. */
static int ktlsctl_says(const char *needle)
{
	char cmd[600], out[200];

	snprintf(out, sizeof(out), "%s/ktlsctl.out", dir);
	snprintf(cmd, sizeof(cmd), "%s/ktlsctl daemon -s %s status >%s 2>&1",
		 getenv("KTLSD_BIN_DIR") ? getenv("KTLSD_BIN_DIR") : "build", ctl_path, out);
	return system(cmd) == 0 && live_log_count(out, needle) > 0;
}

static void test_key_process(void)
{
	struct worker_info w[MAX_WORKERS];
	struct creds creds = { 0 };
	struct tls_handoff t;
	char path[200], err[256];
	const uint8_t *needle;
	size_t len;
	uint8_t found[1];
	long long restarts = -1;
	int st, keys_hold = 0, workers_hold = 0, scanned = 0;
	char threads[16];
	pid_t d, keys = -1, again = -1;

	write_config(2, "");
	d = start_daemon();
	if (!ok(d > 0 && WAIT_FOR(workers(w, NULL) == 2 && w[0].pid > 0 && w[1].pid > 0 &&
				  (keys = key_process(NULL)) > 0, test_ms(5000)),
		"ktlsd starts with 2 workers and a key process"))
		return;
	/* Each names itself right after the fork: the status may list it before. */
	ok(WAIT_FOR(proc_comm_is(keys, "ktlsd-keys") && proc_comm_is(w[0].pid, "ktlsd-worker0") &&
		    proc_comm_is(w[1].pid, "ktlsd-worker1"), test_ms(5000)),
	   "ps tells them apart: ktlsd-keys, ktlsd-worker0, ktlsd-worker1");
	/* Its main thread, the closer's first, and a thread per worker's channel. */
	ok(WAIT_FOR(atoi(proc_status_field(keys, 0, "Threads", threads, sizeof(threads))) == 2 + 2,
		    test_ms(5000)),
	   "the key process signs on a thread per worker (%s threads in all)", threads);
	ok(tls_handshake_completes("-tls1_3") && tls_handshake_completes("-tls1_2") &&
	   tls_handshake_completes("-tls1_3") && tls_handshake_completes("-tls1_2"),
	   "TLS 1.3 and 1.2 handshakes with openssl s_client are signed through the key process");
	ok(ktlsctl_says("workers: 2, 0 restarts") && ktlsctl_says("worker 0: pid ") &&
	   ktlsctl_says("worker 1: pid ") && ktlsctl_says("key process: pid "),
	   "ktlsctl daemon status lists the workers and the key process");
#ifdef KTLSD_RSA_OPENSSL
	ok(ktlsctl_says("RSA: OpenSSL libcrypto"), "... and which RSA code signs: libcrypto's");
#else
	ok(ktlsctl_says("RSA: BearSSL"), "... and which RSA code signs: BearSSL's (RSA=bearssl)");
#endif
	snprintf(path, sizeof(path), "%s/ec.key", dir);
	if (ok(creds_load_key(&creds, path, err, sizeof(err)) == 0 && creds.ec_key.xlen == 32,
	       "the profile's private key, read here to look for it")) {
		needle = creds.ec_key.x;
		len = creds.ec_key.xlen;
		found[0] = 0;
		scanned += proc_scan_memory(keys, &needle, &len, 1, found) == 0;
		keys_hold = found[0];
		for (int i = 0; i < 2; i++) {
			found[0] = 0;
			scanned += proc_scan_memory(w[i].pid, &needle, &len, 1, found) == 0;
			workers_hold += found[0];
		}
		ok(scanned == 3 && keys_hold, "the key process's memory holds the key");
		ok(scanned == 3 && !workers_hold, "no worker's memory does (%d of 2)", workers_hold);
	}
	creds_free(&creds);
	/* Stopped, the key process cannot answer: a worker waits in poll() for it. */
	kill(keys, SIGSTOP);
	if (!ok(tls_handoff_start(&t, "-tls1_3") == 0 &&
		WAIT_FOR(waits_for_signature(w[0].pid) || waits_for_signature(w[1].pid), test_ms(10000)),
		"with the key process stopped, a worker waits for a signature")) {
		kill(keys, SIGCONT);
		goto out;
	}
	kill(keys, SIGKILL);
	st = tls_handoff_end(&t, test_ms(1000), 1);
	ok(st == EPROTO, "kill -9 of the key process: that handshake fails at once (%s)",
	   st > 0 ? strerrorname_np(st) : "no answer within a second");
	ok(WAIT_FOR((again = key_process(&restarts)) > 0 && again != keys, test_ms(1000)) &&
	   restarts == 1, "the key process is back within a second, as pid %d", (int)again);
	ok(WAIT_FOR(log_count("the key process was killed by signal 9 (SIGKILL)") == 1, test_ms(5000)),
	   "the log names the signal");
	ok(tls_handshake_completes("-tls1_3") && tls_handshake_completes("-tls1_2"),
	   "later handshakes are signed again");
	test_no_resumption_after_fatal_alert();
out:
	ok(live_stop(d), "ktlsd stops cleanly");
}

/* An RSA-2048 key and certificate in the test folder, readable by nobody's group; 0 or -1. */
static int make_rsa_key(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && test -e rsa.crt || (openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key "
		 "-out rsa.crt -days 2 -subj /CN=localhost 2>/dev/null && chgrp %d rsa.key && "
		 "chmod 0640 rsa.key)", dir, NOBODY);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_seccomp(void)
{
	struct worker_info w[MAX_WORKERS];
	long long restarts = -1;
	pid_t d, keys;
	int back;

	char extra[600];

	/* RSA too: libcrypto signs in the filtered key process, BearSSL's RSA suites run in the workers. */
	snprintf(extra, sizeof(extra), "\n[profile srv-rsa]\ncert = %s/rsa.crt\nkey = %s/rsa.key\n"
		 "verify = none\n", dir, dir);
	if (!ok(make_rsa_key() == 0 && write_config(2, extra) == 0, "an RSA-2048 profile beside the P-256 one"))
		return;
	/* The first worker started calls open(2) once its filter is in place. */
	setenv("KTLSD_TEST_SECCOMP_PROBE", "1", 1);
	d = start_daemon();
	unsetenv("KTLSD_TEST_SECCOMP_PROBE");
	if (!ok(d > 0, "ktlsd starts with the seccomp probe"))
		return;
	ok(WAIT_FOR(log_count("(SIGSYS): a system call outside its seccomp filter") == 1, test_ms(5000)) &&
	   log_count("worker 0 was killed by signal") == 1 &&
	   log_count("KTLSD_TEST_SECCOMP_PROBE: calling open(2)") == 1 &&
	   log_count("open(2) returned") == 0,
	   "the worker that called open(2) was killed by its filter, and the log says so");
	back = WAIT_FOR(workers(w, &restarts) == 2 && w[0].pid > 0 && w[1].pid > 0 &&
			w[0].restarts == 1, test_ms(5000));
	ok(back && w[1].restarts == 0 && restarts == 1,
	   "it was started again; the other worker was not touched (restarts %lld)", restarts);
	keys = key_process(NULL);
	/* A worker loads its filter once its loop is set up: a moment after the fork. */
	ok(WAIT_FOR(proc_seccomp_mode(w[0].pid) == 2 && proc_seccomp_mode(w[1].pid) == 2,
		    test_ms(5000)),
	   "both workers, the restarted one too, run under a seccomp filter");
	ok(keys > 0 && WAIT_FOR(proc_seccomp_mode(keys) == 2, test_ms(5000)) &&
	   proc_seccomp_mode(d) == 0,
	   "the key process runs under the filter too, the supervisor without");
	{
		char eff[32], prm[32], worker_eff[32];

		proc_status_field(keys, 0, "CapEff", eff, sizeof(eff));
		proc_status_field(keys, 0, "CapPrm", prm, sizeof(prm));
		proc_status_field(w[1].pid, 0, "CapEff", worker_eff, sizeof(worker_eff));
		ok(!strcmp(eff, "0000000000000000") && !strcmp(prm, eff) &&
		   !strcmp(worker_eff, "0000000000001000"),
		   "the key process holds no capability (CapEff %s), a worker CAP_NET_ADMIN only (%s)",
		   eff, worker_eff);
	}
	{
		size_t stride = worker_slot_stride(), size = WORKER_SLOTS * stride;
		unsigned long slots = (unsigned long)proc_shared_anon(d, 0, size);

		ok(slots && proc_shared_anon(d, slots, 0) == (long long)size &&
		   proc_shared_anon(w[0].pid, slots, 0) == (long long)stride &&
		   proc_shared_anon(w[1].pid, slots, 0) == (long long)stride &&
		   proc_shared_anon(keys, slots, 0) == 0,
		   "of the counters' shared mapping, each worker holds its own slot only, the key process none");
	}
	ok(tls_handshake_completes("-tls1_3") && tls_handshake_completes("-tls1_2") &&
	   tls_handshake_completes("-tls1_3") && tls_handshake_completes("-tls1_2") && answers(),
	   "full TLS 1.3 and 1.2 handshakes go through the filtered workers");
	tls_profile = "srv-rsa";
	ok(tls_handshake_completes("-tls1_3") && tls_handshake_completes("-tls1_2") &&
	   tls_handshake_completes("-tls1_3") && tls_handshake_completes("-tls1_2"),
	   "and with RSA-2048: PSS and PKCS#1 signatures from the filtered key process");
	tls_profile = "srv";
	ok(log_count("refused its RSA key") == 0, "the RSA key was not left to the slow code");
	ok(log_count("(SIGSYS)") == 1 && workers(w, &restarts) == 2 && restarts == 1,
	   "no other worker was killed by its filter");
	ok(live_stop(d), "ktlsd stops cleanly, its filtered workers too");
}

/* The daemon's pid, from its status; -1 without an answer. */
static pid_t daemon_pid(void)
{
	static char answer[1 << 16];
	json_object *st = json_tokener_parse(live_control(ctl_path, "status", answer, sizeof(answer)));
	pid_t pid = st ? (pid_t)field(st, "pid") : -1;

	json_object_put(st);
	return pid;
}

/*
 * Without -f, as a classic daemon (daemon(3) forks after the sockets are
 * bound): the workers still run, one that dies is still started again, and
 * SIGTERM still stops it all.
 */
static void test_detached(void)
{
	struct worker_info w[MAX_WORKERS];
	char cmd[600];
	long long restarts = 0;
	pid_t d = -1, a = -1;

	write_config(2, "");
	unlink(sock_path);
	snprintf(cmd, sizeof(cmd), "%s -c %s", ktlsd_bin, conf_path);
	if (system(cmd) == 0 && WAIT_FOR(live_answers(sock_path), test_ms(10000)))
		d = daemon_pid();
	if (!ok(d > 0, "ktlsd without -f detaches (pid %d)", (int)d))
		return;
	ok(WAIT_FOR(workers(w, NULL) == 2 && w[0].pid > 0 && w[1].pid > 0 && key_process(NULL) > 0,
		    test_ms(10000)), "its 2 workers and its key process run");
	a = w[0].pid;
	kill(a, SIGKILL);
	ok(WAIT_FOR(workers(w, &restarts) == 2 && w[0].pid > 0 && w[0].pid != a, test_ms(5000)) &&
	   restarts == 1, "a worker killed is started again");
	ok(answers(), "it answers");
	kill(d, SIGTERM);
	ok(WAIT_FOR(kill(d, 0) < 0 && kill(w[0].pid, 0) < 0 && kill(w[1].pid, 0) < 0, test_ms(10000)),
	   "SIGTERM stops it and its workers");
	if (kill(d, 0) == 0)
		kill(d, SIGKILL);
}

int main(void)
{
	const char *missing = live_prepare(dir, ktlsd_bin, sizeof(ktlsd_bin));
	char cmd[300];

	if (missing) {
		ok(0, "%s", missing);
		return done();
	}
	LIVE_PATHS(dir, sock_path, conf_path, log_path);
	snprintf(ctl_path, sizeof(ctl_path), "%s/ctl.sock", dir);
	test_kill_one_worker();
	test_reload_rolls_over();
	test_stop(SIGTERM);
	test_stop(SIGKILL);
	test_key_process();
	test_seccomp();
	test_detached();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (!getenv("KTLSD_TEST_KEEP") && system(cmd) != 0)
		diag("could not remove %s", dir);
	return done();
}
