// SPDX-License-Identifier: GPL-2.0-or-later
/* See hs.h: the handshake targets' profiles, random source and loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"
#include "hs.h"
#include "ktlsd_ktls.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* ---- the process's random sources, made deterministic ---- */

static int fixed_random;	/* set while handshake_start() runs */

void hs_fixed_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(0x5a ^ (i * 29));
}

/* Interposes libc's: handshake_start() seeds its engine with it. */
ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	if (!fixed_random)
		return syscall(SYS_getrandom, buf, len, flags);
	hs_fixed_random(buf, len);
	return (ssize_t)len;
}

/*
 * Replaces BearSSL's (libbearssl.a's sysrng.o is then never linked): no
 * system seeder, so the engine runs on the injected entropy alone.
 */
br_prng_seeder br_prng_seeder_system(const char **name)
{
	if (name)
		*name = "none (fuzzing: fixed entropy)";
	return NULL;
}

/* kTLS "installs" (see hs.h); every other option goes to the kernel. */
int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
	if ((level == IPPROTO_TCP && optname == TCP_ULP) || level == SOL_TLS)
		return 0;
	return (int)syscall(SYS_setsockopt, fd, level, optname, optval, optlen);
}

/* ---- profiles ---- */

/*
 * Index = setup bits 0-1, plus 4 for bit 3. Profiles srv-* allow TLS 1.2
 * and 1.3 (the defaults), so the daemon reads the ClientHello and picks an
 * engine, except srv-rsa12 (BearSSL alone, no ClientHello reader); srv13-*
 * are TLS 1.3 only; the mtls ones require a client certificate, alpn ones
 * ask for one (verify = optional). srv13-sha384 prefers the SHA-384 suite
 * and P-384, where the others prefer AES-128-GCM-SHA256 and X25519.
 */
static const struct hs_variant server_variants[HS_SERVER_VARIANTS] = {
	{ .name = "ec", .profile = "srv-ec" },
	{ .name = "rsa12", .profile = "srv-rsa12", .tls12_only = 1 },
	{ .name = "mtls", .profile = "srv-mtls", .peer_client_cert = 1 },
	{ .name = "alpn-optional", .profile = "srv-alpn", .peer_alpn = "http/1.1" },
	{ .name = "ec13", .profile = "srv13-ec", .tls13_only = 1 },
	{ .name = "rsa13", .profile = "srv13-rsa", .tls13_only = 1 },
	{ .name = "mtls13", .profile = "srv13-mtls", .peer_client_cert = 1, .tls13_only = 1 },
	{ .name = "sha384-13", .profile = "srv13-sha384", .peer_alpn = "h2", .tls13_only = 1 },
};

/*
 * Index = setup bits 0-1, plus 4 for bit 3, plus 8 for bit 4; indices past
 * the table wrap. cli-* allow TLS 1.2 and 1.3, so BearSSL's engine runs
 * them (gen_seeds records their flights with a BearSSL server); cli13-*
 * allow TLS 1.3 only and run the daemon's own client engine
 * (daemon/tls13/client.c), their flights recorded from openssl s_server
 * and gnutls-serv (make-corpus). Those that send the same ClientHello
 * (same server name, ALPN, groups; the random source is fixed) take each
 * other's recorded server flights to their end: cli13-verify, -mtls and
 * -untrusted differ only in what they do with the server's certificate
 * and a CertificateRequest, so a flight recorded for one fails or passes
 * on another by a one-byte mutation. cli13-p384 sends a P-384 share
 * first: a server that wants X25519 answers with a HelloRetryRequest.
 */
static const struct hs_variant client_variants[HS_CLIENT_VARIANTS] = {
	{ .name = "verify", .profile = "cli-verify", .server_name = "localhost" },
	{ .name = "none-rsa", .profile = "cli-none", .peer_rsa = 1 },
	{ .name = "mtls", .profile = "cli-mtls", .server_name = "localhost",
	  .peer_asks_client_cert = 1 },
	{ .name = "alpn", .profile = "cli-alpn", .server_name = "localhost",
	  .alpn = "h2,http/1.1", .peer_alpn = "h2" },
	{ .name = "none13", .profile = "cli13-none", .tls13_only = 1 },
	{ .name = "verify13", .profile = "cli13-verify", .server_name = "localhost",
	  .tls13_only = 1 },
	{ .name = "mtls13", .profile = "cli13-mtls", .server_name = "localhost", .tls13_only = 1 },
	{ .name = "alpn13", .profile = "cli13-alpn", .server_name = "localhost",
	  .alpn = "h2,http/1.1", .tls13_only = 1 },
	{ .name = "p384-13", .profile = "cli13-p384", .server_name = "localhost",
	  .tls13_only = 1 },
	{ .name = "untrusted13", .profile = "cli13-untrusted", .server_name = "localhost",
	  .tls13_only = 1 },
};

const struct hs_variant *hs_variant(enum ktlsd_role role, uint8_t head)
{
	if (role == KTLSD_ROLE_SERVER)
		return &server_variants[(head & 3) | ((head >> 1) & 4)];
	return &client_variants[((head & 3) | ((head >> 1) & 12)) % HS_CLIENT_VARIANTS];
}

unsigned hs_variant_count(enum ktlsd_role role)
{
	return role == KTLSD_ROLE_SERVER ? HS_SERVER_VARIANTS : HS_CLIENT_VARIANTS;
}

uint8_t hs_variant_head(unsigned i)
{
	return (uint8_t)((i & 3) | ((i & 12) << 1));
}

const struct hs_variant *hs_variant_by_name(enum ktlsd_role role, const char *name, uint8_t *head)
{
	for (unsigned i = 0; i < hs_variant_count(role); i++) {
		*head = hs_variant_head(i);
		if (!strcmp(hs_variant(role, *head)->name, name))
			return hs_variant(role, *head);
	}
	return NULL;
}

/*
 * The client profiles wait up to a minute for tickets: a run's wait ends
 * with its input (EOF, or a record that is not a ticket), never on the
 * clock, so a run depends on its bytes alone.
 */
static const char config_text[] =
	"[daemon]\nuser = root\ncontrol_socket = none\n"
	"[profile srv-ec]\ncert = @/server-ec.crt\nkey = @/server-ec.key\nverify = none\n"
	"[profile srv-rsa12]\ncert = @/server-rsa.crt\nkey = @/server-rsa.key\nverify = none\n"
	"max_version = 1.2\n"
	"[profile srv-mtls]\ncert = @/server-ec.crt\nkey = @/server-ec.key\nca = @/ca.crt\n"
	"verify = required\n"
	"[profile srv-alpn]\ncert = @/server-ec.crt\nkey = @/server-ec.key\nca = @/ca.crt\n"
	"verify = optional\nalpn = h2,http/1.1\n"
	"[profile srv13-ec]\ncert = @/server-ec.crt\nkey = @/server-ec.key\nverify = none\n"
	"min_version = 1.3\n"
	"[profile srv13-rsa]\ncert = @/server-rsa.crt\nkey = @/server-rsa.key\nverify = none\n"
	"min_version = 1.3\n"
	"[profile srv13-mtls]\ncert = @/server-ec.crt\nkey = @/server-ec.key\nca = @/ca.crt\n"
	"verify = required\nmin_version = 1.3\n"
	"[profile srv13-sha384]\ncert = @/server-ec.crt\nkey = @/server-ec.key\nca = @/ca.crt\n"
	"verify = optional\nmin_version = 1.3\nalpn = h2\n"
	"ciphersuites = TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\n"
	"groups = P-384:P-256\n"
	"[profile cli-verify]\nticket_wait = 60s\nca = @/ca.crt\nverify = required\n"
	"[profile cli-none]\nticket_wait = 60s\nverify = none\n"
	"[profile cli-mtls]\nticket_wait = 60s\ncert = @/client.crt\nkey = @/client.key\nca = @/ca.crt\n"
	"verify = required\n"
	"[profile cli-alpn]\nticket_wait = 60s\nca = @/ca.crt\nverify = required\n"
	"[profile cli13-none]\nticket_wait = 60s\nverify = none\nmin_version = 1.3\n"
	"[profile cli13-verify]\nticket_wait = 60s\nca = @/ca.crt\nverify = required\nmin_version = 1.3\n"
	"[profile cli13-mtls]\nticket_wait = 60s\ncert = @/client.crt\nkey = @/client.key\nca = @/ca.crt\n"
	"verify = required\nmin_version = 1.3\n"
	"[profile cli13-alpn]\nticket_wait = 60s\nca = @/ca.crt\nverify = required\nmin_version = 1.3\n"
	"[profile cli13-p384]\nticket_wait = 60s\nca = @/ca.crt\nverify = required\nmin_version = 1.3\n"
	"groups = P-384:X25519\n"
	"[profile cli13-untrusted]\nticket_wait = 60s\nca = @/other-ca.crt\nverify = required\nmin_version = 1.3\n";

const struct config *hs_config(void)
{
	static struct config cfg;
	static int loaded;
	char text[8192], path[64];
	const char *dir = fuzz_data_dir();
	size_t n = 0;
	int fd;

	if (loaded)
		return &cfg;
	for (const char *c = config_text; *c; c++) {
		if (*c == '@') {
			FUZZ_CHECK(n + strlen(dir) < sizeof(text));
			memcpy(text + n, dir, strlen(dir));
			n += strlen(dir);
		} else {
			FUZZ_CHECK(n + 1 < sizeof(text));
			text[n++] = *c;
		}
	}
	fd = fuzz_memfd(text, n, path, sizeof(path));
	if (config_load(&cfg, path) < 0) {
		fprintf(stderr, "fuzz: the handshake profiles do not load (data in %s?): %s\n",
			dir, cfg.error);
		abort();
	}
	close(fd);
	loaded = 1;
	return &cfg;
}

/* ---- the daemon side ---- */

/*
 * The client's session store, emptied for each run: a run takes the
 * tickets a server sends after its Finished (the wait for them, and the
 * peeking, are fuzzed); nothing is offered from an earlier run, so a run
 * depends on its input alone.
 */
static struct client_store *client_sessions;

void hs_run_start(struct hs_run *r, enum ktlsd_role role, const struct hs_variant *v)
{
	const struct profile *p = config_profile(hs_config(), v->profile);
	struct handshake_shared shared = { 0 };
	struct ktlsd_wire_request req;
	int rc;

	FUZZ_CHECK(p);
	memset(&req, 0, sizeof(req));
	req.magic = KTLSD_WIRE_MAGIC;
	req.version = KTLSD_WIRE_VERSION;
	req.role = (uint16_t)role;
	snprintf(req.profile, sizeof(req.profile), "%s", v->profile);
	snprintf(req.server_name, sizeof(req.server_name), "%s", v->server_name ? v->server_name : "");
	snprintf(req.alpn, sizeof(req.alpn), "%s", v->alpn ? v->alpn : "");
	r->hs = malloc(sizeof(*r->hs));
	FUZZ_CHECK(r->hs);
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, r->sv) == 0);
	FUZZ_CHECK(fcntl(r->sv[1], F_SETFL, O_NONBLOCK) == 0);
	fixed_random = 1;
	if (!client_sessions)
		client_sessions = client_store_create(0);
	FUZZ_CHECK(client_sessions);
	client_store_clear(client_sessions, 0);
	shared.sessions = role == KTLSD_ROLE_CLIENT ? client_sessions : NULL;
	rc = handshake_start(r->hs, r->sv[0], p, &req, &shared);
	fixed_random = 0;
	if (rc < 0)
		fprintf(stderr, "fuzz: handshake_start: %s\n", r->hs->reply.message);
	FUZZ_CHECK(rc == 0);
}

enum hs_progress hs_step(struct hs_run *r)
{
	enum hs_progress p;

	fixed_random = 1;
	p = handshake_step(r->hs);
	fixed_random = 0;
	return p;
}

void hs_run_end(struct hs_run *r)
{
	close(r->sv[0]);
	close(r->sv[1]);
	free(r->hs);
	r->hs = NULL;
}

size_t hs_drain(int fd)
{
	unsigned char buf[16384];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += (size_t)n;
	return total;
}

static int in_list(const uint16_t *list, size_t count, uint16_t id)
{
	for (size_t i = 0; i < count; i++)
		if (list[i] == id)
			return 1;
	return 0;
}

/* 1 if @name is one of the comma-separated protocols of @list. */
static int in_alpn_list(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ", ");

		if (n == len && !memcmp(p, name, len))
			return 1;
		p += n;
		p += strspn(p, ", ");
	}
	return 0;
}

/*
 * A success agreed on nothing the profile and request did not allow: the
 * profile's suites for that version (and its groups in TLS 1.3); a peer
 * whose authentication the profile requires did authenticate. The client
 * also ends with the server name it asked for, an application protocol it
 * offered, and its own signature only if it has a key.
 */
static void check_agreed(enum ktlsd_role role, const struct hs_variant *v,
			 const struct ktlsd_wire_reply *r)
{
	const struct profile *p = config_profile(hs_config(), v->profile);
	int tls13 = r->tls_version == 0x0304;
	enum verify_mode required = role == KTLSD_ROLE_CLIENT ? p->policy.server_auth :
				    p->policy.client_auth;

	FUZZ_CHECK(tls13 ? in_list(p->suites13, p->suite13_count, r->cipher_suite) :
		   in_list(p->suites, p->suite_count, r->cipher_suite));
	FUZZ_CHECK(!tls13 || in_list(p->groups, p->group_count, r->group));
	FUZZ_CHECK(required != VERIFY_REQUIRED || r->peer_verified);
	if (role != KTLSD_ROLE_CLIENT)
		return;
	FUZZ_CHECK(!strcmp(r->server_name, v->server_name ? v->server_name : ""));
	FUZZ_CHECK(!r->alpn[0] || in_alpn_list(v->alpn ? v->alpn : p->alpn, r->alpn));
	FUZZ_CHECK(!r->sig_scheme || p->creds.key_type);
}

/* The reply the daemon would send: sane whatever the peer sent. */
static void check_reply(enum ktlsd_role role, const struct hs_variant *v,
			const struct ktlsd_wire_reply *r)
{
	const struct ktlsd_suite_info *suite;

	FUZZ_CHECK(r->magic == KTLSD_WIRE_MAGIC && r->version == KTLSD_WIRE_VERSION);
	FUZZ_CHECK(r->status >= 0);
	FUZZ_CHECK(r->alert_sent >= -1 && r->alert_sent <= 255);
	FUZZ_CHECK(r->alert_received >= -1 && r->alert_received <= 255);
	FUZZ_CHECK(fuzz_bounded(r->tls_error_name, sizeof(r->tls_error_name)));
	FUZZ_CHECK(fuzz_bounded(r->message, sizeof(r->message)) && r->message[0]);
	FUZZ_CHECK(fuzz_bounded(r->cipher_name, sizeof(r->cipher_name)));
	FUZZ_CHECK(fuzz_bounded(r->alpn, sizeof(r->alpn)));
	FUZZ_CHECK(fuzz_bounded(r->server_name, sizeof(r->server_name)));
	FUZZ_CHECK(fuzz_bounded(r->peer_subject, sizeof(r->peer_subject)));
	FUZZ_CHECK(fuzz_bounded(r->peer_san, sizeof(r->peer_san)));
	if (r->status != 0)
		return;
	FUZZ_CHECK(r->tls_version == 0x0303 || r->tls_version == 0x0304);
	/* A TLS 1.3-only profile never ends in TLS 1.2, nor the reverse. */
	FUZZ_CHECK(!v->tls13_only || r->tls_version == 0x0304);
	FUZZ_CHECK(!v->tls12_only || r->tls_version == 0x0303);
	suite = ktlsd_suite_by_id(r->cipher_suite);
	FUZZ_CHECK(suite && suite->version == r->tls_version && r->cipher_name[0]);
	FUZZ_CHECK(r->alert_sent == -1 && r->alert_received == -1);
	check_agreed(role, v, r);
}

/*
 * The hand-over is exact: on success the daemon took whole TLS records
 * from the peer's bytes, none of them application data: what the peer sent
 * after its last handshake record is still in the socket for kTLS.
 *
 * Under TLS 1.3 every protected record is application_data outside, so
 * what can be checked is the shape: records in the clear (the
 * ClientHellos, or the HelloRetryRequest and ServerHello; a dummy
 * ChangeCipherSpec) come first, then protected ones, the peer's Finished
 * last; no alert.
 */
static void check_consumed_whole_records(uint16_t version, const uint8_t *in, size_t consumed)
{
	size_t pos = 0;
	int protected = 0;

	while (pos < consumed) {
		uint8_t type;

		FUZZ_CHECK(pos + 5 <= consumed);
		type = in[pos];
		if (version == 0x0303) {
			FUZZ_CHECK(type != 23);
		} else {
			FUZZ_CHECK(type == 20 || type == 22 || type == 23);
			FUZZ_CHECK(!protected || type != 22);
			protected |= type == 23;
		}
		pos += 5 + ((size_t)in[pos + 3] << 8 | in[pos + 4]);
	}
	FUZZ_CHECK(pos == consumed);
	FUZZ_CHECK(version == 0x0303 || protected);
}

int hs_fuzz_one(enum ktlsd_role role, const uint8_t *data, size_t size)
{
	const struct hs_variant *v;
	struct hs_run r;
	const uint8_t *in;
	size_t left, sent = 0;
	int abort_at_end, shut = 0, unread = 0;

	if (size < 1)
		return 0;
	abort_at_end = data[0] & HS_ABORT_AT_END;
	v = hs_variant(role, data[0]);
	hs_run_start(&r, role, v);
	in = data + 1;
	left = size - 1;
	for (unsigned steps = 0;; steps++) {
		enum hs_progress p;

		FUZZ_CHECK(steps < 100000);	/* a handshake that never ends */
		while (left) {
			ssize_t n = send(r.sv[1], in + sent, left, MSG_DONTWAIT | MSG_NOSIGNAL);

			if (n <= 0)
				break;
			sent += (size_t)n;
			left -= (size_t)n;
		}
		p = hs_step(&r);
		hs_drain(r.sv[1]);
		if (p == HS_DONE)
			break;
		if (p == HS_WANT_WRITE || left)
			continue;
		/* It wants more than there is: the peer stops talking. */
		if (abort_at_end) {
			handshake_abort(r.hs, ETIMEDOUT, "the handshake timed out");
			hs_drain(r.sv[1]);
			break;
		}
		FUZZ_CHECK(!shut);	/* reading after EOF must end it */
		shutdown(r.sv[1], SHUT_WR);
		shut = 1;
	}
	if (getenv("KTLSD_FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: %s '%s': status %d, %s\n",
			role == KTLSD_ROLE_SERVER ? "server" : "client",
			v->name, r.hs->reply.status, r.hs->reply.message);
	check_reply(role, v, &r.hs->reply);
	if (r.hs->reply.status == 0) {
		FUZZ_CHECK(ioctl(r.sv[0], FIONREAD, &unread) == 0);
		check_consumed_whole_records(r.hs->reply.tls_version, in, sent - (size_t)unread);
	}
	hs_run_end(&r);
	return 0;
}
