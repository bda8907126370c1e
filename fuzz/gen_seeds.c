// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen_seeds OUTDIR: the binary seed corpora, made at build time.
 *   OUTDIR/hs_server, OUTDIR/hs_client: real flights, recorded from a
 *       BearSSL peer that completes a handshake with daemon/handshake.c in
 *       this process (same deterministic random source as the targets, see
 *       hs.h), then replayed once to check they still complete: they take
 *       the fuzzers through every message to the kTLS hand-over. BearSSL
 *       speaks TLS 1.2 only: the TLS 1.3-only profiles get theirs from
 *       --record.
 *   OUTDIR/request, OUTDIR/reply, OUTDIR/record: valid messages and scripts.
 *
 * gen_seeds --record OUTDIR NAME VARIANT EXPECT [--split] -- CMD ARG...
 *   OUTDIR/hs_server/NAME: what a real client program sends the daemon's
 *       server (profile VARIANT, by name, see hs.c) in one handshake. CMD
 *       runs with each "@PORT@" in its arguments replaced by the port of a
 *       loopback TCP listener here, its stdin a pipe held open until the
 *       handshake ends; its bytes go through this process to the daemon's
 *       socketpair, the daemon's back. EXPECT is the outcome: "1.3" or
 *       "1.2" (success in that version), "fail", or "fail:N" (a failure
 *       where alert N was sent or received). The seed keeps the
 *       bytes the daemon took, is replayed alone to check it ends the same
 *       way, and on success gets a NAME-then-data twin (a record behind the
 *       Finished, which the daemon must leave to kTLS). --split adds
 *       NAME-split: the first record (the ClientHello) cut in two records,
 *       which must still complete.
 *
 * gen_seeds --record-client OUTDIR NAME VARIANT EXPECT [--split] -- CMD ARG...
 *   OUTDIR/hs_client/NAME: the same for the daemon's client (client
 *       VARIANT) and a real server program: CMD is to listen on loopback
 *       port "@PORT@" (one that was free), serving one connection; this
 *       process connects to it (again while it starts), hands it the
 *       daemon's ClientHello and keeps what it answers. --split cuts the
 *       server's first record (its ServerHello) in two.
 *
 * Exits non-zero if a flight does not complete or does not replay.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "key_client.h"
#include "tls13/sig.h"
#include "hs.h"
#include "wire.h"

static const char *outdir;

static void write_seed(const char *target, const char *name, const void *head, size_t hlen,
		       const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(head, 1, hlen, f) != hlen || fwrite(data, 1, len, f) != len ||
	    fclose(f) != 0) {
		fprintf(stderr, "gen_seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* ---- handshakes ---- */

struct bytes {
	unsigned char *data;
	size_t len;
};

static void append(struct bytes *b, const void *data, size_t len)
{
	b->data = realloc(b->data, b->len + len);
	FUZZ_CHECK(b->data);
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

struct peer {
	union {
		br_ssl_client_context client;
		br_ssl_server_context server;
	} ctx;
	br_x509_minimal_context minimal;
	br_ssl_engine_context *eng;
	struct creds creds;
	const char *alpn[1];
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

static void load(struct creds *c, const char *crt, const char *key, const char *ca)
{
	char err[512];

	if ((crt && creds_load_chain(c, fuzz_data_path(crt), err, sizeof(err)) < 0) ||
	    (key && creds_load_key(c, fuzz_data_path(key), err, sizeof(err)) < 0) ||
	    (ca && creds_load_anchors(c, fuzz_data_path(ca), err, sizeof(err)) < 0)) {
		fprintf(stderr, "gen_seeds: %s\n", err);
		exit(1);
	}
}

/* The daemon's peer: a BearSSL client (daemon server) or server (daemon client). */
static void peer_start(struct peer *p, enum ktlsd_role daemon_role, const struct hs_variant *v)
{
	unsigned char seed[32];

	memset(p, 0, sizeof(*p));
	if (daemon_role == KTLSD_ROLE_SERVER) {
		br_ssl_client_context *cc = &p->ctx.client;

		load(&p->creds, v->peer_client_cert ? "client.crt" : NULL,
		     v->peer_client_cert ? "client.key" : NULL, "ca.crt");
		br_ssl_client_init_full(cc, &p->minimal, p->creds.anchors, p->creds.anchor_count);
		if (v->peer_client_cert)
			br_ssl_client_set_single_ec(cc, p->creds.chain, p->creds.chain_len,
						    &p->creds.ec_key, BR_KEYTYPE_SIGN, 0,
						    br_ec_get_default(),
						    br_ecdsa_sign_asn1_get_default());
		p->eng = &cc->eng;
	} else {
		br_ssl_server_context *sc = &p->ctx.server;

		if (v->peer_rsa) {
			load(&p->creds, "server-rsa.crt", "server-rsa.key", "ca.crt");
			br_ssl_server_init_full_rsa(sc, p->creds.chain, p->creds.chain_len,
						    &p->creds.rsa_key);
		} else {
			load(&p->creds, "server-ec.crt", "server-ec.key", "ca.crt");
			br_ssl_server_init_full_ec(sc, p->creds.chain, p->creds.chain_len,
						   BR_KEYTYPE_EC, &p->creds.ec_key);
		}
		p->eng = &sc->eng;
		if (v->peer_asks_client_cert) {
			br_x509_minimal_init_full(&p->minimal, p->creds.anchors, p->creds.anchor_count);
			br_ssl_server_set_trust_anchor_names_alt(sc, p->creds.anchors,
								 p->creds.anchor_count);
			br_ssl_engine_set_x509(p->eng, &p->minimal.vtable);
			br_ssl_engine_set_default_rsavrfy(p->eng);
			br_ssl_engine_set_default_ecdsa(p->eng);
		}
	}
	br_ssl_engine_set_versions(p->eng, BR_TLS12, BR_TLS12);
	if (v->peer_alpn && v->peer_alpn[0]) {
		p->alpn[0] = v->peer_alpn;
		br_ssl_engine_set_protocol_names(p->eng, p->alpn, 1);
	}
	br_ssl_engine_set_buffer(p->eng, p->iobuf, sizeof(p->iobuf), 1);
	hs_fixed_random(seed, sizeof(seed));
	seed[0] ^= 0xff;	/* not the daemon's */
	br_ssl_engine_inject_entropy(p->eng, seed, sizeof(seed));
	if (daemon_role == KTLSD_ROLE_SERVER)
		FUZZ_CHECK(br_ssl_client_reset(&p->ctx.client, "localhost", 0));
	else
		FUZZ_CHECK(br_ssl_server_reset(&p->ctx.server));
}

/* Run the peer as far as the socket allows; 1 if it did something. */
static int peer_step(struct peer *p, int fd, struct bytes *sent)
{
	unsigned state = br_ssl_engine_current_state(p->eng);
	unsigned char *buf;
	size_t len;
	ssize_t n;

	if (state & BR_SSL_CLOSED)
		return 0;
	if (state & BR_SSL_SENDREC) {
		buf = br_ssl_engine_sendrec_buf(p->eng, &len);
		n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n <= 0)
			return 0;
		append(sent, buf, (size_t)n);
		br_ssl_engine_sendrec_ack(p->eng, (size_t)n);
		return 1;
	}
	if (state & BR_SSL_RECVREC) {
		buf = br_ssl_engine_recvrec_buf(p->eng, &len);
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n <= 0)
			return 0;
		br_ssl_engine_recvrec_ack(p->eng, (size_t)n);
		return 1;
	}
	return 0;
}

/* A whole handshake; the peer's bytes, in order. */
static struct bytes record_flight(enum ktlsd_role role, const struct hs_variant *v)
{
	struct peer *p = malloc(sizeof(*p));
	struct bytes sent = { 0 };
	struct hs_run r;
	enum hs_progress progress = HS_WANT_READ;

	FUZZ_CHECK(p);
	hs_run_start(&r, role, v);
	peer_start(p, role, v);
	for (unsigned i = 0; i < 10000; i++) {
		int moved = peer_step(p, r.sv[1], &sent);

		if (progress != HS_DONE)
			progress = hs_step(&r);
		if (progress == HS_DONE && !moved)
			break;
	}
	if (progress != HS_DONE || r.hs->reply.status != 0) {
		fprintf(stderr, "gen_seeds: %s handshake '%s' did not complete: %s "
			"(peer error %d)\n", role == KTLSD_ROLE_SERVER ? "server" : "client",
			v->name, r.hs->reply.message, br_ssl_engine_last_error(p->eng));
		exit(1);
	}
	hs_run_end(&r);
	creds_free(&p->creds);
	free(p);
	return sent;
}

/*
 * The recorded bytes alone must take the daemon to the end again, with
 * @want_status (and @want_message, unless NULL) as when they were recorded.
 * The reply goes into *@got unless NULL.
 */
static void check_replay_as(enum ktlsd_role role, const struct hs_variant *v, const struct bytes *b,
			    const char *what, int want_status, const char *want_message,
			    struct ktlsd_wire_reply *got)
{
	struct hs_run r;
	size_t off = 0;
	enum hs_progress progress;

	hs_run_start(&r, role, v);
	for (unsigned i = 0;; i++) {
		ssize_t n = off < b->len ? send(r.sv[1], b->data + off, b->len - off,
						MSG_DONTWAIT | MSG_NOSIGNAL) : 0;

		off += n > 0 ? (size_t)n : 0;
		progress = hs_step(&r);
		hs_drain(r.sv[1]);
		if (progress == HS_DONE || (progress == HS_WANT_READ && off == b->len) || i > 10000)
			break;
	}
	if (progress == HS_WANT_READ && want_status) {
		/* A failed recording may end with the peer's EOF: so does its replay. */
		shutdown(r.sv[1], SHUT_WR);
		progress = hs_step(&r);
	}
	if (progress != HS_DONE || r.hs->reply.status != want_status ||
	    (want_message && strcmp(r.hs->reply.message, want_message))) {
		fprintf(stderr, "gen_seeds: the recorded %s flight '%s' does not replay (%s): "
			"is the random source deterministic?\n",
			role == KTLSD_ROLE_SERVER ? "client" : "server", what,
			progress == HS_DONE ? r.hs->reply.message : "it waits for more");
		exit(1);
	}
	if (got)
		*got = r.hs->reply;
	hs_run_end(&r);
}

static void check_replay(enum ktlsd_role role, const struct hs_variant *v, const struct bytes *b)
{
	check_replay_as(role, v, b, v->name, 0, NULL, NULL);
}

/* An application-data record right behind the peer's last flight. */
static const unsigned char then_data[] = { 23, 3, 3, 0, 29, 0, 0, 0, 0, 0, 0, 0, 1,
	'G', 'E', 'T', ' ', '/', 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
	0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef };

static void handshake_seeds(enum ktlsd_role role)
{
	const char *target = role == KTLSD_ROLE_SERVER ? "hs_server" : "hs_client";

	for (unsigned i = 0; i < hs_variant_count(role); i++) {
		unsigned char head = hs_variant_head(i);
		const struct hs_variant *v = hs_variant(role, head);
		struct bytes b;
		char name[128];

		if (v->tls13_only)
			continue;
		b = record_flight(role, v);
		check_replay(role, v, &b);
		write_seed(target, v->name, &head, 1, b.data, b.len);
		append(&b, then_data, sizeof(then_data));
		snprintf(name, sizeof(name), "%s-then-data", v->name);
		write_seed(target, name, &head, 1, b.data, b.len);
		free(b.data);
	}
}

/*
 * A server from before TLS 1.3 that ignores supported_versions answers our
 * TLS 1.3-only ClientHello (legacy_version 1.2) with a TLS 1.2 ServerHello:
 * no real server here does (openssl and gnutls know the extension and
 * refuse it themselves), so this one is made by hand: no extensions, a
 * suite of TLS 1.2 (ECDHE-RSA-AES128-GCM-SHA256), our session id not even
 * echoed. The daemon must refuse it with protocol_version before anything
 * else (RFC 8446 4.1.3, 4.2.1).
 */
static void client13_handmade_seeds(void)
{
	static const unsigned char hello12_head[] = { 22, 3, 3, 0, 74, 2, 0, 0, 70, 3, 3 };
	struct ktlsd_wire_reply reply;
	struct bytes b = { 0 };
	unsigned char random[32], sid[33] = { 32 }, rest[] = { 0xc0, 0x2f, 0 };
	const struct hs_variant *v;
	uint8_t head;

	v = hs_variant_by_name(KTLSD_ROLE_CLIENT, "none13", &head);
	FUZZ_CHECK(v);
	memset(random, 0x11, sizeof(random));
	memset(sid + 1, 0x5a, 32);
	append(&b, hello12_head, sizeof(hello12_head));
	append(&b, random, sizeof(random));
	append(&b, sid, sizeof(sid));
	append(&b, rest, sizeof(rest));
	check_replay_as(KTLSD_ROLE_CLIENT, v, &b, "tls12-server-hello", EPROTO, NULL, &reply);
	if (reply.alert_sent != 70) {
		fprintf(stderr, "gen_seeds: a TLS 1.2 ServerHello: %s (not protocol_version)\n",
			reply.message);
		exit(1);
	}
	write_seed("hs_client", "tls12-server-hello", &head, 1, b.data, b.len);
	free(b.data);
}

/* ---- handshakes with real peer programs (--record, --record-client) ---- */

/* How long a client program may take to connect and to finish: generous. */
#define RECORD_TIMEOUT_MS	30000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
	fprintf(stderr, "gen_seeds: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A listener on 127.0.0.1, any port: its fd, the port in *@port. */
static int listen_loopback(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		die("loopback listener");
	*port = ntohs(a.sin_port);
	return fd;
}

/* @arg with each "@PORT@" replaced by @port (malloc'd). */
static char *with_port(const char *arg, unsigned port)
{
	static const char token[] = "@PORT@";
	char num[16], *out = malloc(strlen(arg) * 2 + 16), *o = out;

	FUZZ_CHECK(out);
	snprintf(num, sizeof(num), "%u", port);
	while (*arg) {
		if (!strncmp(arg, token, sizeof(token) - 1)) {
			o = stpcpy(o, num);
			arg += sizeof(token) - 1;
		} else {
			*o++ = *arg++;
		}
	}
	*o = '\0';
	return out;
}

/*
 * Start @argv with its stdin the pipe whose write end goes into *@in;
 * its output goes to /dev/null (to stderr with KTLSD_FUZZ_VERBOSE).
 */
static pid_t spawn(char **argv, unsigned port, int *in)
{
	int pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		size_t n = 0;
		char **args;

		while (argv[n])
			n++;
		args = calloc(n + 1, sizeof(*args));
		for (size_t i = 0; args && i < n; i++)
			args[i] = with_port(argv[i], port);
		dup2(pipefd[0], 0);
		if (!getenv("KTLSD_FUZZ_VERBOSE")) {
			dup2(null, 1);
			dup2(null, 2);
		}
		if (args)
			execvp(args[0], args);
		_exit(127);
	}
	close(pipefd[0]);
	*in = pipefd[1];
	return pid;
}

/* The accepted connection of the client program, or exit if it never comes. */
static int accept_client(int lfd, pid_t pid)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int status;

	if (poll(&p, 1, RECORD_TIMEOUT_MS) != 1) {
		fprintf(stderr, "gen_seeds: the client program did not connect%s\n",
			waitpid(pid, &status, WNOHANG) == pid ? " (it exited)" : "");
		exit(1);
	}
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* A loopback port free for now, for a server program to listen on. */
static unsigned free_port(void)
{
	unsigned port;

	close(listen_loopback(&port));
	return port;
}

/*
 * A connection to the server program @pid, started to listen on @port,
 * tried again while it starts: the fd, or -1 if it exited first (the port
 * was taken meanwhile, say: its exit status in *@status).
 */
static int connect_server(pid_t pid, unsigned port, int *status)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long long deadline = now_ms() + RECORD_TIMEOUT_MS;

	while (now_ms() < deadline) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		if (errno != ECONNREFUSED)
			die("connect to the server program");
		close(fd);
		if (waitpid(pid, status, WNOHANG) == pid)
			return -1;
		poll(NULL, 0, 20);
	}
	fprintf(stderr, "gen_seeds: the server program never listened on port %u\n", port);
	exit(1);
}

/*
 * Start the server program @argv on a free port and connect to it: the
 * connection, the program in *@pid, its stdin's pipe in *@in. A free port
 * can be taken before the program binds it: a program that exits before
 * it listens is started again on another, a few times.
 */
static int start_server(char **argv, pid_t *pid, int *in)
{
	int status = 0;

	for (int attempt = 0; attempt < 3; attempt++) {
		unsigned port = free_port();
		int fd;

		*pid = spawn(argv, port, in);
		fd = connect_server(*pid, port, &status);
		if (fd >= 0)
			return fd;
		close(*in);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			break;
	}
	fprintf(stderr, "gen_seeds: the server program exited before it listened (status %d)\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	exit(1);
}

/*
 * What @from has for now (up to 16 KiB), to @to (blocking), logged in @log
 * unless NULL. Returns the bytes moved, 0 if none for now, -1 at EOF or on
 * an error.
 */
static ssize_t relay(int from, int to, struct bytes *log)
{
	unsigned char buf[16384];
	ssize_t n = recv(from, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0)
		return -1;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	if (log)
		append(log, buf, (size_t)n);
	for (ssize_t off = 0; off < n;) {
		ssize_t m = send(to, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
		struct pollfd p = { .fd = to, .events = POLLOUT };

		/* The daemon's socketpair is non-blocking: wait for room. */
		if (m < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    poll(&p, 1, RECORD_TIMEOUT_MS) == 1)
			continue;
		if (m < 0 && errno != EINTR)
			return -1;
		off += m > 0 ? m : 0;
	}
	return n;
}

struct recording {
	struct bytes sent;	/* the bytes the daemon took */
	struct ktlsd_wire_reply reply;
};

/*
 * One handshake between the daemon (in @role, variant @v) and the peer
 * program connected on @tcp: the peer's bytes relayed to the daemon's
 * socketpair (and logged), the daemon's relayed back, until the daemon is
 * done.
 */
static void relay_handshake(enum ktlsd_role role, const struct hs_variant *v, int tcp,
			    struct recording *out)
{
	long long deadline = now_ms() + RECORD_TIMEOUT_MS;
	enum hs_progress progress;
	struct bytes got = { 0 };
	struct hs_run r;
	int unread = 0, peer_open = 1;

	hs_run_start(&r, role, v);
	for (;;) {
		struct pollfd p[2] = { { .fd = tcp, .events = peer_open ? POLLIN : 0 },
				       { .fd = r.sv[1], .events = POLLIN } };

		progress = hs_step(&r);
		relay(r.sv[1], tcp, NULL);
		if (progress == HS_DONE)
			break;
		if (now_ms() > deadline) {
			fprintf(stderr, "gen_seeds: the handshake with the %s program never ended\n",
				role == KTLSD_ROLE_SERVER ? "client" : "server");
			exit(1);
		}
		poll(p, 2, 100);
		if (peer_open && relay(tcp, r.sv[1], &got) < 0) {
			peer_open = 0;
			shutdown(r.sv[1], SHUT_WR);
		}
	}
	/* Its last flight: a client's Finished, or an alert for the peer to see. */
	while (relay(r.sv[1], tcp, NULL) > 0)
		;
	FUZZ_CHECK(ioctl(r.sv[0], FIONREAD, &unread) == 0);
	FUZZ_CHECK((size_t)unread <= got.len);
	got.len -= (size_t)unread;
	out->sent = got;
	out->reply = r.hs->reply;
	hs_run_end(&r);
}

/*
 * The same bytes with the first record, a handshake one (the ClientHello or
 * the ServerHello), cut in two records.
 */
static struct bytes split_first_record(const struct bytes *b)
{
	struct bytes out = { 0 };
	size_t len, half;
	unsigned char head[5];

	FUZZ_CHECK(b->len >= 5 && b->data[0] == 22);
	len = (size_t)b->data[3] << 8 | b->data[4];
	FUZZ_CHECK(len >= 2 && 5 + len <= b->len);
	half = len / 2;
	memcpy(head, b->data, 3);
	head[3] = (unsigned char)(half >> 8);
	head[4] = (unsigned char)half;
	append(&out, head, 5);
	append(&out, b->data + 5, half);
	head[3] = (unsigned char)((len - half) >> 8);
	head[4] = (unsigned char)(len - half);
	append(&out, head, 5);
	append(&out, b->data + 5 + half, b->len - 5 - half);
	return out;
}

static void usage(void)
{
	fprintf(stderr, "usage: gen_seeds OUTDIR\n"
		"       gen_seeds --record|--record-client OUTDIR NAME VARIANT 1.3|1.2|fail[:ALERT] "
		"[--split] -- CMD ARG...\n");
	exit(2);
}

/* What a recording must end with: EXPECT of the usage. */
struct expect {
	uint16_t version;	/* success in this version; 0: a failure */
	int alert;		/* a failure with this alert sent or received; -1: any */
};

static struct expect parse_expect(const char *s)
{
	struct expect e = { .alert = -1 };
	char *end;

	if (!strcmp(s, "1.3") || !strcmp(s, "1.2")) {
		e.version = strcmp(s, "1.3") ? 0x0303 : 0x0304;
	} else if (!strncmp(s, "fail:", 5)) {
		e.alert = (int)strtol(s + 5, &end, 10);
		if (end == s + 5 || *end || e.alert < 0 || e.alert > 255)
			usage();
	} else if (strcmp(s, "fail")) {
		usage();
	}
	return e;
}

static int as_expected(const struct expect *e, const struct ktlsd_wire_reply *r)
{
	if (e->version)
		return r->status == 0 && r->tls_version == e->version;
	return r->status != 0 &&
	       (e->alert < 0 || r->alert_sent == e->alert || r->alert_received == e->alert);
}

/* One line on what was recorded, for make-corpus's log. */
static void report(const char *name, const struct recording *rec)
{
	const struct ktlsd_wire_reply *r = &rec->reply;

	printf("gen_seeds: %s: %zu bytes, %s", name, rec->sent.len, r->message);
	if (r->status == 0 && r->tls_version == 0x0304)
		printf(" [group 0x%04x%s%s%s]", r->group, r->alpn[0] ? ", alpn " : "", r->alpn,
		       r->peer_verified ? ", peer verified" : "");
	else if (r->status == 0)
		printf(" [%s%s%s]", r->alpn[0] ? "alpn " : "", r->alpn,
		       r->peer_verified ? ", peer verified" : "");
	printf("\n");
}

static int record_main(enum ktlsd_role role, int argc, char **argv)
{
	const char *target = role == KTLSD_ROLE_SERVER ? "hs_server" : "hs_client";
	const char *name;
	const struct hs_variant *v;
	struct recording rec;
	struct expect expect;
	int lfd, tcp, in, status, split = 0, i = 6;
	unsigned port;
	uint8_t head;
	pid_t pid;

	if (argc < 8)
		usage();
	outdir = argv[2];
	name = argv[3];
	v = hs_variant_by_name(role, argv[4], &head);
	if (!v) {
		fprintf(stderr, "gen_seeds: no %s variant '%s' (see fuzz/hs.c)\n",
			role == KTLSD_ROLE_SERVER ? "server" : "client", argv[4]);
		exit(2);
	}
	expect = parse_expect(argv[5]);
	if (i < argc && !strcmp(argv[i], "--split")) {
		split = 1;
		i++;
	}
	if (i >= argc - 1 || strcmp(argv[i], "--"))
		usage();
	mkdir(outdir, 0755);
	if (role == KTLSD_ROLE_SERVER) {
		lfd = listen_loopback(&port);
		pid = spawn(argv + i + 1, port, &in);
		tcp = accept_client(lfd, pid);
		if (tcp < 0)
			die("accept");
		close(lfd);
	} else {
		tcp = start_server(argv + i + 1, &pid, &in);
	}
	relay_handshake(role, v, tcp, &rec);
	close(tcp);
	close(in);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);

	if (!as_expected(&expect, &rec.reply)) {
		fprintf(stderr, "gen_seeds: %s: expected %s, the daemon says: %s\n", name, argv[5],
			rec.reply.message);
		exit(1);
	}
	check_replay_as(role, v, &rec.sent, name, rec.reply.status, rec.reply.message, NULL);
	write_seed(target, name, &head, 1, rec.sent.data, rec.sent.len);
	report(name, &rec);
	if (split) {
		struct bytes b = split_first_record(&rec.sent);
		char split_name[256];

		snprintf(split_name, sizeof(split_name), "%s-split", name);
		check_replay_as(role, v, &b, split_name, rec.reply.status, rec.reply.message, NULL);
		write_seed(target, split_name, &head, 1, b.data, b.len);
		free(b.data);
	}
	if (rec.reply.status == 0) {
		char data_name[256];

		snprintf(data_name, sizeof(data_name), "%s-then-data", name);
		append(&rec.sent, then_data, sizeof(then_data));
		write_seed(target, data_name, &head, 1, rec.sent.data, rec.sent.len);
	}
	free(rec.sent.data);
	return 0;
}

/* ---- request, reply, record ---- */

static void request_seeds(void)
{
	struct ktlsd_wire_request w;
	unsigned char one_fd = 1, no_fd = 0, two_fds = 2, cut = 0x81;

	memset(&w, 0, sizeof(w));
	w.magic = KTLSD_WIRE_MAGIC;
	w.version = KTLSD_WIRE_VERSION;
	w.role = KTLSD_ROLE_SERVER;
	strcpy(w.profile, "web");
	write_seed("request", "server", &one_fd, 1, &w, sizeof(w));
	w.role = KTLSD_ROLE_CLIENT;
	strcpy(w.profile, "outbound.tls-1");
	strcpy(w.server_name, "example.com:443");
	strcpy(w.alpn, "h2,http/1.1");
	write_seed("request", "client", &one_fd, 1, &w, sizeof(w));
	write_seed("request", "no-fd", &no_fd, 1, &w, sizeof(w));
	write_seed("request", "two-fds", &two_fds, 1, &w, sizeof(w));
	write_seed("request", "ctrunc", &cut, 1, &w, sizeof(w));
	write_seed("request", "short", &one_fd, 1, &w, 8);
}

/* Requests to the key process, as fuzz_key_request reads them (profile 0: EC, 1: RSA). */
static void key_request_seeds(void)
{
	struct key_request r = { .id = 7, .key = 0, .op = KEY_OP_DIGEST, .sig_op = T13_SIG_OP_ECDSA,
				 .hash = br_sha256_ID, .digest_len = 32 };

	memset(r.digest, 0x5a, sizeof(r.digest));
	write_seed("key_request", "ecdsa-sha256", "", 0, &r, sizeof(r));
	r = (struct key_request){ .id = 8, .key = 0, .op = KEY_OP_CV_SERVER,
				  .scheme = T13_SIG_ECDSA_SECP256R1_SHA256, .digest_len = 32 };
	write_seed("key_request", "cv-ecdsa", "", 0, &r, sizeof(r));
	r = (struct key_request){ .id = 9, .key = 1, .op = KEY_OP_CV_CLIENT,
				  .scheme = T13_SIG_RSA_PSS_RSAE_SHA384, .digest_len = 48 };
	write_seed("key_request", "cv-pss-sha384", "", 0, &r, sizeof(r));
	r = (struct key_request){ .id = 10, .key = 1, .op = KEY_OP_DIGEST, .sig_op = T13_SIG_OP_PKCS1,
				  .hash = br_sha256_ID, .digest_len = 32 };
	write_seed("key_request", "pkcs1-tls13-only", "", 0, &r, sizeof(r));
	r.key = 2;
	write_seed("key_request", "no-key", "", 0, &r, sizeof(r));
	write_seed("key_request", "short", "", 0, &r, 9);
}

static void reply_seeds(void)
{
	struct ktlsd_wire_reply w;

	memset(&w, 0, sizeof(w));
	w.magic = KTLSD_WIRE_MAGIC;
	w.version = KTLSD_WIRE_VERSION;
	w.tls_version = 0x0303;
	w.alert_sent = -1;
	w.alert_received = -1;
	w.cipher_suite = 0xc02b;
	w.tx_mode = 2;
	w.rx_mode = 3;
	w.peer_verified = 1;
	strcpy(w.message, "TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256, kTLS tx sw, rx hw");
	strcpy(w.cipher_name, "ECDHE-ECDSA-AES128-GCM-SHA256");
	strcpy(w.alpn, "h2");
	strcpy(w.server_name, "localhost");
	strcpy(w.peer_subject, "localhost");
	strcpy(w.peer_san, "localhost");
	write_seed("reply", "success", "", 0, &w, sizeof(w));
	memset(&w.tls_version, 0, sizeof(w) - offsetof(struct ktlsd_wire_reply, tls_version));
	w.status = 71;	/* EPROTO */
	w.tls_error = 32 + 30;
	w.alert_sent = 48;
	w.alert_received = -1;
	strcpy(w.tls_error_name, "BR_ERR_X509_NOT_TRUSTED");
	strcpy(w.message, "peer certificate: unknown CA (sent unknown_ca)");
	write_seed("reply", "failure", "", 0, &w, sizeof(w));
}

static void record_seeds(void)
{
	/* buffer length (LE), options, then [type][ctl][len LE][bytes]... */
	static const unsigned char data_then_close[] = { 0x00, 0x40, 0,
		23, 0, 5, 0, 'h', 'e', 'l', 'l', 'o',
		21, 0, 2, 0, 1, 0 };
	static const unsigned char small_buffer[] = { 1, 0, 0,
		23, 0, 3, 0, 'a', 'b', 'c',
		21, 0, 2, 0, 1, 90,		/* warning: user_canceled */
		22, 0, 4, 0, 0, 0, 0, 0,	/* HelloRequest */
		23, 0, 2, 0, 'd', 'e' };
	static const unsigned char fatal[] = { 0, 1, 0,
		23, 0, 1, 0, 'x',
		21, 0, 2, 0, 2, 20 };		/* fatal: bad_record_mac */
	static const unsigned char odd[] = { 16, 0, 1,
		4, 4, 0, 0,			/* EAGAIN */
		22, 8, 4, 0, 1, 0, 0, 0,	/* ClientHello; the alert fails */
		20, 0, 1, 0, 1,			/* ChangeCipherSpec */
		23, 0, 1, 0, 'y' };
	static const unsigned char quirks[] = { 2, 0, 0,
		21, 2, 2, 0, 1, 0,		/* no MSG_EOR */
		23, 1, 4, 0, 'd', 'a', 't', 'a' };	/* no cmsg */

	write_seed("record", "data-then-close", "", 0, data_then_close, sizeof(data_then_close));
	write_seed("record", "small-buffer", "", 0, small_buffer, sizeof(small_buffer));
	write_seed("record", "fatal-alert", "", 0, fatal, sizeof(fatal));
	write_seed("record", "odd-records", "", 0, odd, sizeof(odd));
	write_seed("record", "quirks", "", 0, quirks, sizeof(quirks));
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "--record"))
		return record_main(KTLSD_ROLE_SERVER, argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "--record-client"))
		return record_main(KTLSD_ROLE_CLIENT, argc, argv);
	if (argc != 2)
		usage();
	outdir = argv[1];
	mkdir(outdir, 0755);
	request_seeds();
	reply_seeds();
	key_request_seeds();
	record_seeds();
	handshake_seeds(KTLSD_ROLE_SERVER);
	handshake_seeds(KTLSD_ROLE_CLIENT);
	client13_handmade_seeds();
	return 0;
}
