// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real ktlsd, attacked the way a hostile local user would: descriptors
 * thrown at it, a lingering close, its slots taken, its descriptors used up,
 * its log flooded. Each must leave the daemon serving everyone else. These
 * need no kernel TLS: every request here is refused, or stays before the
 * end of its handshake.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
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

#include "hex.h"
#include "ktlsd.h"
#include "log.h"
#include "live.h"
#include "rfc8448.h"
#include "tap.h"
#include "wire.h"

#define NOBODY 65534
#define STRANGER 65533	/* a uid no profile admits */
#define FIRST_GROUP 20000	/* a caller with 100 supplementary groups ... */
#define LAST_GROUP 20099	/* ... of which only the last is admitted */
#define FLOODER 65532		/* a uid no profile admits, refused in a loop */

static char dir[] = "/tmp/ktlsd-test-intake.XXXXXX";
static char sock_path[100], conf_path[160], log_path[160];
static char ktlsd_bin[200];	/* $KTLSD_BIN_DIR/ktlsd, or build/ktlsd */

static int write_config(const char *daemon_section)
{
	char cmd[1024];
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout ec.key -out ec.crt -days 2 -subj /CN=localhost 2>/dev/null && "
		 /* A reload reads it as nobody, the daemon's user by then. */
		 "chgrp %d ec.key && chmod 0640 ec.key", dir, NOBODY);
	snprintf(conf_path, sizeof(conf_path), "%s/ec.crt", dir);
	if (access(conf_path, F_OK) && system(cmd) != 0)
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/ktlsd.conf", dir);
	f = fopen(conf_path, "w");
	if (!f)
		return -1;
	/* user = nobody: the daemon gives up root as it does in service (test_privilege checks how). */
	/* workers = 1: these tests look at the limits, descriptors and CPU of one worker. */
	fprintf(f, "[daemon]\nsocket = %s\ncontrol_socket = none\nuser = nobody\nworkers = 1\n%s\n",
		sock_path, daemon_section);
	fprintf(f, "[profile srv]\ncert = %s/ec.crt\nkey = %s/ec.key\nverify = none\nallow_uid = 0, %d\n",
		dir, dir, NOBODY);
	fprintf(f, "[profile out]\nrole = client\nverify = none\nallow_uid = 0, %d\n", NOBODY);
	fprintf(f, "[profile grp]\nrole = client\nverify = none\nallow_gid = %d\n", LAST_GROUP);
	return fclose(f);
}

/* Start ktlsd in the foreground, its log in log_path; @nofile: 0 or a limit. */
static pid_t start_daemon(rlim_t nofile)
{
	return live_start(ktlsd_bin, conf_path, log_path, sock_path, nofile, 0);
}

static int count_fds(pid_t pid)
{
	return live_fd_count(pid);
}

static int connect_daemon(void)
{
	return live_connect(sock_path);
}

/* Send @len bytes (0 allowed) with @nfds copies of /dev/null attached. */
static int send_with_fds(int sock, const void *data, size_t len, int nfds)
{
	int fds[16], rc;

	for (int i = 0; i < nfds; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	rc = live_send_fds(sock, data, len, fds, nfds);
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return rc;
}

/* The daemon's answer on @sock: its status, or -errno of recv. */
static int read_status(int sock, int limit_ms)
{
	struct ktlsd_wire_reply r;
	struct pollfd p = { sock, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, limit_ms) != 1)
		return -ETIMEDOUT;
	n = recv(sock, &r, sizeof(r), 0);
	if (n < 0)
		return -errno;
	return n == sizeof(r) && r.magic == KTLSD_WIRE_MAGIC ? r.status : -EBADMSG;
}

static int handoff_as(const char *profile, enum ktlsd_role role, char *msg, size_t len)
{
	return live_handoff(sock_path, profile, role, msg, len);
}

static int handoff(const char *profile, enum ktlsd_role role)
{
	return handoff_as(profile, role, NULL, 0);
}

/* Run @fn as uid @uid in a child; its exit code. */
static int as_uid(uid_t uid, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0)
			_exit(99);
		_exit(fn(arg));
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 98;
}

/* Defect 1: descriptors on zero-byte messages, and behind a request, are all closed. */
static void test_fd_collection(pid_t worker)
{
	int before, statuses_ok = 1;

	/*
	 * Counted once it has answered a request: its socket answers a
	 * connect as soon as it is bound, before the loop (and the closer's
	 * eventfd) exists.
	 */
	handoff("no-such-profile", KTLSD_ROLE_SERVER);
	before = count_fds(worker);

	for (int i = 0; i < 200; i++) {
		int s = connect_daemon(), st;

		if (s < 0 || send_with_fds(s, "", 0, 8) < 0) {
			statuses_ok = 0;
			close(s);
			break;
		}
		st = read_status(s, test_ms(5000));
		/* Refused as malformed, or once this uid's closes pile up, as busy. */
		statuses_ok &= st == EBADF || st == EMSGSIZE || st == EBUSY;
		close(s);
	}
	ok(statuses_ok, "200 zero-byte messages with 8 descriptors each are each refused");
	for (int i = 0; i < 20; i++) {
		struct ktlsd_wire_request w = { .magic = KTLSD_WIRE_MAGIC, .version = KTLSD_WIRE_VERSION,
						.role = KTLSD_ROLE_SERVER };
		int s = connect_daemon();

		strcpy(w.profile, "no-such-profile");
		send_with_fds(s, &w, sizeof(w), 1);
		send_with_fds(s, "more", 4, 8);
		read_status(s, test_ms(5000));
		close(s);
	}
	if (!ok(WAIT_FOR(count_fds(worker) <= before, test_ms(5000)),
		"every descriptor that arrived was closed (%d open before)", before))
		diag("ktlsd holds %d descriptors, %d before", count_fds(worker), before);
}

/*
 * A TCP socket whose last close will block for 120 s: SO_LINGER, unsent
 * data, a peer (*@peer) that does not read. Closing *@peer ends it (reset).
 */
static int lingering_socket(int *peer)
{
	struct linger lg = { 1, 120 };
	static char junk[65536];
	int a, small = 4096;

	if (live_tcp_pair(&a, peer) < 0)
		return -1;
	setsockopt(a, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(*peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	fcntl(a, F_SETFL, O_NONBLOCK);
	while (send(a, junk, sizeof(junk), MSG_NOSIGNAL) > 0)
		;
	fcntl(a, F_SETFL, 0);
	setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	return a;
}

/*
 * Defect 2: a socket whose last close lingers (SO_LINGER, unsent data, a
 * peer that does not read) is handed over with a request that is refused;
 * the next caller is still answered at once.
 */
static void test_lingering_close(pid_t worker)
{
	struct ktlsd_wire_request w = { .magic = KTLSD_WIRE_MAGIC, .version = KTLSD_WIRE_VERSION,
					.role = KTLSD_ROLE_SERVER };
	int a, b, s, st;

	a = lingering_socket(&b);
	if (!ok(a >= 0, "lingering close: a TCP socket with unsent data and SO_LINGER 120 s"))
		return;
	strcpy(w.profile, "no-such-profile");
	/*
	 * Ours is closed before the daemon can read the request (it is
	 * stopped meanwhile): its close is the last one, whatever the timing.
	 * (Not through libktlsd: its context keeps a duplicate to check the
	 * outcome on, whose close would then be the last.)
	 */
	kill(worker, SIGSTOP);
	s = connect_daemon();
	ok(s >= 0 && live_send_fds(s, &w, sizeof(w), &a, 1) == 0, "lingering close: hand-off sent");
	close(a);
	kill(worker, SIGCONT);
	st = handoff("no-such-profile", KTLSD_ROLE_SERVER);
	ok(st == ESRCH, "the next caller is answered while the close lingers (got %s)",
	   st > 0 ? strerrorname_np(st) : "no answer");
	ok(read_status(s, test_ms(5000)) == ESRCH, "the lingering caller got its answer too");
	close(s);
	close(b);	/* unread data: a reset ends the linger */
}

static int unknown_profile_is_esrch(void *arg)
{
	(void)arg;
	return handoff("no-such-profile", KTLSD_ROLE_SERVER) == ESRCH ? 0 : 1;
}

/*
 * Hand @n descriptors over in zero-byte messages of up to 253, on
 * connections left in @conns for the answers (each refused, EBADF).
 */
static int throw_fds(const int *fds, int n, int *conns)
{
	int rc = 0;

	for (int off = 0, k = 0; off < n; off += 253, k++) {
		conns[k] = connect_daemon();
		if (conns[k] < 0 || live_send_fds(conns[k], "", 0, fds + off,
						n - off < 253 ? n - off : 253) < 0)
			rc = -1;
	}
	return rc;
}

/*
 * Review finding: a uid whose descriptors pile up in the closer (every
 * close blocked by a linger) is refused before it hands over more, while
 * other uids are served; once the closes complete it is served again.
 */
static void test_closing_budget(pid_t worker)
{
	enum { N = 260 };	/* over 2 * max_handshakes_per_uid + 253 */
	static int ours[N], peers[N];
	int made = 0, st, rc, conns[(N + 252) / 253];

	while (made < N && (ours[made] = lingering_socket(&peers[made])) >= 0)
		made++;
	if (!ok(made == N, "%d sockets whose last close lingers", made))
		goto out;
	/* As above: ours closed first, while the daemon cannot read them yet. */
	kill(worker, SIGSTOP);
	rc = throw_fds(ours, N, conns);
	for (int i = 0; i < N; i++)
		close(ours[i]);
	kill(worker, SIGCONT);
	for (int i = 0; i < (N + 252) / 253; i++) {
		rc |= conns[i] < 0 || read_status(conns[i], test_ms(5000)) != EBADF;
		close(conns[i]);
	}
	if (!ok(rc == 0, "handed over in zero-byte messages, each refused EBADF"))
		goto out;
	st = handoff("no-such-profile", KTLSD_ROLE_SERVER);
	ok(st == EBUSY, "with %d closes blocked, that uid's next request gets EBUSY (%s)", N,
	   st > 0 ? strerrorname_np(st) : "no answer");
	ok(as_uid(NOBODY, unknown_profile_is_esrch, NULL) == 0, "another uid is served meanwhile");
out:
	for (int i = 0; i < made; i++)
		close(peers[i]);	/* resets: the lingering closes end */
	ok(WAIT_FOR(handoff("no-such-profile", KTLSD_ROLE_SERVER) == ESRCH, test_ms(10000)),
	   "the closes done, the uid is served again");
}

/* A client-role hand-off whose peer stays silent: in flight until cancelled. */
struct in_flight {
	struct ktlsd_handoff h;
	int app, peer;
};

static int start_in_flight(struct in_flight *f)
{
	struct ktlsd_request req = { .role = KTLSD_ROLE_CLIENT, .profile = "out" };
	unsigned char hello[5];
	struct pollfd p;

	if (live_tcp_pair(&f->app, &f->peer) < 0 || ktlsd_handoff_start(&f->h, sock_path, f->app, &req) < 0)
		return -1;
	/* The daemon's ClientHello reaching the peer: the handshake runs. */
	p = (struct pollfd){ f->peer, POLLIN, 0 };
	if (poll(&p, 1, test_ms(5000)) != 1 || recv(f->peer, hello, 5, MSG_WAITALL) != 5 ||
	    hello[0] != 22)
		return -1;
	return 0;
}

static void end_in_flight(struct in_flight *f)
{
	ktlsd_handoff_cancel(&f->h);
	close(f->app);
	close(f->peer);
}

static int second_user_gets_a_slot(void *arg)
{
	struct in_flight f;
	int rc;

	(void)arg;
	rc = start_in_flight(&f) == 0 ? 0 : 1;
	end_in_flight(&f);
	return rc;
}

static int stranger_refusals(void *arg)
{
	char unknown[200], existing[200];

	(void)arg;
	if (handoff_as("no-such-profile", KTLSD_ROLE_SERVER, unknown, sizeof(unknown)) != EACCES)
		return 1;
	if (handoff_as("srv", KTLSD_ROLE_SERVER, existing, sizeof(existing)) != EACCES)
		return 2;
	return strcmp(unknown, existing) ? 3 : 0;
}

static int many_groups_admitted(void *arg)
{
	(void)arg;
	/* Admitted but the wrong role: EINVAL. Not admitted: EACCES. */
	return handoff("grp", KTLSD_ROLE_SERVER) == EINVAL ? 0 : 1;
}

/* Defect 12: a caller's 100th supplementary group counts (SO_PEERGROUPS, ERANGE). */
static void test_many_groups(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		gid_t groups[100];

		for (int i = 0; i < 100; i++)
			groups[i] = FIRST_GROUP + i;
		if (setgroups(100, groups) < 0 || setgid(STRANGER) < 0 || setuid(STRANGER) < 0)
			_exit(99);
		_exit(many_groups_admitted(NULL));
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a caller admitted by its 100th supplementary group is admitted");
}

/* Defect 3: EBUSY reaches the caller, and one uid cannot take every slot. */
static void test_busy(void)
{
	struct in_flight first;
	int busy = 0;

	if (!ok(start_in_flight(&first) == 0, "a handshake in flight holds root's only slot"))
		return;
	for (int i = 0; i < 20; i++)
		busy += handoff("srv", KTLSD_ROLE_SERVER) == EBUSY;
	ok(busy == 20, "20 hand-offs over root's limit each get EBUSY, not a reset (%d did)", busy);
	ok(as_uid(NOBODY, second_user_gets_a_slot, NULL) == 0,
	   "another uid still gets a handshake while root is at its limit");
	end_in_flight(&first);
	ok(WAIT_FOR(handoff("no-such-profile", KTLSD_ROLE_SERVER) == ESRCH, test_ms(5000)),
	   "after a cancel the slot is free again");
}

/*
 * Review finding: a daemon that is not accepting (stopped here, its backlog
 * full) makes libktlsd answer EBUSY at once, whatever the timeout, instead
 * of blocking in connect().
 */
static void test_full_backlog(pid_t worker)
{
	struct ktlsd_request req = { .role = KTLSD_ROLE_SERVER, .profile = "no-such-profile" };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct ktlsd_result res;
	int conns[300], n = 0, a, b, rc = 0;
	uint64_t start;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	kill(worker, SIGSTOP);
	for (; n < 300; n++) {
		conns[n] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (connect(conns[n], (struct sockaddr *)&addr, sizeof(addr)) < 0) {
			close(conns[n]);
			break;
		}
	}
	if (live_tcp_pair(&a, &b) == 0) {
		start = live_now_ms();
		rc = ktlsd_handshake(sock_path, a, &req, -1, &res);
		ok(n < 300 && rc < 0 && res.status == EBUSY && live_now_ms() - start < (uint64_t)test_ms(1000),
		   "backlog full (%d waiting): EBUSY at once with no timeout given (%s)", n,
		   strerrorname_np(res.status));
		close(a);
		close(b);
	}
	for (int i = 0; i < n; i++)
		close(conns[i]);
	kill(worker, SIGCONT);
	ok(WAIT_FOR(handoff("no-such-profile", KTLSD_ROLE_SERVER) == ESRCH, test_ms(10000)),
	   "resumed, it answers again");
}

/* Defect 11: a caller no profile admits learns nothing of which profiles exist. */
static void test_enumeration(void)
{
	ok(handoff("no-such-profile", KTLSD_ROLE_SERVER) == ESRCH, "an admitted caller: ESRCH");
	ok(as_uid(STRANGER, stranger_refusals, NULL) == 0,
	   "a caller no profile admits: EACCES and the same message, for unknown and existing profiles alike");
}

static int log_count(const char *needle)
{
	return live_log_count(log_path, needle);
}

static int flood(void *arg)
{
	char name[32];
	int eacces = 0;

	(void)arg;
	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "flood-probe-%d", i);
		eacces += handoff(name, KTLSD_ROLE_SERVER) == EACCES;
	}
	return eacces == 30 ? 0 : 1;
}

/* Defect 11: refusals in a loop do not flood the log, even with varied names. */
static void test_log_flood(void)
{
	ok(as_uid(FLOODER, flood, NULL) == 0, "30 requests with varied names from one uid: EACCES each");
	ok(WAIT_FOR(log_count("uid 65532: request refused") == LOG_REPEAT_BURST, test_ms(5000)) &&
	   log_count("uid 65532: request refused") == LOG_REPEAT_BURST,
	   "of them %d are logged, the rest counted (%d logged)", LOG_REPEAT_BURST,
	   log_count("uid 65532: request refused"));
	ok(log_count("pid ") > 0 && log_count("uid 0: request refused") > 0,
	   "refusals name the caller's pid and uid");
}

/* The request phase has its own short deadline: a silent connection gets ETIMEDOUT. */
static void test_request_timeout(void)
{
	int s = connect_daemon();

	ok(s >= 0 && read_status(s, test_ms(5000)) == ETIMEDOUT,
	   "a connection that sends no request is answered ETIMEDOUT after request_timeout");
	close(s);
}

static double cpu_seconds(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long utime, stime;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
			 &stime) != 2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static int read_status_of(struct in_flight *f, int limit_ms)
{
	return read_status(ktlsd_handoff_fd(&f->h), limit_ms);
}

/*
 * Defect 12: deadlines stay in order when a reload shortens
 * handshake_timeout: a new handshake times out on time even behind an older
 * one with a longer deadline.
 */
static void test_reload_shortens_timeout(void)
{
	struct in_flight old, young;
	int st;
	pid_t d;

	write_config("handshake_timeout = 60s\n");
	d = start_daemon(0);
	if (!ok(d > 0 && start_in_flight(&old) == 0, "a handshake with a 60 s deadline is in flight"))
		return;
	write_config("handshake_timeout = 300ms\n");
	kill(d, SIGHUP);
	ok(WAIT_FOR(log_count("reloaded") >= 1, test_ms(5000)), "handshake_timeout reloaded as 300ms");
	if (start_in_flight(&young) == 0) {
		st = read_status_of(&young, test_ms(5000));
		ok(st == ETIMEDOUT, "the new handshake times out after 300 ms, behind the old one (%s)",
		   st > 0 ? strerrorname_np(st) : "no answer");
		end_in_flight(&young);
	} else {
		ok(0, "a second handshake starts");
	}
	ok(read_status_of(&old, 0) == -ETIMEDOUT, "the old one still runs to its own deadline");
	end_in_flight(&old);
	ok(live_stop(d), "and stops cleanly");
}

/*
 * Defect 4: with few descriptors, ktlsd caps what it takes on from
 * RLIMIT_NOFILE (and says so) instead of running out and spinning on EMFILE:
 * a flood of silent connections costs it no CPU and every caller an answer.
 */
static void test_out_of_descriptors(void)
{
	int conns[60], c = 0, window = test_ms(1000), answered = 0, cap = 0;
	double before, used;
	char line[512];
	FILE *f;
	pid_t d, w = -1;

	write_config("request_timeout = 60s\n");
	ok(start_daemon(100) < 0 && log_count("RLIMIT_NOFILE 100 is below") == 1,
	   "a ktlsd with RLIMIT_NOFILE 100 refuses to start: it could not take a message safely");
	d = start_daemon(400);
	if (!ok(d > 0 && (w = live_worker(d)) > 0, "a ktlsd with RLIMIT_NOFILE 400 starts"))
		return;
	ok(WAIT_FOR(log_count("more than RLIMIT_NOFILE 400 allows") == 1, test_ms(5000)),
	   "it logs that RLIMIT_NOFILE caps max_handshakes");
	f = fopen(log_path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "RLIMIT_NOFILE 400 allows"))
			sscanf(strstr(line, "at most ") ? strstr(line, "at most ") : "", "at most %d", &cap);
	if (f)
		fclose(f);
	while (c < 60 && (conns[c] = connect_daemon()) >= 0)
		c++;
	before = cpu_seconds(w);
	poll(NULL, 0, window);	/* the window CPU is measured over, not a wait for an event */
	used = cpu_seconds(w) - before;
	ok(c == 60 && used < window / 1000.0 * 0.2,
	   "60 silent connections: %.2f s of CPU in %.2f s, no busy loop", used, window / 1000.0);
	for (int i = 0; i < c; i++)
		answered += read_status(conns[i], 0) == EBUSY;
	ok(cap > 0 && cap < 60 && answered == c - cap,
	   "those beyond the cap of %d got EBUSY at once (%d of %d)", cap, answered, c);
	ok(count_fds(w) < 400, "it never came near its descriptor limit (%d open)", count_fds(w));
	for (int i = 0; i < c; i++)
		close(conns[i]);
	ok(WAIT_FOR(handoff("no-such-profile", KTLSD_ROLE_SERVER) == ESRCH, test_ms(10000)),
	   "the flood gone, it answers a request again");
	ok(live_stop(d), "and stops cleanly");
}

/* Defect 6: a socket folder others may write to is refused at start. */
static void test_socket_folder(void)
{
	char open_dir[200], cmd[800];
	FILE *f;
	int rc;

	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	mkdir(open_dir, 0777);
	chmod(open_dir, 01777);
	f = fopen(conf_path, "w");
	if (!f)
		return;
	fprintf(f, "[daemon]\nsocket = %s/k.sock\ncontrol_socket = none\nuser = nobody\n"
		"[profile out]\nrole = client\nverify = none\n", open_dir);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -f -c %s 2>>%s", ktlsd_bin, conf_path, log_path);
	rc = system(cmd);
	ok(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 1 &&
	   log_count("that no one else may write to") == 1,
	   "a world-writable socket folder is refused at start");
}

/*
 * An alert slipped in before a TLS 1.3 ClientHello (by an attacker on the
 * path: no transcript covers it) ends the handshake with a fatal
 * unexpected_message; it never goes on as TLS 1.2 (where BearSSL's engine
 * would answer it without the downgrade sentinel).
 */
static void test_alert_before_hello(void)
{
	static const uint8_t warning[] = { 21, 3, 1, 0, 2, 1, 112 };	/* unrecognized_name */
	static const uint8_t unexpected[] = { 21, 3, 3, 0, 2, 2, 10 };	/* fatal unexpected_message */
	struct ktlsd_request req = { .role = KTLSD_ROLE_SERVER, .profile = "srv" };
	struct hex_buf ch = hex_alloc(RFC8448_S3_CLIENT_HELLO);
	uint8_t wire[7 + 5 + 512], answer[sizeof(unexpected)];
	struct ktlsd_handoff h;
	struct ktlsd_result res = { 0 };
	struct pollfd p;
	int app, peer, rc = -1;

	if (!ok(ch.p && ch.len + 12 <= sizeof(wire) && live_tcp_pair(&app, &peer) == 0 &&
		ktlsd_handoff_start(&h, sock_path, app, &req) == 0, "a server hand-off starts")) {
		hex_free(&ch);
		return;
	}
	memcpy(wire, warning, sizeof(warning));
	wire[7] = 22, wire[8] = 3, wire[9] = 1;
	wire[10] = (uint8_t)(ch.len >> 8), wire[11] = (uint8_t)ch.len;
	memcpy(wire + 12, ch.p, ch.len);
	ok(write(peer, wire, 12 + ch.len) == (ssize_t)(12 + ch.len) &&
	   poll(&(struct pollfd){ peer, POLLIN, 0 }, 1, test_ms(5000)) == 1 &&
	   recv(peer, answer, sizeof(answer), MSG_WAITALL) == (ssize_t)sizeof(answer) &&
	   !memcmp(answer, unexpected, sizeof(unexpected)),
	   "an alert before the ClientHello: the peer gets a fatal unexpected_message, no ServerHello");
	p = (struct pollfd){ ktlsd_handoff_fd(&h), POLLIN, 0 };
	if (poll(&p, 1, test_ms(5000)) == 1)
		rc = ktlsd_handoff_finish(&h, &res);
	else
		ktlsd_handoff_cancel(&h);
	ok(rc < 0 && res.status == EPROTO && strstr(res.message, "ClientHello"),
	   "the application gets EPROTO: %s", rc < 0 ? res.message : "(no answer)");
	close(app);
	close(peer);
	hex_free(&ch);
}

int main(void)
{
	const char *missing = live_prepare(dir, ktlsd_bin, sizeof(ktlsd_bin));
	char cmd[300];
	pid_t d, w;

	/* Root, too: these tests change uid and fill descriptor tables. */
	if (missing) {
		ok(0, "%s", missing);
		return done();
	}
	LIVE_PATHS(dir, sock_path, conf_path, log_path);
	if (!ok(write_config("max_handshakes = 2\nmax_handshakes_per_uid = 1\nrequest_timeout = 300ms\n") == 0,
		"configuration written") || !ok((d = start_daemon(0)) > 0, "ktlsd starts") ||
	    !ok((w = live_worker(d)) > 0, "with its worker"))
		return done();
	test_fd_collection(w);
	test_lingering_close(w);
	test_closing_budget(w);
	test_busy();
	test_enumeration();
	test_full_backlog(w);
	test_request_timeout();
	test_log_flood();
	test_many_groups();
	test_alert_before_hello();
	ok(live_stop(d), "ktlsd survived all of it and stops cleanly");
	test_reload_shortens_timeout();
	test_out_of_descriptors();
	test_socket_folder();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done();
}

