// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen_seeds OUTDIR: the binary seed corpora, made at build time.
 *   OUTDIR/hs_server, OUTDIR/hs_client: real flights, recorded from a
 *       BearSSL peer that completes a handshake with daemon/handshake.c in
 *       this process (same deterministic random source as the targets, see
 *       hs.h), then replayed once to check they still complete: they take
 *       the fuzzers through every message to the kTLS hand-over.
 *   OUTDIR/request, OUTDIR/reply, OUTDIR/record: valid messages and scripts.
 * Exits non-zero if a flight does not complete or does not replay.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
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
			progress = handshake_step(r.hs);
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

/* The recorded bytes alone must take the daemon to the end again. */
static void check_replay(enum ktlsd_role role, const struct hs_variant *v, const struct bytes *b)
{
	struct hs_run r;
	size_t off = 0;
	enum hs_progress progress;

	hs_run_start(&r, role, v);
	for (unsigned i = 0;; i++) {
		ssize_t n = off < b->len ? send(r.sv[1], b->data + off, b->len - off,
						MSG_DONTWAIT | MSG_NOSIGNAL) : 0;

		off += n > 0 ? (size_t)n : 0;
		progress = handshake_step(r.hs);
		hs_drain(r.sv[1]);
		if (progress == HS_DONE || (progress == HS_WANT_READ && off == b->len) || i > 10000)
			break;
	}
	if (progress != HS_DONE || r.hs->reply.status != 0) {
		fprintf(stderr, "gen_seeds: the recorded %s flight '%s' does not replay (%s): "
			"is the random source deterministic?\n",
			role == KTLSD_ROLE_SERVER ? "client" : "server", v->name,
			progress == HS_DONE ? r.hs->reply.message : "it waits for more");
		exit(1);
	}
	hs_run_end(&r);
}

static void handshake_seeds(enum ktlsd_role role)
{
	const char *target = role == KTLSD_ROLE_SERVER ? "hs_server" : "hs_client";
	/* An application-data record right behind the peer's last flight. */
	static const unsigned char early_data[] = { 23, 3, 3, 0, 29, 0, 0, 0, 0, 0, 0, 0, 1,
		'G', 'E', 'T', ' ', '/', 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
		0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef };

	for (unsigned i = 0; i < HS_VARIANTS; i++) {
		const struct hs_variant *v = hs_variant(role, i);
		struct bytes b = record_flight(role, v);
		unsigned char head = (unsigned char)i;
		char name[128];

		check_replay(role, v, &b);
		write_seed(target, v->name, &head, 1, b.data, b.len);
		append(&b, early_data, sizeof(early_data));
		snprintf(name, sizeof(name), "%s-then-data", v->name);
		write_seed(target, name, &head, 1, b.data, b.len);
		free(b.data);
	}
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
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0755);
	request_seeds();
	reply_seeds();
	record_seeds();
	handshake_seeds(KTLSD_ROLE_SERVER);
	handshake_seeds(KTLSD_ROLE_CLIENT);
	return 0;
}
