// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bearssl.h>

#include "ktls_util.h"
#include "ktlsd_env.h"
#include "proc_look.h"

/* CLOCK_MONOTONIC in milliseconds: deadlines for bounded waits. */
static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* A short pause between two looks at a condition that has no event to wait on. */
static void poll_pause(void)
{
	struct timespec pause = { 0, 5 * 1000 * 1000 };

	nanosleep(&pause, NULL);
}

static void fail_env(struct ktlsd_env *env, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(env->error, sizeof(env->error), fmt, ap);
	va_end(ap);
	env->ready = 0;
}

int ktlsd_test_selected(const char *test_name)
{
	const char *only = getenv("KTLSD_TEST_ONLY");

	return !only || strstr(test_name, only);
}

void env_path(const struct ktlsd_env *env, char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", env->dir, name);
}

static int pick(char *out, size_t len, const char *const *candidates)
{
	for (; *candidates; candidates++) {
		snprintf(out, len, "%s", *candidates);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/*
 * The binaries under test: $KTLSD_BIN_DIR, or beside the tests in a build
 * (build/selftests/../ktlsd), or installed (PREFIX/libexec/ktlsd/selftests
 * → PREFIX/sbin/ktlsd, PREFIX/bin/ktlscat). make-certs.sh likewise.
 */
static int find_binaries(struct ktlsd_env *env, char *certs, size_t certs_len)
{
	char self[512], dir[512], a[3][600], b[3][600], c[2][600];
	const char *from = getenv("KTLSD_BIN_DIR");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = 0;
	snprintf(dir, sizeof(dir), "%s", dirname(self));
	/* Test helpers live beside the suites, built or installed. */
	snprintf(env->flight_peer, sizeof(env->flight_peer), "%s/flight_peer", dir);
	snprintf(a[0], sizeof(a[0]), "%s/ktlsd", from ? from : "/nonexistent");
	snprintf(a[1], sizeof(a[1]), "%s/../ktlsd", dir);
	snprintf(a[2], sizeof(a[2]), "%s/../../../sbin/ktlsd", dir);
	snprintf(b[0], sizeof(b[0]), "%s/ktlscat", from ? from : "/nonexistent");
	snprintf(b[1], sizeof(b[1]), "%s/../ktlscat", dir);
	snprintf(b[2], sizeof(b[2]), "%s/../../../bin/ktlscat", dir);
	snprintf(c[0], sizeof(c[0]), "%s/make-certs.sh", dir);
	snprintf(c[1], sizeof(c[1]), "%s/../../kmod-tests/selftests/make-certs.sh", dir);
	{
		const char *ktlsd[] = { a[0], a[1], a[2], NULL };
		const char *ktlscat[] = { b[0], b[1], b[2], NULL };
		const char *script[] = { c[0], c[1], NULL };

		return pick(env->ktlsd, sizeof(env->ktlsd), ktlsd) ||
		       pick(env->ktlscat, sizeof(env->ktlscat), ktlscat) ||
		       pick(certs, certs_len, script) ? -1 : 0;
	}
}

void payload_bytes(void *buf, size_t len, uint32_t seed, size_t offset)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t *out = buf;

	if (seed != PAYLOAD_TEXT_SEED) {
		ktls_pattern(buf, len, seed, offset);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		size_t pos = offset + i, line = pos / 65, col = pos % 65;
		uint8_t byte;

		if (col == 64) {
			out[i] = '\n';
			continue;
		}
		ktls_pattern(&byte, 1, seed, line * 32 + col / 2);
		out[i] = (uint8_t)hex[col % 2 ? byte & 15 : byte >> 4];
	}
}

static int write_payload(const char *path, size_t len, uint32_t seed)
{
	static uint8_t block[1 << 16];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len; off += sizeof(block)) {
		size_t n = len - off < sizeof(block) ? len - off : sizeof(block);

		payload_bytes(block, n, seed, off);
		if (write(fd, block, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	return close(fd);
}

static int write_config(const struct ktlsd_env *env, const char *path)
{
	const char *d = env->dir;
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	/*
	 * user = nobody: the daemon gives up root as in service (ktlsd(8),
	 * PRIVILEGES), so every suite runs it that way; reloads read the
	 * files as nobody (see share_keys()).
	 */
	/* Two workers, whatever the CPUs: the tests that move a client between them need both. */
	fprintf(f, "[daemon]\nsocket = %s\ncontrol_socket = %s\nhandshake_timeout = %dms\n"
		"user = nobody\nworkers = 2\n\n", env->sock, env->ctl, env->handshake_timeout_ms);
	fprintf(f, "[profile srv-ec]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\nverify = none\n", d, d);
	fprintf(f, "[profile srv-rsa]\ncert = %s/server-rsa.crt\nkey = %s/server-rsa.key\nverify = none\n", d, d);
	fprintf(f, "[profile srv-ec12]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\nverify = none\n"
		"max_version = 1.2\n", d, d);
	fprintf(f, "[profile srv-mtls]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\nca = %s/ca.crt\n"
		"verify = required\n", d, d, d);
	fprintf(f, "[profile srv-alpn]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\nverify = none\n"
		"alpn = h2,http/1.1\n", d, d);
	fprintf(f, "[profile srv13-only]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\n"
		"verify = none\nmin_version = 1.3\n", d, d);
	fprintf(f, "[profile srv-x25519]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\n"
		"verify = none\ngroups = X25519\n", d, d);
	fprintf(f, "[profile srv-p256]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\n"
		"verify = none\ngroups = P-256\n", d, d);
	fprintf(f, "[profile srv-aes128]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\n"
		"verify = none\nciphersuites = TLS_AES_128_GCM_SHA256\n", d, d);
	/* No resumption at all: no TLS 1.3 tickets, no TLS 1.2 session cache. */
	fprintf(f, "[profile srv-notickets]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\n"
		"verify = none\nsession_tickets = no\nsession_cache = no\n", d, d);
	fprintf(f, "[profile cli13]\nca = %s/ca.crt\nmin_version = 1.3\n", d);
	fprintf(f, "[profile cli13-mtls]\ncert = %s/client.crt\nkey = %s/client.key\nca = %s/ca.crt\n"
		"min_version = 1.3\n", d, d, d);
	fprintf(f, "[profile cli]\nca = %s/ca.crt\n", d);
	/* Its own session store; the wait for tickets ends when they come. */
	fprintf(f, "[profile cli-resume]\nca = %s/ca.crt\nticket_wait = %dms\n", d,
		env->handshake_timeout_ms / 2 < 60000 ? env->handshake_timeout_ms / 2 : 60000);
	fprintf(f, "[profile cli-none]\nverify = none\n");
	fprintf(f, "[profile cli-mtls]\ncert = %s/client.crt\nkey = %s/client.key\nca = %s/ca.crt\n", d, d, d);
	fprintf(f, "[profile users]\ncert = %s/server-ec.crt\nkey = %s/server-ec.key\nverify = none\n"
		"allow_uid = 0\n", d, d);
	return fclose(f);
}

/*
 * The private keys the PKI script wrote (0600, root's) as the documentation
 * says to keep them: root's, readable by the daemon's group (nogroup).
 */
static int share_keys(const struct ktlsd_env *env)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "chgrp 65534 %s/*.key && chmod 0640 %s/*.key", env->dir, env->dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int daemon_answers(const char *sock)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), rc;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	rc = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	close(fd);
	return rc == 0;
}

void ktlsd_env_setup(struct ktlsd_env *env)
{
	char cmd[640], conf[128], log[128], certs[800];
	const char *mib = getenv("KTLSD_TEST_MIB");
	struct proc daemon = { .in = IN_NULL };
	pid_t workers[2];
	long long deadline;

	memset(env, 0, sizeof(*env));
	env->daemon = -1;
	/* 3 s: what a silent peer gets; a real handshake takes well under 1 s. */
	env->handshake_timeout_ms = test_ms(3000);
	snprintf(env->handoff_ms, sizeof(env->handoff_ms), "%d", test_ms(30000));
	env->size = (size_t)(mib ? atoi(mib) : 16) << 20;
	if (env->size < (16u << 20))
		env->size = 16u << 20;
	/* KTLSD_TEST_DIR: where to keep PKI and logs (with KTLSD_TEST_KEEP=1). */
	snprintf(env->dir, sizeof(env->dir), "%s/ktlsd-selftest.XXXXXX",
		 getenv("KTLSD_TEST_DIR") ? getenv("KTLSD_TEST_DIR") : "/tmp");
	/* Traversable: one test runs a client as nobody against the socket here. */
	if (!mkdtemp(env->dir) || chmod(env->dir, 0755) < 0)
		return fail_env(env, "mkdtemp: %s", strerror(errno));
	if (find_binaries(env, cmd, sizeof(cmd)) < 0)
		return fail_env(env, "ktlsd, ktlscat or make-certs.sh not found (set KTLSD_BIN_DIR)");
	snprintf(certs, sizeof(certs), "%s %s", cmd, env->dir);
	if (system(certs) != 0)
		return fail_env(env, "making the test PKI failed: %s", certs);
	if (share_keys(env) < 0)
		return fail_env(env, "the keys in %s: chgrp/chmod failed", env->dir);
	env_path(env, env->payload_a, sizeof(env->payload_a), "payload-a");
	env_path(env, env->payload_b, sizeof(env->payload_b), "payload-b");
	env_path(env, env->payload_text, sizeof(env->payload_text), "payload-text");
	if (write_payload(env->payload_a, env->size, PAYLOAD_A_SEED) < 0 ||
	    write_payload(env->payload_b, env->size, PAYLOAD_B_SEED) < 0 ||
	    write_payload(env->payload_text, env->size, PAYLOAD_TEXT_SEED) < 0)
		return fail_env(env, "writing payloads: %s", strerror(errno));
	/*
	 * Not in dir: that may be a 9p share, where sockets cannot live. Not
	 * in /tmp itself either: ktlsd refuses a socket folder others may
	 * write to. A folder of root's, 0755, that the daemon makes.
	 */
	snprintf(env->sock, sizeof(env->sock), "/tmp/ktlsd-selftest-%d.run/ktlsd.sock", (int)getpid());
	snprintf(env->ctl, sizeof(env->ctl), "/tmp/ktlsd-selftest-%d.run/ctl.sock", (int)getpid());
	env_path(env, env->conf, sizeof(env->conf), "ktlsd.conf");
	env_path(env, conf, sizeof(conf), "ktlsd.conf");
	env_path(env, log, sizeof(log), "ktlsd.log");
	if (write_config(env, conf) < 0)
		return fail_env(env, "writing %s", conf);
	daemon.argv[0] = env->ktlsd;
	daemon.argv[1] = "-f";
	daemon.argv[2] = "-v";
	daemon.argv[3] = "-c";
	daemon.argv[4] = conf;
	snprintf(daemon.log, sizeof(daemon.log), "%s", log);
	env->daemon = proc_start(&daemon, env);
	/* Ready when its socket answers; bounded, in case it never does. */
	deadline = now_ms() + test_ms(10000);
	while (!daemon_answers(env->sock) && now_ms() < deadline) {
		if (waitpid(env->daemon, NULL, WNOHANG) == env->daemon)
			return fail_env(env, "ktlsd exited at start; see %s", log);
		poll_pause();
	}
	if (!daemon_answers(env->sock))
		return fail_env(env, "ktlsd does not answer on %s", env->sock);
	/* Its socket is bound before its workers start: ready once they run. */
	while (proc_workers(env->daemon, workers, 2) < 2 && now_ms() < deadline)
		poll_pause();
	if (proc_workers(env->daemon, workers, 2) < 2)
		return fail_env(env, "ktlsd's 2 workers did not start; see %s", log);
	env->ready = 1;
}

/*
 * The daemon is the child of the harness's main process, not of the test's
 * own: a daemon that died shows as a zombie until that process reaps it.
 */
int ktlsd_env_daemon_alive(const struct ktlsd_env *env)
{
	char path[64], stat[256], *state;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)env->daemon);
	f = env->daemon > 0 ? fopen(path, "r") : NULL;
	if (!f)
		return 0;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = 0;
	state = strrchr(stat, ')');
	return state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

void ktlsd_env_teardown(struct ktlsd_env *env)
{
	char cmd[128];

	if (env->daemon > 0) {
		kill(env->daemon, SIGTERM);
		proc_wait(env->daemon, test_ms(5000));
	}
	if (env->dir[0] && !getenv("KTLSD_TEST_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", env->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", env->dir);
	}
	/* The sockets' folder: the daemon, no longer root, leaves its sockets. */
	if (env->sock[0]) {
		char run[sizeof(env->sock)];

		snprintf(run, sizeof(run), "%s", env->sock);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dirname(run));
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", run);
	}
}

pid_t proc_start(struct proc *p, const struct ktlsd_env *env)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, log;
	pid_t pid;

	(void)env;
	p->in_fd = p->out_fd = -1;
	if (((p->in == IN_HOLD || p->in == IN_FEED) && pipe2(in, O_CLOEXEC) < 0) ||
	    (p->checked && pipe2(out, O_CLOEXEC) < 0))
		return -1;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		int infd = p->in == IN_FILE ? open(p->in_file, O_RDONLY) :
			   p->in == IN_HOLD || p->in == IN_FEED ? in[0] : devnull;

		log = open(p->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(infd, 0);
		dup2(p->checked ? out[1] : log, 1);
		dup2(log, 2);
		setpgid(0, 0);
		if (p->cwd && chdir(p->cwd) < 0)
			_exit(126);
		execvp(p->argv[0], (char *const *)p->argv);
		dprintf(2, "exec %s: %s\n", p->argv[0], strerror(errno));
		_exit(127);
	}
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0)
		close(out[1]);
	p->in_fd = in[1];
	p->out_fd = out[0];
	p->pid = pid;
	return pid;
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int wait_for(pid_t pid, int timeout_ms, int kill_late)
{
	struct pollfd pfd = { .fd = pidfd_open(pid), .events = POLLIN };
	int status;

	if (pfd.fd >= 0) {
		if (poll(&pfd, 1, timeout_ms) == 0) {
			close(pfd.fd);
			if (!kill_late)
				return -2;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
		close(pfd.fd);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int proc_wait(pid_t pid, int timeout_ms)
{
	return wait_for(pid, timeout_ms, 1);
}

int proc_wait_nokill(pid_t pid, int timeout_ms)
{
	return wait_for(pid, timeout_ms, 0);
}

int free_port(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
		port = ntohs(addr.sin_port);
	close(fd);
	return port;
}

static int listening_in(const char *table, int port)
{
	char line[512];
	unsigned local_port, state;
	int found = 0;
	FILE *f = fopen(table, "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &local_port, &state) == 2)
			found = (int)local_port == port && state == 0x0A;
	fclose(f);
	return found;
}

int wait_listening(int port, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		if (listening_in("/proc/net/tcp", port) || listening_in("/proc/net/tcp6", port))
			return 0;
		if (now_ms() >= deadline)
			return -1;
		poll_pause();
	}
}

/* 1 when the socket @port ↔ @peer_port has nothing unread, 0 if it has, -1 if absent. */
static int tcp_drained(int port, int peer_port)
{
	char line[512];
	unsigned local_port, remote_port, rx_queue;
	int state = -1;
	FILE *f = fopen("/proc/net/tcp", "r");

	if (!f)
		return -1;
	while (state < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*d: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%x %*x %*x:%x",
			   &local_port, &remote_port, &rx_queue) == 3 &&
		    (int)local_port == port && (int)remote_port == peer_port)
			state = rx_queue == 0;
	fclose(f);
	return state;
}

int wait_tcp_drained(int port, int peer_port, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		if (tcp_drained(port, peer_port) == 1)
			return 0;
		if (now_ms() >= deadline)
			return -1;
		poll_pause();
	}
}

int file_contains(const char *path, const char *needle)
{
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return memmem(buf, n, needle, strlen(needle)) != NULL;
}

void show_file(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return;
	}
	printf("# %s:\n", path);
	while (fgets(line, sizeof(line), f))
		printf("#   %s%s", line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

static void stop_proc(struct proc *p, int timeout_ms)
{
	if (p->in_fd >= 0)
		close(p->in_fd);
	p->in_fd = -1;
	if (p->keeps_running)
		kill(p->pid, SIGTERM);
	p->exit_code = proc_wait(p->pid, timeout_ms);
	/* A server we stop is judged by what it served, not how it ends. */
	if (p->keeps_running && p->exit_code != -1)
		p->exit_code = 0;
}

/* Who else keeps a pipe open: said when its end never comes. */
static void report_pipe_holders(int fd)
{
	char cmd[512], link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = 0;
	snprintf(cmd, sizeof(cmd),
		 "for p in /proc/[0-9]*; do for f in $p/fd/*; do "
		 "[ \"$(readlink $f 2>/dev/null)\" = '%s' ] && echo \"# $f ($(cat $p/comm)) holds %s\"; "
		 "done; done", target, target);
	if (system(cmd) != 0)
		printf("# could not list the holders of %s\n", target);
}

/* Read the checked output to its end, comparing as it comes. */
static void check_output(struct proc *checked, struct proc *other, size_t expect,
			 uint32_t seed, int timeout_s, struct pair_result *res)
{
	static uint8_t got[1 << 16], want[1 << 16];
	uint8_t hash_got[32], hash_want[32];
	br_sha256_context sha_got, sha_want;
	time_t deadline = time(NULL) + timeout_s;
	int same = 1;

	static const char end_of_header[] = "\r\n\r\n";
	static uint8_t feed[1 << 16];
	size_t header_match = checked->http_body ? 0 : 4, fed = 0;

	if (checked->in == IN_FEED)
		fcntl(checked->in_fd, F_SETFL, O_NONBLOCK);
	br_sha256_init(&sha_got);
	br_sha256_init(&sha_want);
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = checked->out_fd, .events = POLLIN },
			{ .fd = checked->in == IN_FEED && fed < expect ? checked->in_fd : -1,
			  .events = POLLOUT },
		};
		int left = (int)(deadline - time(NULL));
		ssize_t n;

		if (left <= 0 || poll(pfd, 2, left * 1000) <= 0) {
			snprintf(res->why, sizeof(res->why), "timed out after %d s with %zu of %zu bytes",
				 timeout_s, res->received, expect);
			report_pipe_holders(checked->out_fd);
			if (system("ss -tnpie | sed 's/^/# /'; grep . /proc/net/tls_stat | sed 's/^/# /'") != 0)
				printf("# ss failed\n");
			return;
		}
		if (pfd[1].revents & POLLOUT) {
			size_t chunk = expect - fed < sizeof(feed) ? expect - fed : sizeof(feed);

			payload_bytes(feed, chunk, seed, fed);
			n = write(checked->in_fd, feed, chunk);
			if (n > 0)
				fed += (size_t)n;
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(checked->out_fd, got, sizeof(got));
		if (n <= 0)
			break;
		/* An HTTP response: drop everything up to the blank line. */
		if (header_match < 4) {
			ssize_t i = 0;

			while (i < n && header_match < 4)
				header_match = got[i++] == (uint8_t)end_of_header[header_match] ?
					       header_match + 1 : got[i - 1] == '\r';
			memmove(got, got + i, (size_t)(n - i));
			n -= i;
			if (n == 0)
				continue;
		}
		br_sha256_update(&sha_got, got, (size_t)n);
		if (res->received < expect) {
			size_t cmp = (size_t)n < expect - res->received ? (size_t)n : expect - res->received;

			payload_bytes(want, cmp, seed, res->received);
			br_sha256_update(&sha_want, want, cmp);
			for (size_t i = 0; same && i < cmp; i++)
				if (got[i] != want[i]) {
					same = 0;
					res->bad_offset = res->received + i;
				}
		}
		res->received += (size_t)n;
		/* Everything is here: let a peer that waits for its stdin finish. */
		if (res->received >= expect) {
			if ((checked->in == IN_HOLD || checked->in == IN_FEED) && checked->in_fd >= 0) {
				close(checked->in_fd);
				checked->in_fd = -1;
			}
			if (other->in == IN_HOLD && other->in_fd >= 0) {
				close(other->in_fd);
				other->in_fd = -1;
			}
		}
	}
	br_sha256_out(&sha_got, hash_got);
	br_sha256_out(&sha_want, hash_want);
	res->output_ok = same && res->received == expect && !memcmp(hash_got, hash_want, 32);
	if (!res->output_ok)
		snprintf(res->why, sizeof(res->why),
			 "output: %zu bytes (want %zu), %s", res->received, expect,
			 !same ? "differs" : "SHA-256 differs");
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

int run_pair(struct proc *server, int port, struct proc *client, size_t expect,
	     uint32_t seed, int timeout_s, struct pair_result *res)
{
	struct timespec t0;
	double listening, transferred, client_done;

	struct proc *checked = server->checked ? server : client;
	struct proc *other = checked == server ? client : server;

	memset(res, 0, sizeof(*res));
	server->exit_code = client->exit_code = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (proc_start(server, NULL) < 0) {
		snprintf(res->why, sizeof(res->why), "cannot start %s", server->argv[0]);
		return -1;
	}
	if (wait_listening(port, test_ms(10000)) < 0) {
		snprintf(res->why, sizeof(res->why), "%s does not listen on %d (see %s)",
			 server->argv[0], port, server->log);
		kill(server->pid, SIGKILL);
		proc_wait(server->pid, test_ms(5000));
		return -1;
	}
	listening = seconds_since(&t0);
	if (proc_start(client, NULL) < 0) {
		snprintf(res->why, sizeof(res->why), "cannot start %s", client->argv[0]);
		kill(server->pid, SIGKILL);
		proc_wait(server->pid, test_ms(5000));
		return -1;
	}
	check_output(checked, other, expect, seed, timeout_s, res);
	transferred = seconds_since(&t0);
	close(checked->out_fd);
	/* The client ends first; a server that keeps running is stopped after. */
	stop_proc(client, res->why[0] ? test_ms(1000) : timeout_s * 1000);
	client_done = seconds_since(&t0);
	stop_proc(server, test_ms(res->why[0] ? 1000 : 30000));
	printf("# %s | %s: listening %.2fs, %zu bytes by %.2fs, client exit %.2fs, server exit %.2fs\n",
	       server->argv[0], client->argv[0], listening, res->received, transferred,
	       client_done, seconds_since(&t0));
	if (res->why[0])
		return -1;
	if (client->exit_code != 0 || server->exit_code != 0) {
		snprintf(res->why, sizeof(res->why), "%s exited %d (log %s), %s exited %d (log %s)",
			 client->argv[0], client->exit_code, client->log,
			 server->argv[0], server->exit_code, server->log);
		return -1;
	}
	return 0;
}

void ktlscat_server_argv(struct proc *p, const struct ktlsd_env *env, const char *port,
			 const char *profile, const char *mode, const char *file, const char *log)
{
	int i = 0;

	p->argv[i++] = env->ktlscat;
	p->argv[i++] = "-v";
	p->argv[i++] = "-t";
	p->argv[i++] = env->handoff_ms;
	p->argv[i++] = "-S";
	p->argv[i++] = env->sock;
	p->argv[i++] = "-b";
	p->argv[i++] = "127.0.0.1";
	p->argv[i++] = "-l";
	p->argv[i++] = port;
	p->argv[i++] = "-p";
	p->argv[i++] = profile;
	p->argv[i++] = "--once";
	p->argv[i++] = mode ? mode : "-d";
	if (mode && file)
		p->argv[i++] = file;
	p->argv[i] = NULL;
	snprintf(p->log, sizeof(p->log), "%s", log);
}

void ktlscat_client_argv(struct proc *p, const struct ktlsd_env *env, const char *port,
			 const char *profile, const char *file, int receive_only, const char *log)
{
	int i = 0;

	p->argv[i++] = env->ktlscat;
	p->argv[i++] = "-v";
	p->argv[i++] = "-t";
	p->argv[i++] = env->handoff_ms;
	p->argv[i++] = "-S";
	p->argv[i++] = env->sock;
	p->argv[i++] = "-p";
	p->argv[i++] = profile;
	p->argv[i++] = "-n";
	p->argv[i++] = "localhost";
	if (file) {
		p->argv[i++] = "--send";
		p->argv[i++] = file;
	} else if (receive_only) {
		p->argv[i++] = "-d";
	}
	p->argv[i++] = "127.0.0.1";
	p->argv[i++] = port;
	p->argv[i] = NULL;
	snprintf(p->log, sizeof(p->log), "%s", log);
}

int ktlscat_vs_s_client(const struct ktlsd_env *env, int port, const char *profile,
			const char *const *args, int hold, const char *server_log,
			const char *client_log)
{
	struct proc server = { .in = IN_NULL }, client = { .in = hold ? IN_HOLD : IN_NULL };
	char port_str[12], connect_to[32];
	size_t n = 0;

	snprintf(port_str, sizeof(port_str), "%d", port);
	snprintf(connect_to, sizeof(connect_to), "127.0.0.1:%d", port);
	ktlscat_server_argv(&server, env, port_str, profile, "--echo", NULL, server_log);
	client.argv[n++] = "openssl";
	client.argv[n++] = "s_client";
	client.argv[n++] = "-connect";
	client.argv[n++] = connect_to;
	for (size_t i = 0; args[i] && n < 24; i++)
		client.argv[n++] = args[i];
	client.argv[n] = NULL;
	snprintf(client.log, sizeof(client.log), "%s", client_log);
	if (proc_start(&server, env) < 0 || wait_listening(port, test_ms(10000)) < 0)
		return -100;
	proc_start(&client, env);
	client.exit_code = proc_wait(client.pid, test_ms(60000));
	/* ktlscat --once ends with its one connection. */
	return proc_wait(server.pid, test_ms(30000));
}
