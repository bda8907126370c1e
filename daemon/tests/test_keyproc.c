// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The key process's loop (keyproc.h) in this process: keyproc_run() on a
 * thread, on one end of a SEQPACKET pair that stands for the supervisor's
 * control channel, with a configuration of three profiles (0: P-256, 1:
 * RSA-2048, both TLS 1.2 and 1.3; 2: no key). Worker channels are handed
 * over it as the supervisor does (fdpass_send()); the test plays the
 * workers, sending requests as key_client.h lays them out.
 *
 * Checked: a thread per channel (counted in /proc/self/status and in
 * kp->n_signers); channels driven at once, one request at a time each,
 * every reply its request's, with a signature that verifies; requests
 * pipelined on one channel, all answered; malformed requests refused, the
 * channel still served; descriptors sent along with a request closed (seen
 * as POLLHUP on a pipe's other end); a worker that floods its channel and
 * never reads losing it, no thread left blocked, the others served; a
 * channel its worker closed closed too (its socket gone from
 * /proc/self/fd), its thread ended; the loop ending when control closes,
 * with a channel still open, every channel shut and every thread gone. Every wait
 * is an event's, bounded by the test time scale (test_ms()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fdpass.h"
#include "key_client.h"
#include "keyproc.h"
#include "live.h"
#include "openssl_keys.h"
#include "tap.h"
#include "tls13/sig.h"

enum { P256, RSA2048, KEY_COUNT };

static struct test_key keys[KEY_COUNT] = {
	[P256] = { .name = "p256", .algorithm = "EC", .option = "ec_paramgen_curve:P-256" },
	[RSA2048] = { .name = "rsa2048", .algorithm = "RSA", .option = "rsa_keygen_bits:2048" },
};

/* Profile numbers, as requests name them. */
enum { KEY_EC = 0, KEY_RSA = 1, KEY_NONE = 2, KEY_BEYOND = 7 };

#define CHANNELS	4	/* driven at once, one client thread each */
#define REQUESTS	300	/* per channel, one at a time */
#define PIPELINED	20	/* sent back to back on one channel */

#define REPLY_HEAD	offsetof(struct key_reply, sig)

static struct profile profiles[3];
static struct config cfg;
static struct keyproc kp;

/* A worker's end of a channel, and the inode of the key process's end. */
struct channel {
	int fd;
	ino_t kp_ino;
};

/* ---- What the test sees of this process ---- */

static int threads_now(void)
{
	char buf[16];

	return atoi(proc_status_field(getpid(), 0, "Threads", buf, sizeof(buf)));
}

/* 1 if a descriptor of this process is the socket with inode @ino. */
static int socket_open(ino_t ino)
{
	char want[64], link[64];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int found = 0;

	if (!d)
		return -1;
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)ino);
	while (!found && (e = readdir(d))) {
		ssize_t n;

		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = 0;
			found = !strcmp(link, want);
		}
	}
	closedir(d);
	return found;
}

/* 1 once @fd reports one of @events, within @ms. */
static int wait_events(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & (events | POLLHUP | POLLERR));
}

/* ---- The key process, on a thread ---- */

struct run {
	int control;		/* its end */
	int done;		/* eventfd: written once keyproc_run() returned */
	int rc;
	pthread_t thread;
};

static void *run_main(void *arg)
{
	struct run *r = arg;
	uint64_t one = 1;

	r->rc = keyproc_run(&kp, r->control);
	if (write(r->done, &one, sizeof(one)) != sizeof(one))
		r->rc = -100;
	return NULL;
}

static void *idle_main(void *arg)
{
	return arg;
}

/* A new channel handed to the key process over @control, as the supervisor does. 0 or -1. */
static int channel_open(int control, struct channel *c)
{
	struct stat st;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if (fstat(sv[1], &st) < 0 || fdpass_send(control, "c", 1, sv[1]) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[1]);
	c->fd = sv[0];
	c->kp_ino = st.st_ino;
	return 0;
}

/* ---- Requests and replies ---- */

static struct key_request digest_request(uint32_t id, uint32_t key, uint8_t sig_op, const uint8_t *digest)
{
	struct key_request req;

	memset(&req, 0, sizeof(req));
	req.id = id;
	req.key = key;
	req.op = KEY_OP_DIGEST;
	req.sig_op = sig_op;
	req.hash = br_sha256_ID;
	req.digest_len = 32;
	memcpy(req.digest, digest, 32);
	return req;
}

static int send_request(int fd, const struct key_request *req)
{
	return send(fd, req, sizeof(*req), MSG_NOSIGNAL) == (ssize_t)sizeof(*req) ? 0 : -1;
}

/*
 * Channels that once let a reply's wait run out: later waits on them do not
 * wait (a broken loop fails each check once, not after a timeout each).
 */
#define STALL_FDS	1024
static _Atomic int stalled[STALL_FDS];

/* One reply on @fd within @ms: its length, or -1 (none came, or the channel failed). */
static ssize_t get_reply(int fd, struct key_reply *reply, int ms)
{
	int known = fd >= 0 && fd < STALL_FDS;

	if (known && stalled[fd])
		ms = 0;
	if (!wait_events(fd, POLLIN, ms)) {
		if (known)
			stalled[fd] = 1;
		memset(reply, 0, sizeof(*reply));
		return -1;
	}
	memset(reply, 0, sizeof(*reply));
	return recv(fd, reply, sizeof(*reply), MSG_DONTWAIT);
}

/* 1 if @reply is a whole ECDSA signature over @digest (SHA-256) by the P-256 key. */
static int ecdsa_verifies(const struct key_reply *reply, ssize_t len, const uint8_t *digest)
{
	br_ecdsa_vrfy vrfy = br_ecdsa_vrfy_asn1_get_default();

	return len >= (ssize_t)REPLY_HEAD && reply->status == 0 && reply->sig_len <= KEY_MAX_SIGNATURE &&
	       len == (ssize_t)(REPLY_HEAD + reply->sig_len) &&
	       vrfy(br_ec_get_default(), digest, 32, &keys[P256].pkey->key.ec, reply->sig, reply->sig_len) == 1;
}

static void random_digest(uint8_t *digest)
{
	size_t got = 0;

	while (got < 32) {
		ssize_t n = getrandom(digest + got, 32 - got, 0);

		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			abort();
	}
}

/* One request on @fd answered within the scale's time: the reply's length, or -1. */
static ssize_t ask(int fd, const void *msg, size_t len, struct key_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	return get_reply(fd, reply, test_ms(2000));
}

/* A P-256 ECDSA request on @fd, answered and verified: 1, or 0. */
static int good_request(int fd, uint32_t id)
{
	struct key_reply reply;
	uint8_t digest[32];
	struct key_request req;
	ssize_t n;

	random_digest(digest);
	req = digest_request(id, KEY_EC, T13_SIG_OP_ECDSA, digest);
	n = ask(fd, &req, sizeof(req), &reply);
	return reply.id == id && ecdsa_verifies(&reply, n, digest);
}

/* ---- Channels driven at once ---- */

struct client {
	int fd;
	uint32_t base;		/* ids: base + 0 .. REQUESTS - 1 */
	unsigned answered;	/* replies that were right */
	char why[160];		/* the first that was not */
	pthread_t thread;
};

static void *client_main(void *arg)
{
	struct client *c = arg;

	for (unsigned i = 0; i < REQUESTS; i++) {
		struct key_reply reply;
		uint8_t digest[32];
		uint32_t id = c->base + i;
		struct key_request req;
		ssize_t n;

		random_digest(digest);
		req = digest_request(id, KEY_EC, T13_SIG_OP_ECDSA, digest);
		if (send_request(c->fd, &req) < 0) {
			snprintf(c->why, sizeof(c->why), "request %u not sent: %s", id, strerror(errno));
			return NULL;
		}
		n = get_reply(c->fd, &reply, test_ms(2000));
		if (n < 0) {
			snprintf(c->why, sizeof(c->why), "request %u: no reply", id);
			return NULL;
		}
		if (reply.id != id || reply.status != 0 || !ecdsa_verifies(&reply, n, digest)) {
			snprintf(c->why, sizeof(c->why), "request %u: reply id %u status %d, %zd bytes, "
				 "signature %s", id, reply.id, reply.status, n,
				 ecdsa_verifies(&reply, n, digest) ? "verifies" : "does not verify");
			return NULL;
		}
		c->answered++;
	}
	return NULL;
}

static void test_concurrent(struct channel *ch)
{
	static struct client clients[CHANNELS];
	unsigned total = 0, started = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < CHANNELS; i++) {
		clients[i] = (struct client){ .fd = ch[i].fd, .base = (i + 1) << 16 };
		if (pthread_create(&clients[i].thread, NULL, client_main, &clients[i]))
			break;
		started++;
	}
	/* Each client's waits are bounded: the joins are too. */
	for (unsigned i = 0; i < started; i++) {
		pthread_join(clients[i].thread, NULL);
		total += clients[i].answered;
		if (clients[i].why[0])
			diag("channel %u: %s", i, clients[i].why);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ok(started == CHANNELS && total == CHANNELS * REQUESTS,
	   "%d channels at once, %d requests each, one at a time: every reply its request's, "
	   "status 0, its ECDSA signature verifying (%u of %d)", CHANNELS, REQUESTS, total,
	   CHANNELS * REQUESTS);
	diag("%u signatures in %ld ms", total,
	     (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
}

/* ---- One channel ---- */

static void test_pipelined(int fd)
{
	uint8_t digests[PIPELINED][32];
	int seen[PIPELINED] = { 0 };
	unsigned sent = 0, answered = 0, right = 0, in_order = 0;

	for (unsigned i = 0; i < PIPELINED; i++) {
		struct key_request req;

		random_digest(digests[i]);
		req = digest_request(1000 + i, KEY_EC, T13_SIG_OP_ECDSA, digests[i]);
		if (send_request(fd, &req) == 0)
			sent++;
	}
	for (unsigned i = 0; i < sent; i++) {
		struct key_reply reply;
		ssize_t n = get_reply(fd, &reply, test_ms(2000));
		uint32_t k = reply.id - 1000;

		if (n < 0)
			break;
		answered++;
		in_order += k == i;
		if (k < PIPELINED && !seen[k] && ecdsa_verifies(&reply, n, digests[k])) {
			seen[k] = 1;
			right++;
		}
	}
	ok(sent == PIPELINED && answered == PIPELINED && right == PIPELINED &&
	   !wait_events(fd, POLLIN, 0),
	   "%d requests sent back to back on one channel: %u answered, each id once with a "
	   "signature that verifies (%u), nothing more", PIPELINED, answered, right);
	/* One signer at a time per channel (EPOLLONESHOT) answers in order; not required. */
	diag("%u of %u replies in the order of their requests", in_order, answered);
}

static void test_malformed(int fd)
{
	struct key_reply reply;
	uint8_t digest[32], big[sizeof(struct key_request) + 8];
	struct key_request req;
	ssize_t n;

	random_digest(digest);
	req = digest_request(2000, KEY_EC, T13_SIG_OP_ECDSA, digest);
	n = ask(fd, &req, sizeof(req) - 1, &reply);
	ok(n == (ssize_t)REPLY_HEAD && reply.status == -1, "a request a byte short: status -1, no signature");

	memset(big, 0, sizeof(big));
	memcpy(big, &req, sizeof(req));
	n = ask(fd, big, sizeof(big), &reply);
	ok(n == (ssize_t)REPLY_HEAD && reply.status == -1, "a request longer than one: status -1");

	req = digest_request(2001, KEY_NONE, T13_SIG_OP_ECDSA, digest);
	n = ask(fd, &req, sizeof(req), &reply);
	ok(n == (ssize_t)REPLY_HEAD && reply.status == -1 && reply.id == 2001,
	   "key number of a profile without a key: status -1, its id echoed");

	req = digest_request(2002, KEY_BEYOND, T13_SIG_OP_ECDSA, digest);
	n = ask(fd, &req, sizeof(req), &reply);
	ok(n == (ssize_t)REPLY_HEAD && reply.status == -1 && reply.id == 2002,
	   "key number beyond the profiles: status -1");

	req = digest_request(2003, KEY_EC, T13_SIG_OP_ECDSA, digest);
	req.op = 9;
	n = ask(fd, &req, sizeof(req), &reply);
	ok(n == (ssize_t)REPLY_HEAD && reply.status == -1 && reply.id == 2003, "an unknown op: status -1");

	req = digest_request(2004, KEY_EC, T13_SIG_OP_ECDSA, digest);
	req.digest_len = 31;
	n = ask(fd, &req, sizeof(req), &reply);
	ok(n == (ssize_t)REPLY_HEAD && reply.status == -1 && reply.id == 2004,
	   "a digest shorter than its hash's: status -1");

	req = digest_request(2005, KEY_EC, T13_SIG_OP_PKCS1, digest);
	n = ask(fd, &req, sizeof(req), &reply);
	ok(n == (ssize_t)REPLY_HEAD && reply.status == -1 && reply.id == 2005,
	   "PKCS#1 asked of the EC key: status -1");

	ok(good_request(fd, 2006), "after them, the channel is still served: a good request answered");
}

/* What the replies sign, checked against OpenSSL and our own verifier. */
static void test_signatures(int fd)
{
	static const char content[] = "ServerKeyExchange-ish content for the key process";
	uint8_t digest[32], theirs[T13_MAX_SIGNATURE], cv[T13_CV_MAX_CONTENT];
	char path[PATH_MAX];
	struct key_reply reply;
	struct key_request req;
	size_t cv_len, theirs_len;
	ssize_t n;

	hash_of(&br_sha256_vtable, content, sizeof(content) - 1, digest);
	write_file(in_dir(path, "content.bin"), content, sizeof(content) - 1);

	req = digest_request(3000, KEY_EC, T13_SIG_OP_ECDSA, digest);
	n = ask(fd, &req, sizeof(req), &reply);
	ok(reply.id == 3000 && ecdsa_verifies(&reply, n, digest) &&
	   openssl_dgst_verify(&keys[P256], "sha256", 0, reply.sig, reply.sig_len),
	   "an ECDSA signature of the key process verifies with OpenSSL's dgst too");

	req = digest_request(3001, KEY_RSA, T13_SIG_OP_PKCS1, digest);
	n = ask(fd, &req, sizeof(req), &reply);
	theirs_len = openssl_dgst_sign(&keys[RSA2048], "sha256", 1, theirs);
	ok(n == (ssize_t)(REPLY_HEAD + 256) && reply.status == 0 && reply.id == 3001 && reply.sig_len == 256 &&
	   theirs_len == 256 && !memcmp(reply.sig, theirs, 256),
	   "an RSA PKCS#1 signature of profile 1's key is OpenSSL's, byte for byte");

	/* A TLS 1.3 CertificateVerify, its content made by the key process. */
	memset(&req, 0, sizeof(req));
	req.id = 3002;
	req.key = KEY_EC;
	req.op = KEY_OP_CV_SERVER;
	req.scheme = T13_SIG_ECDSA_SECP256R1_SHA256;
	req.digest_len = 32;
	memcpy(req.digest, digest, 32);
	n = ask(fd, &req, sizeof(req), &reply);
	cv_len = t13_cv_content(cv, 1, digest, 32);
	ok(n > (ssize_t)REPLY_HEAD && reply.status == 0 && reply.id == 3002 &&
	   n == (ssize_t)(REPLY_HEAD + reply.sig_len) &&
	   t13_sig_verify(keys[P256].pkey, T13_SIG_ECDSA_SECP256R1_SHA256, cv, cv_len, reply.sig,
			  reply.sig_len) == 0,
	   "a TLS 1.3 server CertificateVerify signature verifies over the content for its hash");
}

/* How many of the pipes whose read ends are @r (@n of them) have no writer left now. */
static int pipes_hung_up(const int *r, int n)
{
	struct pollfd pfd[4];
	int hung = 0;

	for (int i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = r[i], .events = POLLIN };
	if (poll(pfd, (nfds_t)n, 0) < 0)
		return 0;
	for (int i = 0; i < n; i++)
		hung += !!(pfd[i].revents & POLLHUP);
	return hung;
}

/*
 * How many of the pipes whose read ends are @r (@n, at most 4) lost their
 * last writer within the scale's time: POLLHUP, then end of file.
 */
static int pipes_closed(const int *r, int n)
{
	int closed = 0;
	char c;

	WAIT_FOR(pipes_hung_up(r, n) == n, test_ms(5000));
	for (int i = 0; i < n; i++)
		closed += pipes_hung_up(&r[i], 1) && read(r[i], &c, 1) == 0;
	return closed;
}

static void test_passed_fds(int fd)
{
	int p[3][2], w[3], r[3], closed, made = 0, sent;
	struct key_reply reply;
	uint8_t digest[32];
	struct key_request req;
	ssize_t n;

	memset(&reply, 0, sizeof(reply));
	for (int i = 0; i < 3; i++)
		if (pipe2(p[i], O_CLOEXEC) == 0) {
			r[made] = p[i][0];
			w[made++] = p[i][1];
		}
	random_digest(digest);
	req = digest_request(4000, KEY_EC, T13_SIG_OP_ECDSA, digest);
	sent = made == 3 && live_send_fds(fd, &req, sizeof(req), w, 3) == 0;
	/* The write ends are the key process's alone now (or nobody's: then they read as closed). */
	for (int i = 0; i < made; i++)
		close(w[i]);
	n = sent ? get_reply(fd, &reply, test_ms(2000)) : -1;
	ok(reply.id == 4000 && ecdsa_verifies(&reply, n, digest),
	   "a request with three descriptors sent along is answered");
	closed = sent ? pipes_closed(r, 3) : 0;
	for (int i = 0; i < made; i++)
		close(r[i]);
	ok(closed == 3, "the key process closes every descriptor sent along (%d of 3)", closed);

	made = pipe2(p[0], O_CLOEXEC) == 0;
	sent = made && live_send_fds(fd, &req, sizeof(req) - 4, &p[0][1], 1) == 0;
	if (made)
		close(p[0][1]);
	n = sent ? get_reply(fd, &reply, test_ms(2000)) : -1;
	ok(sent && n == (ssize_t)REPLY_HEAD && reply.status == -1 && pipes_closed(p[0], 1) == 1,
	   "one sent along with a malformed request: refused, and the descriptor closed");
	if (made)
		close(p[0][0]);
	ok(good_request(fd, 4001), "the channel is still served");
}

/* The CPU time thread @t used so far, in ms; -1 if it cannot be read. */
static double thread_cpu_ms(pthread_t t)
{
	struct timespec ts;
	clockid_t clock;

	if (pthread_getcpuclockid(t, &clock) || clock_gettime(clock, &ts) < 0)
		return -1;
	return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

/* kp.n_signers, read as the key process writes it: under its lock. */
static unsigned signers_now(void)
{
	unsigned n;

	pthread_mutex_lock(&kp.lock);
	n = kp.n_signers;
	pthread_mutex_unlock(&kp.lock);
	return n;
}

/* 1 if one of this process's threads is blocked in send() (sendto(2)) now. */
static int a_thread_in_send(void)
{
	char path[64], line[64];
	struct dirent *e;
	DIR *d = opendir("/proc/self/task");
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.' || strlen(e->d_name) > 16)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/syscall", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		found = fgets(line, sizeof(line), f) && atol(line) == SYS_sendto;
		fclose(f);
	}
	closedir(d);
	return found;
}

/*
 * A worker that sends requests and never reads the answers: once an answer
 * finds its channel full, the key process ends the channel (its thread
 * never blocks on it); the others are still served.
 */
static void test_flood(const struct channel *c, int other)
{
	unsigned before = signers_now(), sent = 0;
	struct key_request req;

	memset(&req, 0, sizeof(req));
	req.key = KEY_BEYOND;	/* refused: the answers cost nothing to make */
	while (sent < 100000) {
		req.id = 6000 + sent;
		if (send(c->fd, &req, sizeof(req), MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(req)) {
			sent++;
			continue;
		}
		/* Full until the key process reads on, or ends the channel (EPIPE). */
		if (errno != EAGAIN || !wait_events(c->fd, POLLOUT, test_ms(5000)))
			break;
	}
	ok(WAIT_FOR(socket_open(c->kp_ino) == 0 && signers_now() == before - 1, test_ms(5000)),
	   "a worker that floods its channel and reads nothing loses it: the key process closed it, "
	   "its thread ended (%u requests sent, %u channels served)", sent, signers_now());
	ok(!a_thread_in_send(), "no thread of the key process is left blocked in send()");
	ok(good_request(other, 6000), "another channel is still served at once");
}

/* A channel its worker closed: the key process's end closed, its thread ended. */
static void test_worker_gone(struct channel *c, int base)
{
	int there = socket_open(c->kp_ino) == 1, threads = threads_now(), ended;
	unsigned signers = signers_now();

	close(c->fd);
	c->fd = -1;
	ok(there && WAIT_FOR(socket_open(c->kp_ino) == 0, test_ms(5000)),
	   "a channel its worker closed: the key process's end closed too");
	ended = WAIT_FOR(threads_now() == threads - 1 && signers_now() == signers - 1, test_ms(5000));
	ok(ended, "and its thread ended (%d threads beside ours, was %d; %u channels served, was %u)",
	   threads_now() - base, threads - base, signers_now(), signers);
}

/* How many of the key process's ends of @ch (@n of them) are still open. */
static int channels_open(const struct channel *ch, int n)
{
	int open = 0;

	for (int i = 0; i < n; i++)
		open += socket_open(ch[i].kp_ino) != 0;
	return open;
}

/* ---- Setup ---- */

static int setup_keys(void)
{
	if (keys_dir_make("keyproc") < 0)
		return -1;
	for (int i = 0; i < KEY_COUNT; i++)
		if (make_key(&keys[i]) < 0)
			return -1;
	snprintf(profiles[0].name, sizeof(profiles[0].name), "ec");
	snprintf(profiles[1].name, sizeof(profiles[1].name), "rsa");
	snprintf(profiles[2].name, sizeof(profiles[2].name), "nokey");
	/* Shallow copies: the test keys own what they point to. */
	profiles[0].creds = keys[P256].creds;
	profiles[1].creds = keys[RSA2048].creds;
	for (int i = 0; i < 3; i++) {
		profiles[i].min_version = 0x0303;
		profiles[i].max_version = 0x0304;
		profiles[i].next = i < 2 ? &profiles[i + 1] : NULL;
	}
	cfg.profiles = &profiles[0];
	cfg.workers = 4;
	return 0;
}

/* 1 once the worker's end @fd sees its channel shut: end of file, after any answers queued. */
static int shut_seen(int fd)
{
	uint64_t until = live_now_ms() + (uint64_t)test_ms(5000);
	struct key_reply reply;

	while (fd >= 0 && wait_events(fd, POLLIN, test_ms(5000))) {
		ssize_t n = recv(fd, &reply, sizeof(reply), MSG_DONTWAIT);

		if (n == 0)
			return 1;
		if ((n < 0 && errno != EAGAIN) || live_now_ms() > until)
			return 0;
	}
	return 0;
}

int main(void)
{
	struct channel ch[CHANNELS], flood = { .fd = -1 };
	struct run run = { .rc = -1 };
	int ctl[2], base, started, opened = 0, gone, ended;
	uint64_t wall;
	double cpu;

	if (!ok(setup_keys() == 0, "a P-256 and an RSA-2048 key with certificates, loaded by creds")) {
		keys_dir_remove();
		return done();
	}
	ok(keyproc_init(&kp, &cfg) == 0 && kp.n_signers == 0 && !kp.signers,
	   "keyproc_init(): no channel, no signing thread yet");

	for (int i = 0; i < CHANNELS; i++)
		ch[i] = (struct channel){ .fd = -1 };
	/* A thread started and joined first: a sanitizer's own thread, if any, is counted in @base. */
	if (pthread_create(&run.thread, NULL, idle_main, NULL) == 0)
		pthread_join(run.thread, NULL);
	base = threads_now();
	run.done = eventfd(0, EFD_CLOEXEC);
	if (run.done < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0) {
		ok(0, "a control channel");
		keys_dir_remove();
		return done();
	}
	run.control = ctl[1];
	if (pthread_create(&run.thread, NULL, run_main, &run)) {
		ok(0, "keyproc_run() started on a thread");
		keys_dir_remove();
		return done();
	}
	/* Its thread and the closer's first. */
	started = WAIT_FOR(threads_now() == base + 2, test_ms(5000));
	ok(started, "keyproc_run() runs, no signing thread without a channel (%d threads beside ours, "
	   "expected 2)", threads_now() - base);

	for (int i = 0; i < CHANNELS; i++)
		if (channel_open(ctl[0], &ch[i]) == 0)
			opened++;
	started = WAIT_FOR(threads_now() == base + 2 + opened && signers_now() == (unsigned)opened,
			   test_ms(5000));
	if (!ok(opened == CHANNELS && started, "%d channels handed over the control channel: a thread "
		"each (%d threads beside ours, %u channels served)", CHANNELS, threads_now() - base,
		signers_now()))
		goto end;
	test_concurrent(ch);
	test_pipelined(ch[0].fd);
	test_malformed(ch[1].fd);
	test_signatures(ch[2].fd);
	/* Before any descriptor is sent along: the closer has its first thread only. */
	test_worker_gone(&ch[2], base);
	test_passed_fds(ch[3].fd);
	/* The closes above completed: keyproc_run()'s thread took their completions, and sleeps. */
	cpu = thread_cpu_ms(run.thread);
	wall = live_now_ms();
	if (channel_open(ctl[0], &flood) == 0 &&
	    WAIT_FOR(signers_now() == CHANNELS, test_ms(5000)))
		test_flood(&flood, ch[1].fd);
	else {
		ok(0, "a channel to flood");
		ok(0, "no thread left in send()");
		ok(0, "another channel served meanwhile");
	}
	cpu = thread_cpu_ms(run.thread) - cpu;
	wall = live_now_ms() - wall;
	ok(cpu >= 0 && cpu * 4 <= wall + 20, "meanwhile keyproc_run()'s own thread waits, not spins: "
	   "%.0f ms of CPU in %llu ms", cpu, (unsigned long long)wall);

	/* Channels 1 and 3 closed by their workers; 0 (idle) left open. */
	close(ch[1].fd);
	close(ch[3].fd);
	WAIT_FOR(socket_open(ch[1].kp_ino) == 0 && socket_open(ch[3].kp_ino) == 0, test_ms(5000));
	gone = !socket_open(ch[1].kp_ino) + !socket_open(ch[3].kp_ino);
	ok(gone == 2 && signers_now() == 1, "two more channels closed by their workers: closed by the "
	   "key process too (%d of 2), %u channels served", gone, signers_now());

end:
	close(ctl[0]);
	ended = wait_events(run.done, POLLIN, test_ms(5000));
	if (!ok(ended, "control closed: keyproc_run() returns, with a channel still open (idle)")) {
		keys_dir_remove();
		return done();
	}
	pthread_join(run.thread, NULL);
	ok(run.rc == 0, "keyproc_run() returned 0 (%d)", run.rc);
	ok(shut_seen(ch[0].fd) && channels_open(&ch[0], 1) == 0 && socket_open(flood.kp_ino) == 0 &&
	   signers_now() == 0,
	   "the channels left open are shut (end of file on the idle one) and closed");
	ended = WAIT_FOR(threads_now() == base, test_ms(5000));
	ok(ended, "every thread of the key process is gone (%d threads beside ours)", threads_now() - base);
	close(ch[0].fd);
	close(flood.fd);
	close(ctl[1]);
	close(run.done);
	if (keys_dir_remove() < 0)
		diag("could not remove %s", keys_dir);
	return done();
}
