// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS 1.3 client engine against the TLS 1.3 server engine (RFC 8446),
 * both set up from a ktlsd.conf as handshake.c sets them up, over
 * socketpairs: every suite with an EC and an RSA (PSS) certificate, every
 * group, HelloRetryRequest both ways, client certificates, ALPN, the
 * failures each side must detect (with the alert it sends, and the one its
 * peer then receives), the ticket a server issues, records tampered with in
 * transit, and records cut into 1-byte writes. After each success, each
 * side's kTLS keys must be the other's, and the first record sent after
 * the handshake must still be in the socket, for kTLS (exact reads).
 *
 * The engines only send and recv with MSG_DONTWAIT, so one thread pumps
 * both in turn, in a bounded number of rounds, without sleeping. For
 * tampering and for 1-byte writes the test sits in the middle: each engine
 * has its own socketpair, and the test moves the bytes between them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "engine_env.h"
#include "verify.h"
#include "tls13/client.h"
#include "tls13/msg_client.h"
#include "tls13/server.h"
#include "tls13/sig.h"
#include "tls13/ticket.h"
#include "tap.h"

/* Enough for a flight cut into 1-byte writes, and a few turns over. */
#define MAX_ROUNDS	100000
#define MAX_ALPN	8
/* What the client sends right after its Finished, as kTLS would. */
static const char app_data[] = "first application record";

static char dir[] = "/tmp/ktlsd-test-t13-engine.XXXXXX";

#define AES128	T13_AES_128_GCM_SHA256
#define AES256	T13_AES_256_GCM_SHA384
#define CHACHA	T13_CHACHA20_POLY1305_SHA256
#define X25519	T13_GROUP_X25519
#define P256	T13_GROUP_SECP256R1
#define P384	T13_GROUP_SECP384R1

/* How the bytes go from one engine to the other. */
enum wire {
	WIRE_DIRECT,		/* one socketpair */
	WIRE_BYTES,		/* through the test, one byte at a time */
	WIRE_FLIP_SERVER,	/* through the test, a bit of the server's encrypted flight flipped */
	WIRE_FLIP_FINISHED,	/* ... a bit of the client's Finished record flipped */
};

enum side { NOBODY, CLIENT, SERVER };

struct hs_case {
	const char *name;
	const char *server, *client;	/* the two profiles' lines */
	const char *sni;		/* the name the client asks for */
	enum wire wire;
	int tickets;			/* the server holds ticket keys */
	int invite_tickets;		/* the ClientHello lists psk_dhe_ke (see invite_tickets()) */
	/* On success: */
	uint16_t suite, group;
	uint16_t server_scheme;		/* the server's CertificateVerify */
	uint16_t client_scheme;		/* the client's, 0: it sent none */
	int hello_retry;
	const char *alpn;
	int client_verified;		/* the server verified a client certificate */
	/* On failure: */
	enum side fails;		/* NOBODY: success */
	int status, alert;
	int client_done_first;		/* the client had finished when the server failed */
};

/* One end of the handshake, set up as handshake.c does. */
struct peer {
	enum side side;
	const struct profile *profile;
	struct t13_conn conn;
	br_x509_minimal_context minimal;
	struct verifier verifier;
	struct t13_client client;
	struct t13_server server;
	int server_started;		/* the ClientHello was read, the engine chosen */
	const char *alpn[MAX_ALPN];
	char alpn_store[256];
	int done;
	int alert_sent;			/* what t13_tx_alert() sent, -1: nothing */
	struct ktlsd_keys keys;		/* on success */
};

/* One direction of the test's relay, and the record framing of what it moved. */
struct lane {
	int from, to;
	int flip_record;		/* the application_data record to alter, -1: none */
	size_t flip_offset;		/* ... at this byte of its body */
	int flipped;
	uint8_t head[T13_RECORD_HEADER];
	size_t head_have, body_left, body_off;
	int protected_index;		/* of the application_data record being moved */
	uint8_t buf[4096];
	size_t len, sent;
	int eof;
};

struct relay {
	struct lane to_server, to_client;
	size_t chunk;			/* bytes read at a time */
};

/* Split a comma-separated ALPN list, as handshake.c's parse_alpn() does. */
static size_t split_alpn(struct peer *p, const char *list)
{
	return env_split_alpn(p->alpn, MAX_ALPN, p->alpn_store, sizeof(p->alpn_store), list);
}

/* start_client13(): the verifier on the profile's anchors, then the ClientHello. */
static int client_start(struct peer *p, int fd, const char *sni)
{
	const struct profile *prof = p->profile;
	size_t nalpn = split_alpn(p, prof->alpn);

	return env_client_start(&p->client, &p->conn, &p->minimal, &p->verifier, prof, fd, sni,
				p->alpn, nalpn);
}

/* start_server(): a verifier only when the profile asks for client certificates. */
static void server_prepare(struct peer *p, int fd)
{
	const struct profile *prof = p->profile;

	t13_conn_init(&p->conn, fd);
	if (prof->policy.client_auth != VERIFY_NONE) {
		br_x509_minimal_init_full(&p->minimal, prof->creds.anchors, prof->creds.anchor_count);
		verifier_init(&p->verifier, &p->minimal, prof->policy.client_auth);
	}
}

/* choose_engine() for a profile that allows TLS 1.3 only, then step13(). */
static enum t13_progress server_step(struct peer *p, struct t13_ticket_keys *tickets)
{
	const struct profile *prof = p->profile;
	struct t13_client_hello ch;
	const uint8_t *msg;
	uint8_t seed[32];
	size_t len;
	int r;

	if (p->server_started)
		return t13_server_step(&p->server);
	r = t13_rx_client_hello(&p->conn, &msg, &len);
	if (r == 0)
		return T13_WANT_READ;
	if (r < 0)
		return T13_DONE;
	if (r == 2 || t13_parse_client_hello(&ch, msg, len) < 0 || !t13_client_hello_offers_13(&ch)) {
		t13_fail(&p->conn, EPROTO, T13_ALERT_PROTOCOL_VERSION, 0, "not a TLS 1.3 ClientHello");
		return T13_DONE;
	}
	env_fill_seed(seed);
	t13_server_start(&p->server, &p->conn, prof,
			 prof->policy.client_auth != VERIFY_NONE ? &p->verifier : NULL,
			 prof->session_tickets ? tickets : NULL, seed);
	explicit_bzero(seed, sizeof(seed));
	p->server_started = 1;
	return t13_server_step(&p->server);
}

/* A record holding @data, sealed under @dir_keys of @keys as kTLS would (at its seq). */
static size_t seal_app_record(const struct ktlsd_keys *keys, const struct ktlsd_dir_keys *dir_keys,
			      const void *data, size_t len, uint8_t *out)
{
	struct t13_aead a;
	size_t n = 0;

	if (t13_aead_init(&a, keys->suite, dir_keys->key, dir_keys->iv) == 0) {
		a.seq = dir_keys->seq;
		n = t13_aead_seal(&a, T13_CT_APPLICATION_DATA, data, len, 0, out);
	}
	t13_aead_wipe(&a);
	return n;
}

/*
 * The end of one step: on success the keys (and, for the client, its first
 * application record, sent at once as kTLS may); on failure the alert, as
 * handshake.c's fail() sends it, and the shutdown.
 */
static void finish_peer(struct peer *p)
{
	struct t13_error *e = &p->conn.error;
	uint8_t rec[128];
	size_t n;

	p->done = 1;
	if (e->status) {
		if (e->alert >= 0 && t13_tx_alert(&p->conn, e->alert) == 0)
			p->alert_sent = e->alert;
		shutdown(p->conn.fd, SHUT_RDWR);
		return;
	}
	if (p->side == SERVER) {
		t13_server_keys(&p->server, &p->keys);
		return;
	}
	t13_client_keys(&p->client, &p->keys);
	n = seal_app_record(&p->keys, &p->keys.tx, app_data, sizeof(app_data), rec);
	if (n && send(p->conn.fd, rec, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n)
		p->keys.tx.seq++;
}

static void step(struct peer *p, struct t13_ticket_keys *tickets)
{
	enum t13_progress r;

	if (p->done)
		return;
	r = p->side == CLIENT ? t13_client_step(&p->client) : server_step(p, tickets);
	if (r == T13_DONE)
		finish_peer(p);
}

/* Follow the record framing of the bytes moved; alter the chosen byte. */
static void track(struct lane *l, uint8_t *byte)
{
	if (l->head_have < T13_RECORD_HEADER) {
		l->head[l->head_have++] = *byte;
		if (l->head_have < T13_RECORD_HEADER)
			return;
		l->body_left = t13_get16(l->head + 3);
		l->body_off = 0;
		if (l->head[0] == T13_CT_APPLICATION_DATA)
			l->protected_index++;
		if (!l->body_left)
			l->head_have = 0;
		return;
	}
	if (l->head[0] == T13_CT_APPLICATION_DATA && l->protected_index == l->flip_record &&
	    l->body_off == l->flip_offset) {
		*byte ^= 0x01;
		l->flipped = 1;
	}
	l->body_off++;
	if (--l->body_left == 0)
		l->head_have = 0;
}

/* Move what one lane may move now: 1 if a byte moved. */
static int move_lane(struct lane *l, size_t chunk)
{
	ssize_t n;
	int moved = 0;

	if (l->sent == l->len && !l->eof) {
		n = recv(l->from, l->buf, chunk, MSG_DONTWAIT);
		if (n > 0) {
			l->len = (size_t)n;
			l->sent = 0;
			for (size_t i = 0; i < l->len; i++)
				track(l, &l->buf[i]);
		} else if (n == 0) {
			/* The engine shut its socket down: pass it on. */
			l->eof = 1;
			shutdown(l->to, SHUT_WR);
		}
	}
	if (l->sent < l->len) {
		n = send(l->to, l->buf + l->sent, l->len - l->sent, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			l->sent += (size_t)n;
			moved = 1;
		}
	}
	return moved;
}

static void lane_init(struct lane *l, int from, int to)
{
	memset(l, 0, sizeof(*l));
	l->from = from;
	l->to = to;
	l->flip_record = -1;
	l->protected_index = -1;
}

/* Everything one run needs, the profiles loaded from their own ktlsd.conf. */
struct run {
	const struct hs_case *hc;
	struct config cfg;
	struct peer *client, *server;
	struct t13_ticket_keys tickets;
	struct relay relay;
	int fds[4];			/* client's, server's, and the relay's two */
	int rounds;
};

/* Write the configuration for @hc: %s in its lines stands for the folder. */
static int write_conf(const struct hs_case *hc, char *path, size_t path_len)
{
	char text[2048];
	int n;

	n = snprintf(text, sizeof(text),
		     "[daemon]\nuser = nobody\n"
		     "[profile server]\nrole = server\nmin_version = 1.3\n%s"
		     "[profile client]\nrole = client\nmin_version = 1.3\nca = %%s/ca.crt\n%s",
		     hc->server, hc->client);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	return env_write_conf(dir, text, path, path_len);
}

/*
 * The ClientHello with psk_key_exchange_modes = {psk_dhe_ke}, as a client
 * that keeps tickets sends it (§4.2.9: a server SHOULD NOT issue tickets a
 * client did not list a mode for, and ours issues none). The client engine
 * offers no tickets yet, so the test rewrites the ClientHello it queued,
 * before it is sent, and the transcript with it: first the same offer
 * without the extension must give back the engine's bytes exactly.
 */
static int invite_tickets(struct peer *p, const char *name)
{
	struct t13_client *cl = &p->client;
	struct t13_conn *c = &p->conn;
	const struct profile *prof = p->profile;
	uint8_t algs[64], msg[1024];
	struct t13_client_offer o = {
		.random = cl->random,
		.session_id = cl->session_id, .session_id_len = sizeof(cl->session_id),
		.suites = prof->suites13, .suite_count = prof->suite13_count,
		.groups = prof->groups, .group_count = prof->group_count,
		.share_count = 1,
		.sig_algs = algs, .sig_algs_len = t13_sig_our_list(algs, sizeof(algs)),
		.server_name = cl->sni,
		.alpn = cl->alpn, .alpn_count = cl->alpn_count,
	};
	struct t13_buf b;

	o.shares[0].group = cl->share.group;
	o.shares[0].pub = cl->share.pub;
	o.shares[0].pub_len = cl->share.pub_len;
	t13_buf_init(&b, msg, sizeof(msg));
	t13_write_client_hello(&b, &o, NULL, NULL);
	if (!ok(!b.overflow && c->tx.wire_len == T13_RECORD_HEADER + b.len &&
		!memcmp(c->tx.wire + T13_RECORD_HEADER, msg, b.len),
		"%s: the test rebuilds the client engine's ClientHello byte for byte", name))
		return -1;
	o.want_tickets = 1;
	t13_buf_init(&b, msg, sizeof(msg));
	t13_write_client_hello(&b, &o, NULL, NULL);
	if (b.overflow)
		return -1;
	t13_put16(c->tx.wire + 3, (unsigned)b.len);
	memcpy(c->tx.wire + T13_RECORD_HEADER, msg, b.len);
	c->tx.wire_len = T13_RECORD_HEADER + b.len;
	t13_transcript_init(&cl->transcript);
	t13_transcript_update(&cl->transcript, msg, b.len);
	cl->offered = t13_client_hello_offered(&o);
	return 0;
}

static int open_sockets(struct run *r)
{
	const struct hs_case *hc = r->hc;
	int a[2], b[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) < 0)
		return -1;
	r->fds[0] = a[0];
	if (hc->wire == WIRE_DIRECT) {
		r->fds[1] = a[1];
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, b) < 0)
		return -1;
	r->fds[1] = b[0];
	r->fds[2] = a[1];
	r->fds[3] = b[1];
	lane_init(&r->relay.to_server, a[1], b[1]);
	lane_init(&r->relay.to_client, b[1], a[1]);
	r->relay.chunk = hc->wire == WIRE_BYTES ? 1 : sizeof(r->relay.to_server.buf);
	/* The server's flight is its first protected record (after ServerHello
	 * and a ChangeCipherSpec); the client's Finished is its first too when
	 * it sends no certificate. Byte 20 is inside either's ciphertext. */
	if (hc->wire == WIRE_FLIP_SERVER) {
		r->relay.to_client.flip_record = 0;
		r->relay.to_client.flip_offset = 20;
	} else if (hc->wire == WIRE_FLIP_FINISHED) {
		r->relay.to_server.flip_record = 0;
		r->relay.to_server.flip_offset = 20;
	}
	return 0;
}

static struct peer *new_peer(enum side side, const struct profile *prof)
{
	struct peer *p = calloc(1, sizeof(*p));

	if (p) {
		p->side = side;
		p->profile = prof;
		p->alert_sent = -1;
	}
	return p;
}

/* Load the profiles, open the sockets, start both ends. */
static int setup(struct run *r)
{
	const struct hs_case *hc = r->hc;
	char path[512];

	if (write_conf(hc, path, sizeof(path)) < 0 || config_load(&r->cfg, path) < 0) {
		diag("%s: %s", hc->name, r->cfg.error);
		return -1;
	}
	r->client = new_peer(CLIENT, config_profile(&r->cfg, "client"));
	r->server = new_peer(SERVER, config_profile(&r->cfg, "server"));
	if (!r->client || !r->server || !r->client->profile || !r->server->profile)
		return -1;
	if (hc->tickets && t13_ticket_keys_init(&r->tickets, t13_now_ms(), r->cfg.ticket_lifetime_ms) < 0)
		return -1;
	if (open_sockets(r) < 0)
		return -1;
	server_prepare(r->server, r->fds[1]);
	if (client_start(r->client, r->fds[0], hc->sni) < 0) {
		diag("%s: the client does not start: %s", hc->name, r->client->conn.error.what);
		return -1;
	}
	if (hc->invite_tickets && invite_tickets(r->client, hc->name) < 0)
		return -1;
	return 0;
}

/* Both engines in turn (and the relay) until both are done and nothing moves. */
static int pump(struct run *r)
{
	struct t13_ticket_keys *tickets = r->hc->tickets ? &r->tickets : NULL;
	int moved = 0;

	for (r->rounds = 1; r->rounds <= MAX_ROUNDS; r->rounds++) {
		step(r->client, tickets);
		step(r->server, tickets);
		if (r->hc->wire != WIRE_DIRECT) {
			moved = move_lane(&r->relay.to_server, r->relay.chunk);
			moved |= move_lane(&r->relay.to_client, r->relay.chunk);
		}
		if (r->client->done && r->server->done && !moved)
			return 0;
	}
	r->rounds = MAX_ROUNDS;
	return -1;
}

/*
 * The one record waiting in @p's socket, opened with @p's application
 * receive keys (on a copy of them: they stay what kTLS would take).
 * Returns its content length, *@type its content type; -1 if there is not
 * exactly one record, or it does not open.
 */
static ssize_t read_left_record(const struct peer *p, uint8_t *rec, size_t cap, uint8_t *type,
				const uint8_t **content)
{
	struct t13_aead a;
	ssize_t n = recv(p->conn.fd, rec, cap, MSG_DONTWAIT);
	size_t len = 0;
	int rc;

	if (n < T13_RECORD_HEADER || (size_t)n != (size_t)T13_RECORD_HEADER + t13_get16(rec + 3))
		return -1;
	if (t13_aead_init(&a, p->keys.suite, p->keys.rx.key, p->keys.rx.iv) < 0)
		return -1;
	a.seq = p->keys.rx.seq;
	rc = t13_aead_open(&a, rec, (size_t)n, type, &len);
	t13_aead_wipe(&a);
	*content = rec + T13_RECORD_HEADER;
	return rc < 0 ? -1 : (ssize_t)len;
}

static void show_errors(const struct run *r)
{
	const struct t13_error *c = &r->client->conn.error, *s = &r->server->conn.error;

	diag("client: status %d alert %d received %d: %s", c->status, c->alert, c->alert_received, c->what);
	diag("server: status %d alert %d received %d: %s", s->status, s->alert, s->alert_received, s->what);
}

/* Each side's keys are the other's, crosswise (RFC 8446 §7.3). */
static void check_keys(const struct run *r, uint64_t records_to_client)
{
	const char *name = r->hc->name;
	const struct ktlsd_keys *c = &r->client->keys, *s = &r->server->keys;
	size_t key_len = t13_aead_key_len(r->hc->suite);

	ok(c->suite == r->hc->suite && s->suite == r->hc->suite, "%s: kTLS keys for suite 0x%04x",
	   name, r->hc->suite);
	ok(key_len && !memcmp(c->tx.key, s->rx.key, key_len) && !memcmp(c->tx.iv, s->rx.iv, 12) &&
	   c->tx.seq == s->rx.seq + 1,
	   "%s: client tx = server rx (key, iv; the client sent one record since)", name);
	ok(key_len && !memcmp(s->tx.key, c->rx.key, key_len) && !memcmp(s->tx.iv, c->rx.iv, 12) &&
	   s->tx.seq == c->rx.seq + records_to_client,
	   "%s: server tx = client rx (key, iv; seq %llu after %llu record(s) past the handshake)",
	   name, (unsigned long long)s->tx.seq, (unsigned long long)records_to_client);
	ok(memcmp(c->tx.key, c->rx.key, key_len) || memcmp(c->tx.iv, c->rx.iv, 12),
	   "%s: the two directions have their own keys", name);
}

/* The record the client sent after its Finished is the server's first, untouched. */
static void check_exact_read(const struct run *r)
{
	struct peer *s = r->server;
	uint8_t rec[256], type = 0;
	const uint8_t *content;
	ssize_t n = read_left_record(s, rec, sizeof(rec), &type, &content);

	ok(n == (ssize_t)sizeof(app_data) && type == T13_CT_APPLICATION_DATA &&
	   !memcmp(content, app_data, sizeof(app_data)),
	   "%s: the server read not one byte past the client's Finished; the next record opens "
	   "under its kTLS rx keys", r->hc->name);
}

static void check_outcomes(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_outcome *c = &r->client->client.outcome, *s = &r->server->server.outcome;
	const char *alpn = hc->alpn ? hc->alpn : "";

	ok(c->suite == hc->suite && s->suite == hc->suite, "%s: suite 0x%04x / 0x%04x, want 0x%04x",
	   hc->name, c->suite, s->suite, hc->suite);
	ok(c->group == hc->group && s->group == hc->group, "%s: group 0x%04x / 0x%04x, want 0x%04x",
	   hc->name, c->group, s->group, hc->group);
	ok(c->hello_retry == hc->hello_retry && s->hello_retry == hc->hello_retry,
	   "%s: HelloRetryRequest %d / %d, want %d", hc->name, c->hello_retry, s->hello_retry,
	   hc->hello_retry);
	ok(s->sig_scheme == hc->server_scheme && c->sig_scheme == hc->client_scheme,
	   "%s: schemes: server 0x%04x (want 0x%04x), client 0x%04x (want 0x%04x)", hc->name,
	   s->sig_scheme, hc->server_scheme, c->sig_scheme, hc->client_scheme);
	ok(!strcmp(c->alpn, alpn) && !strcmp(s->alpn, alpn), "%s: ALPN '%s' / '%s', want '%s'",
	   hc->name, c->alpn, s->alpn, alpn);
	ok(!strcmp(c->server_name, hc->sni) && !strcmp(s->server_name, hc->sni),
	   "%s: server name '%s' / '%s'", hc->name, c->server_name, s->server_name);
	ok(!c->resumed && !s->resumed, "%s: a full handshake", hc->name);
	ok(c->peer_verified && !strcmp(c->peer_subject, "localhost") && !strcmp(c->peer_san, "localhost"),
	   "%s: the client verified the server: '%s' '%s'", hc->name, c->peer_subject, c->peer_san);
	if (hc->client_verified)
		ok(s->peer_verified && !strcmp(s->peer_subject, "ktlsd test client") &&
		   !strcmp(s->peer_san, "client.test"),
		   "%s: the server verified the client: '%s' '%s'", hc->name, s->peer_subject, s->peer_san);
	else
		ok(!s->peer_verified && !s->peer_subject[0] && !s->peer_san[0],
		   "%s: the server reports no client identity", hc->name);
}

/*
 * The NewSessionTicket the server sent after the handshake, still in the
 * client's socket (kTLS's to read): it opens under the server's ticket keys
 * with what the handshake agreed, and its PSK is the one the client derives
 * (§4.6.1: HKDF-Expand-Label(resumption_master_secret, "resumption",
 * ticket_nonce, Hash.length)).
 */
static void check_ticket(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_client *cl = &r->client->client;
	struct t13_new_session_ticket nst;
	struct t13_session sess;
	uint8_t rec[2048], type = 0, psk[T13_MAX_HASH];
	const uint8_t *content;
	ssize_t n = read_left_record(r->client, rec, sizeof(rec), &type, &content);
	size_t hash_len = t13_hash_len(t13_suite_hash(hc->suite));

	if (!ok(n > 0 && type == T13_CT_HANDSHAKE,
		"%s: one handshake record waits for the client, under its kTLS rx keys", hc->name))
		return;
	if (!ok(t13_parse_new_session_ticket(&nst, content, (size_t)n) == 0 &&
		n == 4 + (ssize_t)t13_get24(content + 1),
		"%s: it is one NewSessionTicket", hc->name))
		return;
	if (!ok(t13_ticket_open(&r->tickets, nst.ticket, nst.ticket_len, t13_now_ms(), &sess) == 0,
		"%s: its ticket opens under the server's ticket keys", hc->name))
		return;
	ok(!strcmp(sess.profile, "server") && !strcmp(sess.server_name, hc->sni) &&
	   sess.suite == hc->suite && sess.psk_len == hash_len,
	   "%s: the ticket holds profile '%s', name '%s', suite 0x%04x, a %zu-byte PSK", hc->name,
	   sess.profile, sess.server_name, sess.suite, sess.psk_len);
	ok(sess.lifetime_s == nst.lifetime && sess.age_add == nst.age_add && nst.lifetime > 0 &&
	   nst.lifetime <= T13_TICKET_MAX_LIFETIME,
	   "%s: lifetime %u s and age_add as the message says", hc->name, nst.lifetime);
	t13_resumption_psk(cl->hash, cl->schedule.resumption, nst.nonce, nst.nonce_len, psk);
	ok(sess.psk_len == hash_len && !memcmp(psk, sess.psk, hash_len),
	   "%s: the ticket's PSK is the one the client derives", hc->name);
	explicit_bzero(psk, sizeof(psk));
	explicit_bzero(&sess, sizeof(sess));
}

static void check_success(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	int ticket = hc->tickets && hc->invite_tickets;

	if (!ok(!r->client->conn.error.status && !r->server->conn.error.status,
		"%s: both ends succeed", hc->name)) {
		show_errors(r);
		return;
	}
	check_outcomes(r);
	check_keys(r, ticket ? 1 : 0);
	check_exact_read(r);
	if (ticket)
		check_ticket(r);
	else
		ok(env_socket_empty(r->client->conn.fd), "%s: the server sent nothing after its Finished%s", hc->name,
		   hc->tickets ? " (no ticket: the client listed no psk_key_exchange_modes)" : "");
}

/* The side that fails, the alert it sends; its peer receives that alert. */
static void check_failure(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct peer *bad = hc->fails == CLIENT ? r->client : r->server;
	const struct peer *other = hc->fails == CLIENT ? r->server : r->client;
	const struct t13_error *e = &bad->conn.error, *o = &other->conn.error;
	const char *who = hc->fails == CLIENT ? "client" : "server";
	uint8_t rec[256], type = 0;
	const uint8_t *content;
	ssize_t n;

	if (!ok(e->status == hc->status && e->alert == hc->alert && e->alert_received == -1,
		"%s: the %s fails (status %d, alert %d), want status %d, alert %d", hc->name, who,
		e->status, e->alert, hc->status, hc->alert))
		show_errors(r);
	ok(bad->alert_sent == hc->alert, "%s: the %s sends alert %d", hc->name, who, bad->alert_sent);
	if (hc->client_done_first) {
		/* The client's handshake was over: the alert comes under the
		 * server's application key (§7.1), for the client's kTLS. */
		ok(!o->status, "%s: the client had finished", hc->name);
		n = read_left_record(other, rec, sizeof(rec), &type, &content);
		ok(n == 2 && type == T13_CT_ALERT && content[0] == 2 && content[1] == hc->alert,
		   "%s: the client's socket holds the fatal alert %d, under its kTLS rx keys", hc->name,
		   n == 2 ? content[1] : -1);
		return;
	}
	if (!ok(o->status == EPROTO && o->alert_received == hc->alert && o->alert == -1 &&
		o->tls_error == BR_ERR_RECV_FATAL_ALERT + hc->alert,
		"%s: the %s then fails with alert_received %d, and sends none back", hc->name,
		hc->fails == CLIENT ? "server" : "client", o->alert_received))
		show_errors(r);
}

static void teardown(struct run *r)
{
	for (size_t i = 0; i < 4; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	if (r->client) {
		t13_client_wipe(&r->client->client);
		t13_conn_wipe(&r->client->conn);
		explicit_bzero(&r->client->keys, sizeof(r->client->keys));
	}
	if (r->server) {
		t13_server_wipe(&r->server->server);
		t13_conn_wipe(&r->server->conn);
		explicit_bzero(&r->server->keys, sizeof(r->server->keys));
	}
	free(r->client);
	free(r->server);
	t13_ticket_keys_wipe(&r->tickets);
	if (r->cfg.profiles)
		config_free(&r->cfg);
}

static void run_case(const struct hs_case *hc)
{
	struct run r;
	int pumped;

	memset(&r, 0, sizeof(r));
	r.hc = hc;
	for (size_t i = 0; i < 4; i++)
		r.fds[i] = -1;
	if (!ok(setup(&r) == 0, "%s: profiles load, both ends start", hc->name))
		goto out;
	pumped = pump(&r);
	if (!ok(pumped == 0, "%s: both engines are done (%d rounds)", hc->name, r.rounds)) {
		show_errors(&r);
		goto out;
	}
	if (hc->wire == WIRE_FLIP_SERVER || hc->wire == WIRE_FLIP_FINISHED)
		ok(r.relay.to_client.flipped || r.relay.to_server.flipped,
		   "%s: the bit was flipped in transit", hc->name);
	if (hc->fails == NOBODY)
		check_success(&r);
	else
		check_failure(&r);
out:
	teardown(&r);
}

/*
 * The successes. Schemes, RFC 8446 §4.2.3: a P-256 key signs with
 * ecdsa_secp256r1_sha256; an RSA key with rsa_pss_rsae_* only, and the
 * server takes sha256 first (sig.h's documented order).
 */
#define OK(...) { .sni = "localhost", .fails = NOBODY, __VA_ARGS__ }
#define ECDSA	T13_SIG_ECDSA_SECP256R1_SHA256
#define PSS	T13_SIG_RSA_PSS_RSAE_SHA256

static const struct hs_case cases[] = {
	/* Each suite with each kind of server key. */
	OK(.name = "AES-128-GCM, P-256 server",
	   .server = SERVER_EC "ciphersuites = TLS_AES_128_GCM_SHA256\n",
	   .client = "", .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	OK(.name = "AES-256-GCM, P-256 server",
	   .server = SERVER_EC "ciphersuites = TLS_AES_256_GCM_SHA384\n",
	   .client = "", .suite = AES256, .group = X25519, .server_scheme = ECDSA),
	OK(.name = "ChaCha20-Poly1305, P-256 server",
	   .server = SERVER_EC "ciphersuites = TLS_CHACHA20_POLY1305_SHA256\n",
	   .client = "", .suite = CHACHA, .group = X25519, .server_scheme = ECDSA),
	OK(.name = "AES-128-GCM, RSA server",
	   .server = SERVER_RSA "ciphersuites = TLS_AES_128_GCM_SHA256\n",
	   .client = "", .suite = AES128, .group = X25519, .server_scheme = PSS),
	OK(.name = "AES-256-GCM, RSA server",
	   .server = SERVER_RSA "ciphersuites = TLS_AES_256_GCM_SHA384\n",
	   .client = "", .suite = AES256, .group = X25519, .server_scheme = PSS),
	OK(.name = "ChaCha20-Poly1305, RSA server",
	   .server = SERVER_RSA "ciphersuites = TLS_CHACHA20_POLY1305_SHA256\n",
	   .client = "", .suite = CHACHA, .group = X25519, .server_scheme = PSS),
	/* The client's order does not matter: the server's does. */
	OK(.name = "the server's suite preference wins",
	   .server = SERVER_EC "ciphersuites = TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256\n",
	   .client = "ciphersuites = TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256\n",
	   .suite = CHACHA, .group = X25519, .server_scheme = ECDSA),
	/* Each group, alone on both sides. */
	OK(.name = "group X25519", .server = SERVER_EC "groups = X25519\n", .client = "groups = X25519\n",
	   .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	OK(.name = "group P-256", .server = SERVER_EC "groups = P-256\n", .client = "groups = P-256\n",
	   .suite = AES128, .group = P256, .server_scheme = ECDSA),
	OK(.name = "group P-384", .server = SERVER_EC "groups = P-384\n", .client = "groups = P-384\n",
	   .suite = AES128, .group = P384, .server_scheme = ECDSA),
	/* HelloRetryRequest (§4.1.4): the client's one share is not the server's group. */
	OK(.name = "HRR: P-384 share, server wants X25519", .server = SERVER_EC "groups = X25519\n",
	   .client = "groups = P-384:X25519\n", .suite = AES128, .group = X25519,
	   .server_scheme = ECDSA, .hello_retry = 1),
	OK(.name = "HRR: X25519 share, server wants P-384", .server = SERVER_EC "groups = P-384\n",
	   .client = "groups = X25519:P-384\n", .suite = AES128, .group = P384,
	   .server_scheme = ECDSA, .hello_retry = 1),
	/* The message_hash restart (§4.4.1) with SHA-384. */
	OK(.name = "HRR under AES-256-GCM-SHA384",
	   .server = SERVER_RSA "groups = X25519\nciphersuites = TLS_AES_256_GCM_SHA384\n",
	   .client = "groups = P-256:X25519\n", .suite = AES256, .group = X25519,
	   .server_scheme = PSS, .hello_retry = 1),
	/* Client certificates (§4.3.2, §4.4.2). */
	OK(.name = "mTLS", .server = SERVER_EC ASK_CLIENT, .client = CLIENT_CERT,
	   .suite = AES128, .group = X25519, .server_scheme = ECDSA, .client_scheme = ECDSA,
	   .client_verified = 1),
	OK(.name = "mTLS, RSA server, AES-256", .server = SERVER_RSA ASK_CLIENT
	   "ciphersuites = TLS_AES_256_GCM_SHA384\n", .client = CLIENT_CERT,
	   .suite = AES256, .group = X25519, .server_scheme = PSS, .client_scheme = ECDSA,
	   .client_verified = 1),
	OK(.name = "verify = optional, no client certificate",
	   .server = SERVER_EC "verify = optional\nca = %s/ca.crt\n", .client = "",
	   .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	/* ALPN (RFC 7301 §3.2): the server's preference among the client's. */
	OK(.name = "ALPN agreed", .server = SERVER_EC "alpn = http/1.1,h2\n",
	   .client = "alpn = h2,http/1.1\n", .suite = AES128, .group = X25519, .server_scheme = ECDSA,
	   .alpn = "http/1.1"),
	OK(.name = "ALPN: the server names none", .server = SERVER_EC, .client = "alpn = h2\n",
	   .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	/* Tickets: none for a client that lists no PSK mode (§4.2.9), one for a client that does. */
	OK(.name = "tickets, client lists no psk mode", .server = SERVER_EC, .client = "", .tickets = 1,
	   .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	OK(.name = "tickets, client lists psk_dhe_ke", .server = SERVER_EC, .client = "", .tickets = 1,
	   .invite_tickets = 1, .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	OK(.name = "ticket under AES-256, mTLS, ALPN",
	   .server = SERVER_EC ASK_CLIENT "ciphersuites = TLS_AES_256_GCM_SHA384\nalpn = h2\n",
	   .client = CLIENT_CERT "alpn = h2\n", .tickets = 1, .invite_tickets = 1,
	   .suite = AES256, .group = X25519, .server_scheme = ECDSA, .client_scheme = ECDSA,
	   .alpn = "h2", .client_verified = 1),
	/* Exact reads: every record arrives a byte at a time, both ways. */
	OK(.name = "1-byte writes, ticket", .server = SERVER_EC, .client = "", .wire = WIRE_BYTES,
	   .tickets = 1, .invite_tickets = 1, .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	/* (No ticket here: the test invites one in the first ClientHello only.) */
	OK(.name = "1-byte writes: HRR, mTLS, RSA",
	   .server = SERVER_RSA ASK_CLIENT "groups = X25519\n",
	   .client = CLIENT_CERT "groups = P-384:X25519\n",
	   .wire = WIRE_BYTES, .suite = AES128, .group = X25519,
	   .server_scheme = PSS, .client_scheme = ECDSA, .hello_retry = 1, .client_verified = 1),

	/* The failures, §6.2 for the alerts. */
	{ .name = "mTLS, client without a certificate", .server = SERVER_EC ASK_CLIENT, .client = "",
	  .sni = "localhost", .fails = SERVER, .status = ENOKEY,
	  .alert = T13_ALERT_CERTIFICATE_REQUIRED, .client_done_first = 1 },
	{ .name = "mTLS, client certificate from an untrusted CA", .server = SERVER_EC ASK_CLIENT,
	  .client = ROGUE_CERT, .sni = "localhost", .fails = SERVER, .status = EKEYREJECTED,
	  .alert = T13_ALERT_UNKNOWN_CA, .client_done_first = 1 },
	{ .name = "server certificate from an untrusted CA", .server = SERVER_ROGUE, .client = "",
	  .sni = "localhost", .fails = CLIENT, .status = EKEYREJECTED, .alert = T13_ALERT_UNKNOWN_CA },
	{ .name = "wrong server name", .server = SERVER_EC, .client = "", .sni = "example.org",
	  .fails = CLIENT, .status = EKEYREJECTED, .alert = T13_ALERT_BAD_CERTIFICATE },
	{ .name = "ALPN mismatch", .server = SERVER_EC "alpn = http/1.1\n", .client = "alpn = h2\n",
	  .sni = "localhost", .fails = SERVER, .status = EPROTO,
	  .alert = T13_ALERT_NO_APPLICATION_PROTOCOL },
	{ .name = "no common suite", .server = SERVER_EC "ciphersuites = TLS_AES_256_GCM_SHA384\n",
	  .client = "ciphersuites = TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256\n",
	  .sni = "localhost", .fails = SERVER, .status = EPROTO, .alert = T13_ALERT_HANDSHAKE_FAILURE },
	{ .name = "no common group", .server = SERVER_EC "groups = P-384\n",
	  .client = "groups = X25519:P-256\n", .sni = "localhost", .fails = SERVER, .status = EPROTO,
	  .alert = T13_ALERT_HANDSHAKE_FAILURE },
	/* §5.2: a record that does not authenticate is bad_record_mac. */
	{ .name = "server flight altered in transit", .server = SERVER_EC, .client = "",
	  .sni = "localhost", .wire = WIRE_FLIP_SERVER, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_BAD_RECORD_MAC },
	{ .name = "client Finished altered in transit", .server = SERVER_EC, .client = "",
	  .sni = "localhost", .wire = WIRE_FLIP_FINISHED, .fails = SERVER, .status = EPROTO,
	  .alert = T13_ALERT_BAD_RECORD_MAC, .client_done_first = 1 },
};

int main(void)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!mkdtemp(dir) || env_make_pki(dir) < 0) {
		ok(0, "the test PKI is made with openssl");
		return done();
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	if (env_remove_dir(dir) < 0)
		diag("could not remove %s", dir);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("%zu handshakes in %.2f s", sizeof(cases) / sizeof(cases[0]),
	     (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return done();
}
