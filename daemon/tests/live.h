/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A real ktlsd under test, shared by the host tests that start one
 * (test_intake, test_privilege): the binary ($KTLSD_BIN_DIR/ktlsd, default
 * build/ktlsd, run from the checkout), started in the foreground with its
 * log appended to a file, waited for by event (its socket answering), and
 * looked at: its log, its descriptors. Each test program is one process:
 * the helpers may be static.
 */
#ifndef KTLSD_TESTS_LIVE_H
#define KTLSD_TESTS_LIVE_H

#include <dirent.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktlsd.h"
#include "proc_look.h"
#include "test_time.h"

static inline uint64_t live_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Look at @cond every 5 ms until it holds or @limit_ms passes; its last value. */
#define WAIT_FOR(cond, limit_ms)						\
	({									\
		uint64_t _until = live_now_ms() + (uint64_t)(limit_ms);		\
		int _ok;							\
		while (!(_ok = !!(cond)) && live_now_ms() < _until)		\
			poll(NULL, 0, 5);					\
		_ok;								\
	})

/* A test folder's ktlsd.sock, ktlsd.conf and ktlsd.log, into three arrays. */
#define LIVE_PATHS(dir, sock, conf, log)					\
	do {									\
		snprintf(sock, sizeof(sock), "%s/ktlsd.sock", dir);		\
		snprintf(conf, sizeof(conf), "%s/ktlsd.conf", dir);		\
		snprintf(log, sizeof(log), "%s/ktlsd.log", dir);		\
	} while (0)

/* The daemon binary under test, in @out; 0 if it is there to run. */
static inline int live_binary(char *out, size_t len)
{
	const char *dir = getenv("KTLSD_BIN_DIR");

	snprintf(out, len, "%s/ktlsd", dir ? dir : "build");
	return access(out, X_OK);
}

/*
 * The start of a test program with a real ktlsd: its folder made from the
 * mkdtemp() template @dir (0755: the daemon, once nobody, reads in it), the
 * checkout the current folder, the binary in @bin, and root (ktlsd starts
 * as root here and gives it up). NULL, or what is missing.
 */
static inline const char *live_prepare(char *dir, char *bin, size_t len)
{
	static char why[300];

	if (!mkdtemp(dir))
		return "a test folder";
	if (chdir(getenv("KTLSD_SOURCE_DIR") ? getenv("KTLSD_SOURCE_DIR") : ".") < 0 ||
	    live_binary(bin, len) < 0) {
		snprintf(why, sizeof(why), "%s is built (run from the checkout)", bin);
		return why;
	}
	if (geteuid() != 0)
		return "ktlsd starts as root here and gives it up: run these tests as root";
	chmod(dir, 0755);
	return NULL;
}

/* A SEQPACKET connection to @path, or -1. */
static inline int live_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int live_answers(const char *path)
{
	int fd = live_connect(path);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/*
 * In a child: exec @bin -f [-v] -c @conf, stderr appended to @log, with
 * RLIMIT_NOFILE @nofile (0: as it is). Does not return.
 */
static inline void live_exec(const char *bin, const char *conf, const char *log, rlim_t nofile,
			     int verbose)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	struct rlimit lim = { nofile, nofile };

	dup2(fd, 2);
	if (nofile)
		setrlimit(RLIMIT_NOFILE, &lim);
	if (verbose)
		execl(bin, "ktlsd", "-f", "-v", "-c", conf, (char *)NULL);
	else
		execl(bin, "ktlsd", "-f", "-c", conf, (char *)NULL);
	_exit(127);
}

/* Start it and wait until @sock answers: its pid, or -1 (it did not come up). */
static inline pid_t live_start(const char *bin, const char *conf, const char *log,
			       const char *sock, rlim_t nofile, int verbose)
{
	pid_t pid = fork();

	if (pid == 0)
		live_exec(bin, conf, log, nofile, verbose);
	if (pid > 0 && !WAIT_FOR(live_answers(sock), test_ms(5000))) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* SIGTERM, and 1 if it then exited cleanly (status 0). */
static inline int live_stop(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A connected TCP pair on loopback: *@ours for the hand-off, *@theirs the peer. */
static inline int live_tcp_pair(int *ours, int *theirs)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) < 0) {
		if (l >= 0)
			close(l);
		return -1;
	}
	*ours = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*ours < 0 || connect(*ours, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(l);
		return -1;
	}
	*theirs = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	close(l);
	return *theirs < 0 ? -1 : 0;
}

/*
 * One hand-off of a fresh TCP socket to the daemon at @sock with @profile
 * and @role: the result's status, 0 if a handshake ran to its end (its
 * message in @msg if not NULL); -1 if no TCP pair could be made.
 */
static inline int live_handoff(const char *sock, const char *profile, enum ktlsd_role role,
			       char *msg, size_t len)
{
	struct ktlsd_request req = { .role = role, .profile = profile };
	struct ktlsd_result res;
	int a, b, rc;

	if (live_tcp_pair(&a, &b) < 0)
		return -1;
	rc = ktlsd_handshake(sock, a, &req, test_ms(5000), &res);
	close(a);
	close(b);
	if (msg)
		snprintf(msg, len, "%s", res.message);
	return rc == 0 ? 0 : res.status;
}

/* Lines of @log that hold @needle; -1 if it cannot be read. */
static inline int live_log_count(const char *log, const char *needle)
{
	char line[1024];
	FILE *f = fopen(log, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* Descriptors @pid has open; -1 if it cannot be looked at. */
static inline int live_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *d;
	int n = 0;
	DIR *dh;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dh = opendir(path);
	if (!dh)
		return -1;
	while ((d = readdir(dh)))
		n += d->d_name[0] != '.';
	closedir(dh);
	return n;
}

/*
 * The one worker of a daemon started with workers = 1, told from its key
 * process by name (pids wrap: the first child is not always the lowest);
 * -1 if none came up.
 */
static inline pid_t live_worker(pid_t daemon)
{
	pid_t pid = -1;

	WAIT_FOR(proc_workers(daemon, &pid, 1) == 1, test_ms(5000));
	return pid;
}

/*
 * Ask the control socket at @ctl for @cmd ("status", "reload"...): the JSON
 * answer in @out ("" if none came within 5 s, scaled), with json-c's "\/"
 * written back as "/" so paths compare.
 */
static inline const char *live_control(const char *ctl, const char *cmd, char *out, size_t len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n = -1;

	out[0] = 0;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", ctl);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	    send(fd, cmd, strlen(cmd), 0) == (ssize_t)strlen(cmd) && poll(&p, 1, test_ms(5000)) == 1)
		n = recv(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = 0;
	close(fd);
	for (char *r = out, *w = out;; r++) {
		if (r[0] == '\\' && r[1] == '/')
			r++;
		if (!(*w++ = *r))
			break;
	}
	return out;
}

/* Send @len bytes (0 allowed) on @sock with the @nfds descriptors of @fds attached (SCM_RIGHTS): 0 or -1. */
static inline int live_send_fds(int sock, const void *data, size_t len, const int *fds, int nfds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(253 * sizeof(int))];
	} control;
	struct iovec iov = { (void *)data, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(&control, 0, sizeof(control));
	if (nfds) {
		struct cmsghdr *c;

		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

#endif
