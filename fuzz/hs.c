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

static const struct hs_variant server_variants[HS_VARIANTS] = {
	{ .name = "ec", .profile = "srv-ec" },
	{ .name = "rsa", .profile = "srv-rsa" },
	{ .name = "mtls", .profile = "srv-mtls", .peer_client_cert = 1 },
	{ .name = "alpn-optional", .profile = "srv-alpn", .peer_alpn = "http/1.1" },
};

static const struct hs_variant client_variants[HS_VARIANTS] = {
	{ .name = "verify", .profile = "cli-verify", .server_name = "localhost" },
	{ .name = "none-rsa", .profile = "cli-none", .peer_rsa = 1 },
	{ .name = "mtls", .profile = "cli-mtls", .server_name = "localhost",
	  .peer_asks_client_cert = 1 },
	{ .name = "alpn", .profile = "cli-alpn", .server_name = "localhost",
	  .alpn = "h2,http/1.1", .peer_alpn = "h2" },
};

const struct hs_variant *hs_variant(enum ktlsd_role role, unsigned i)
{
	return role == KTLSD_ROLE_SERVER ? &server_variants[i % HS_VARIANTS] :
	       &client_variants[i % HS_VARIANTS];
}

static const char config_text[] =
	"[daemon]\nuser = root\ncontrol_socket = none\n"
	"[profile srv-ec]\ncert = @/server-ec.crt\nkey = @/server-ec.key\nverify = none\n"
	"[profile srv-rsa]\ncert = @/server-rsa.crt\nkey = @/server-rsa.key\nverify = none\n"
	"[profile srv-mtls]\ncert = @/server-ec.crt\nkey = @/server-ec.key\nca = @/ca.crt\n"
	"verify = required\n"
	"[profile srv-alpn]\ncert = @/server-ec.crt\nkey = @/server-ec.key\nca = @/ca.crt\n"
	"verify = optional\nalpn = h2,http/1.1\n"
	"[profile cli-verify]\nca = @/ca.crt\nverify = required\n"
	"[profile cli-none]\nverify = none\n"
	"[profile cli-mtls]\ncert = @/client.crt\nkey = @/client.key\nca = @/ca.crt\n"
	"verify = required\n"
	"[profile cli-alpn]\nca = @/ca.crt\nverify = required\n";

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

void hs_run_start(struct hs_run *r, enum ktlsd_role role, const struct hs_variant *v)
{
	const struct profile *p = config_profile(hs_config(), v->profile);
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
	rc = handshake_start(r->hs, r->sv[0], p, &req);
	fixed_random = 0;
	if (rc < 0)
		fprintf(stderr, "fuzz: handshake_start: %s\n", r->hs->reply.message);
	FUZZ_CHECK(rc == 0);
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

/* The reply the daemon would send: sane whatever the peer sent. */
static void check_reply(const struct ktlsd_wire_reply *r)
{
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
	if (r->status == 0) {
		FUZZ_CHECK(r->tls_version == 0x0303);
		FUZZ_CHECK(ktlsd_suite_by_id(r->cipher_suite) && r->cipher_name[0]);
		FUZZ_CHECK(r->alert_sent == -1 && r->alert_received == -1);
	}
}

/*
 * The hand-over is exact: on success the daemon took whole TLS records
 * from the peer's bytes, none of them application data: what the peer sent
 * after its last handshake record is still in the socket for kTLS.
 */
static void check_consumed_whole_records(const uint8_t *in, size_t consumed)
{
	size_t pos = 0;

	while (pos < consumed) {
		FUZZ_CHECK(pos + 5 <= consumed);
		FUZZ_CHECK(in[pos] != 23);
		pos += 5 + ((size_t)in[pos + 3] << 8 | in[pos + 4]);
	}
	FUZZ_CHECK(pos == consumed);
}

int hs_fuzz_one(enum ktlsd_role role, const uint8_t *data, size_t size)
{
	struct hs_run r;
	const uint8_t *in;
	size_t left, sent = 0;
	int abort_at_end, shut = 0, unread = 0;

	if (size < 1)
		return 0;
	abort_at_end = data[0] & 4;
	hs_run_start(&r, role, hs_variant(role, data[0]));
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
		p = handshake_step(r.hs);
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
			hs_variant(role, data[0])->name, r.hs->reply.status, r.hs->reply.message);
	check_reply(&r.hs->reply);
	if (r.hs->reply.status == 0) {
		FUZZ_CHECK(ioctl(r.sv[0], FIONREAD, &unread) == 0);
		check_consumed_whole_records(in, sent - (size_t)unread);
	}
	hs_run_end(&r);
	return 0;
}
