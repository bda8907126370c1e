// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real ktlsd gives up its privileges once its sockets are bound: with
 * user = nobody, /proc says uid and gid 65534 in every thread, no
 * supplementary group, CAP_NET_ADMIN alone (effective, permitted, bounding),
 * nothing inheritable or ambient, no_new_privs. It still answers hand-offs;
 * a reload works while nobody can read the key files and is refused with
 * FILE:LINE, the daemon serving on, when it cannot. Started by systemd with
 * its sockets (socket activation), it takes them by path, whatever their
 * order, leaves them in place at exit, and refuses a stray or missing one.
 * No kernel TLS needed: the hand-offs here are refused before a handshake.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktlsd.h"
#include "live.h"
#include "tap.h"

#define NOBODY 65534
/* CAP_NET_ADMIN is capability 12: the one bit ktlsd keeps. */
#define NET_ADMIN_ONLY "0000000000001000"

static char dir[] = "/tmp/ktlsd-test-privilege.XXXXXX";
static char run_dir[64], sock_path[108], ctl_path[108], conf_path[160], log_path[160],
	    key_path[160], ktlsd_bin[200];

/* The configuration: key on line 7 (the reload test looks for it). */
static int write_config(const char *user)
{
	FILE *f = fopen(conf_path, "w");

	if (!f)
		return -1;
	fprintf(f, "[daemon]\nsocket = %s\ncontrol_socket = %s\nuser = %s\n", sock_path, ctl_path, user);
	fprintf(f, "[profile srv]\ncert = %s/ec.crt\nkey = %s\nverify = none\n", dir, key_path);
	return fclose(f);
}

static int log_count(const char *needle)
{
	return live_log_count(log_path, needle);
}

/* Exec the daemon -f -v -c conf_path, its stderr appended to log_path. */
static void exec_daemon(void)
{
	live_exec(ktlsd_bin, conf_path, log_path, 0, 1);
}

/*
 * Start the daemon; its pid, or -1. Its socket answers once bound, a moment
 * before the privileges are given up: wait for the log line that follows.
 */
static pid_t start_daemon(void)
{
	/* -1 while there is no log yet */
	int before = live_log_count(log_path, "running as ");
	pid_t d;

	before = before < 0 ? 0 : before;
	d = live_start(ktlsd_bin, conf_path, log_path, sock_path, 0, 1);
	if (d > 0 && !WAIT_FOR(live_log_count(log_path, "running as ") > before, test_ms(5000)))
		diag("ktlsd did not log whom it runs as");
	return d;
}

static int alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* Run the daemon to its end (it is expected to refuse to start): its exit code. */
static int run_daemon(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		exec_daemon();
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Every field of one thread's status as a dropped ktlsd must have it; 1 if so. */
static int dropped(pid_t pid, pid_t tid, int verbose)
{
	static const struct {
		const char *field, *want;
	} want[] = {
		{ "Uid", "65534\t65534\t65534\t65534" },
		{ "Gid", "65534\t65534\t65534\t65534" },
		{ "Groups", "" },
		{ "CapInh", "0000000000000000" },
		{ "CapPrm", NET_ADMIN_ONLY },
		{ "CapEff", NET_ADMIN_ONLY },
		{ "CapBnd", NET_ADMIN_ONLY },
		{ "CapAmb", "0000000000000000" },
		{ "NoNewPrivs", "1" },
	};
	char v[256];
	int good = 1;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		proc_status_field(pid, tid, want[i].field, v, sizeof(v));
		if (strcmp(v, want[i].want)) {
			good = 0;
			if (verbose)
				diag("%s: '%s', wanted '%s'", want[i].field, v, want[i].want);
		}
	}
	return good;
}

/* Every thread of @pid dropped; the number checked in *@n. */
static int all_threads_dropped(pid_t pid, int *n)
{
	char path[64];
	struct dirent *d;
	int good = 1;
	DIR *dh;

	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dh = opendir(path);
	if (!dh)
		return 0;
	while ((d = readdir(dh))) {
		if (d->d_name[0] == '.')
			continue;
		(*n)++;
		if (!dropped(pid, (pid_t)atoi(d->d_name), 1)) {
			diag("thread %s", d->d_name);
			good = 0;
		}
	}
	closedir(dh);
	return good;
}

/* One hand-off to @profile: the result's status (0: a handshake ran). */
static int handoff(const char *profile)
{
	return live_handoff(sock_path, profile, KTLSD_ROLE_SERVER, NULL, 0);
}

/* Ask the control socket @cmd; its answer in @out ("" if none). */
static const char *control(const char *cmd, char *out, size_t len)
{
	return live_control(ctl_path, cmd, out, len);
}

static void test_dropped(void)
{
	char answer[2048], want[300], v[128];
	int threads = 0, good;
	pid_t d = -1;

	if (!ok(write_config("nobody") == 0 && (d = start_daemon()) > 0,
		"ktlsd starts with user = nobody"))
		return;
	ok(dropped(d, 0, 1), "/proc/PID/status: uid and gid 65534, no groups, CapEff = CapPrm = "
	   "CapBnd = CAP_NET_ADMIN only, nothing inheritable or ambient, NoNewPrivs 1");
	ok(!strcmp(proc_status_field(d, 0, "CapEff", v, sizeof(v)), NET_ADMIN_ONLY),
	   "CapEff %s: CAP_NET_ADMIN, for the tls module's autoload and sock_diag's TX/RX modes", v);
	ok(handoff("no-such-profile") == ESRCH, "a hand-off still gets its answer (ESRCH, unknown profile)");
	good = all_threads_dropped(d, &threads);
	ok(good && threads >= 2, "every thread (%d, the closer's too) runs with the same credentials",
	   threads);
	ok(log_count("running as nobody (uid 65534, gid 65534), keeping CAP_NET_ADMIN only") == 1,
	   "the log says whom it runs as and what it kept");

	control("reload", answer, sizeof(answer));
	ok(strstr(answer, "\"reloaded\"") != NULL, "reload as nobody, the key readable by its group: done");
	if (!strstr(answer, "\"reloaded\""))
		diag("answer: %s", answer);

	chmod(key_path, 0600);
	control("reload", answer, sizeof(answer));
	snprintf(want, sizeof(want), "%s:7: ", conf_path);
	ok(strstr(answer, want) && strstr(answer, "ec.key: Permission denied"),
	   "a key nobody cannot read: reload refused with FILE:LINE (ktlsd.conf:7, the key's line)");
	if (!strstr(answer, want))
		diag("answer: %s", answer);
	ok(alive(d) && handoff("no-such-profile") == ESRCH && strstr(control("profiles", answer,
	   sizeof(answer)), "\"srv\""), "the daemon serves on with the running configuration");
	ok(log_count("reload refused, the running configuration stays") == 1,
	   "the refusal is logged");
	chmod(key_path, 0640);
	control("reload", answer, sizeof(answer));
	ok(strstr(answer, "\"reloaded\"") != NULL, "readable again: the next reload works");

	write_config("root");
	control("reload", answer, sizeof(answer));
	ok(strstr(answer, "user cannot change on reload") != NULL,
	   "another user in a reload is refused: a restart is needed");
	write_config("nobody");
	ok(dropped(d, 0, 1), "after all the reloads: still nobody, CAP_NET_ADMIN alone");
	ok(live_stop(d), "and it stops cleanly");
}

static void test_user_errors(void)
{
	char want[300];
	pid_t d;
	int rc;

	write_config("no-such-user-ktlsd");
	rc = run_daemon();
	snprintf(want, sizeof(want), "%s:4: user 'no-such-user-ktlsd' does not exist", conf_path);
	ok(rc == 1 && log_count(want) == 1, "a user that does not exist: no start, FILE:LINE named");

	write_config("root");
	d = start_daemon();
	if (!ok(d > 0, "user = root starts"))
		return;
	ok(log_count("running as root with every privilege (user = root)") == 1,
	   "... and is logged as a warning");
	{
		char v[128];

		proc_status_field(d, 0, "Uid", v, sizeof(v));
		ok(!strncmp(v, "0\t", 2), "... and keeps uid 0 (%s)", v);
	}
	ok(live_stop(d), "and stops cleanly");
}

/* A listening SOCK_SEQPACKET socket at @path, bound here (as systemd would). */
static int listener(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0)
		return -1;
	return fd;
}

/*
 * Start ktlsd as systemd would with @n sockets at @paths: fds 3.., LISTEN_FDS,
 * LISTEN_PID. With @wait, its pid once it answers; else its exit code.
 */
static pid_t activate(const char *const *paths, int n, int wait)
{
	int fds[4], status;
	pid_t pid;

	for (int i = 0; i < n; i++)
		if ((fds[i] = listener(paths[i])) < 0)
			return -1;
	pid = fork();
	if (pid == 0) {
		char count[8], me[16];

		/* Out of the way of 3..3+n first, then into place. */
		for (int i = 0; i < n; i++)
			fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
		for (int i = 0; i < n; i++)
			dup2(fds[i], 3 + i);
		snprintf(count, sizeof(count), "%d", n);
		snprintf(me, sizeof(me), "%d", (int)getpid());
		setenv("LISTEN_FDS", count, 1);
		setenv("LISTEN_PID", me, 1);
		exec_daemon();
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	if (!wait) {
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	}
	/* Activated sockets answer at once: wait for the log instead. */
	if (!WAIT_FOR(log_count("listening on") > 0, test_ms(5000))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void test_socket_activation(void)
{
	const char *swapped[] = { ctl_path, sock_path };
	char answer[2048], stray[200];
	struct stat st;
	pid_t d;

	fclose(fopen(log_path, "w"));
	write_config("nobody");
	/* Its user may write in the folder: what stays at exit, stays by choice. */
	chown(run_dir, NOBODY, NOBODY);
	d = activate(swapped, 2, 1);
	if (!ok(d > 0, "socket activation: ktlsd starts with systemd's two sockets, control first"))
		return;
	ok(handoff("no-such-profile") == ESRCH && strstr(control("status", answer, sizeof(answer)), "\"pid\""),
	   "each socket found by its path: hand-offs on one, status on the other");
	ok(dropped(d, 0, 1), "and it gave up its privileges as when it binds itself");
	ok(live_stop(d) && stat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	   stat(ctl_path, &st) == 0, "at exit, systemd's socket files stay where they are");
	chown(run_dir, 0, 0);

	snprintf(stray, sizeof(stray), "%s/stray.sock", run_dir);
	{
		const char *three[] = { sock_path, stray, ctl_path };
		int rc = activate(three, 3, 0);

		ok(rc == 1 && log_count("stray.sock) that the configuration names neither") == 1,
		   "a socket the configuration does not name: refused at start, named (exit %d)", rc);
	}
	{
		const char *one[] = { sock_path };
		char want[300];
		int rc = activate(one, 1, 0);

		snprintf(want, sizeof(want), "add ListenSequentialPacket=%s", ctl_path);
		ok(rc == 1 && log_count(want) == 1,
		   "a configured socket systemd did not pass: refused at start, with the fix (exit %d)", rc);
	}
}

int main(void)
{
	const char *missing = live_prepare(dir, ktlsd_bin, sizeof(ktlsd_bin));
	char cmd[600];

	if (missing) {
		ok(0, "%s", missing);
		return done();
	}
	snprintf(run_dir, sizeof(run_dir), "%s/run", dir);
	mkdir(run_dir, 0755);
	snprintf(sock_path, sizeof(sock_path), "%s/ktlsd.sock", run_dir);
	snprintf(ctl_path, sizeof(ctl_path), "%s/ctl.sock", run_dir);
	snprintf(conf_path, sizeof(conf_path), "%s/ktlsd.conf", dir);
	snprintf(log_path, sizeof(log_path), "%s/ktlsd.log", dir);
	snprintf(key_path, sizeof(key_path), "%s/ec.key", dir);
	/* As the documentation says to: root's, readable by the daemon's group. */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout ec.key -out ec.crt -days 2 -subj /CN=localhost 2>/dev/null && "
		 "chown root:%d ec.key && chmod 0640 ec.key", dir, NOBODY);
	if (!ok(system(cmd) == 0, "a key root:nogroup 0640 and its certificate"))
		return done();
	test_dropped();
	test_user_errors();
	test_socket_activation();
	if (tap_failed)
		diag("ktlsd's log: %s (kept)", log_path);
	else if (snprintf(cmd, sizeof(cmd), "rm -rf %s", dir) > 0 && system(cmd) != 0)
		diag("could not remove %s", dir);
	return done();
}
