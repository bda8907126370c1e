// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS 1.3 client engine against the TLS 1.3 server engine (RFC 8446),
 * both set up from a ktlsd.conf as handshake.c sets them up, over
 * socketpairs: every suite with an EC and an RSA (PSS) certificate, every
 * group, HelloRetryRequest both ways, client certificates, ALPN, the
 * failures each side must detect (with the alert it sends, and the one its
 * peer then receives), the ticket a server issues, records tampered with in
 * transit, records slipped in (dummy ChangeCipherSpecs up to the record
 * layer's limit and past it, both ways; a warning alert, fatal in 1.3),
 * and records cut into 1-byte writes. After each success, each
 * side's kTLS keys must be the other's, and the first record sent after
 * the handshake must still be in the socket, for kTLS (exact reads).
 *
 * Resumption (§2.2, §4.6.1): the client keeping the server's tickets (the
 * records it takes after its Finished, what it leaves to kTLS, the rx seq
 * it reports), then offering the session kept: resumed, across a
 * HelloRetryRequest, not offered for a hash it cannot use, a binder that
 * does not verify, a ticket the server cannot open, a ServerHello
 * resuming under a suite of another hash.
 *
 * The engines only send and recv with MSG_DONTWAIT, so one thread pumps
 * both in turn, in a bounded number of rounds, without sleeping (a client
 * waiting for tickets that will not come is waited for with poll() on its
 * socket, until the time it asks to be woken at). For tampering, counting
 * and 1-byte writes the test sits in the middle: each engine has its own
 * socketpair, and the test moves the bytes between them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
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
#include "tls13/sessions.h"
#include "tls13/ticket.h"
#include "tap.h"

/* Enough for a flight cut into 1-byte writes, and a few turns over. */
#define MAX_ROUNDS	100000
#define MAX_ALPN	8
/* What the client sends right after its Finished, as kTLS would. */
static const char app_data[] = "first application record";
/* What a server sends right after its hand-off, as kTLS would. */
static const char server_data[] = "the server's first application record";
/* A KeyUpdate (§4.6.3), update_not_requested: a handshake message that is no ticket. */
static const uint8_t key_update[] = { T13_HS_KEY_UPDATE, 0, 0, 1, 0 };
/* A waiting client's longest ticket wait when the test expects it to end otherwise. */
#define LONG_WAIT_MS	30000

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
	WIRE_RELAY,		/* through the test, untouched: it counts the bytes */
	WIRE_SUITE_SWAP,	/* through the test, the ServerHello's suite made AES-256-GCM */
};

/* What the server sends right after its hand-off, under its kTLS tx keys. */
enum extra {
	EXTRA_NONE,
	EXTRA_DATA,		/* application data (server_data) */
	EXTRA_KEY_UPDATE,	/* a handshake record holding a KeyUpdate */
	EXTRA_TWO_TICKETS,	/* a handshake record holding two NewSessionTickets (crafted) */
	EXTRA_NO_TYPE,		/* a record whose inner plaintext is all zeros: no content type */
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
	/* Resumption: */
	int keep_tickets;		/* the client keeps tickets (t13_client_options) */
	uint64_t ticket_wait_ms;	/* ... waiting this long at most */
	enum extra extra;		/* what the server sends after its hand-off */
	int tickets_taken;		/* ticket records the client took: its kTLS rx seq */
	int sessions_kept;		/* sessions it kept of them */
	int ticket_left;		/* the server's ticket stays in the socket, for kTLS */
	int resumed;			/* both sides resumed */
	/* The server's identity the client reports; NULL: "localhost", verified. A
	 * resumption offers a session saying this, to tell it from a verification. */
	const char *server_subject, *server_san;
	/* On failure: */
	enum side fails;		/* NOBODY: success */
	int status, alert;
	int client_done_first;		/* the client had finished when the server failed */
	/* Records the test slips in (WIRE_RELAY), right after the first handshake record: */
	const uint8_t *inject;		/* one record's bytes; NULL: none */
	size_t inject_len;
	int inject_count;		/* ... so many copies of it */
	enum side inject_to;		/* the side they go to */
	int ccs_seen;			/* ChangeCipherSpecs that side gets, its peer's among them */
	int alert_from_test;		/* the failing side stops on the test's alert (.alert) */
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
	enum extra extra;		/* the server's, after its hand-off */
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
	size_t total;			/* bytes moved */
	uint16_t new_suite;		/* the ServerHello's suite becomes this; 0: untouched */
	int suite_swapped;		/* ... it did */
	const uint8_t *inject;		/* a record to slip in after the first handshake record */
	size_t inject_len;
	int inject_left;		/* ... copies still to slip in */
	int injected;			/* ... copies slipped in */
	int handshake_records;		/* whole handshake records moved */
	int ccs_records;		/* whole ChangeCipherSpec records moved, the test's included */
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

/*
 * start_client13(): the verifier on the profile's anchors, then the
 * ClientHello, with @opt's resumption options (NULL: none).
 */
static int client_start(struct peer *p, int fd, const char *sni,
			const struct t13_client_options *opt)
{
	const struct profile *prof = p->profile;
	size_t nalpn = split_alpn(p, prof->alpn);

	return env_client_start_opt(&p->client, &p->conn, &p->minimal, &p->verifier, prof, fd, sni,
				    p->alpn, nalpn, opt);
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
			 prof->session_tickets ? tickets : NULL, NULL, seed);
	explicit_bzero(seed, sizeof(seed));
	p->server_started = 1;
	return t13_server_step(&p->server);
}

/* A record of @type holding @data, sealed under @dir_keys of @keys as kTLS would (at its seq). */
static size_t seal_record(const struct ktlsd_keys *keys, const struct ktlsd_dir_keys *dir_keys,
			  uint8_t type, const void *data, size_t len, uint8_t *out)
{
	struct t13_aead a;
	size_t n = 0;

	if (t13_aead_init(&a, keys->suite, dir_keys->key, dir_keys->iv) == 0) {
		a.seq = dir_keys->seq;
		n = t13_aead_seal(&a, type, data, len, 0, out);
	}
	t13_aead_wipe(&a);
	return n;
}

/* Seal one record under @p's tx keys and send it, as kTLS would: its seq moves on. */
static void send_record(struct peer *p, uint8_t type, const void *data, size_t len)
{
	uint8_t rec[T13_RECORD_HEADER + 1024 + 1 + T13_AEAD_TAG];
	size_t n = len <= 1024 ? seal_record(&p->keys, &p->keys.tx, type, data, len, rec) : 0;

	if (n && send(p->conn.fd, rec, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n)
		p->keys.tx.seq++;
}

/*
 * The two NewSessionTickets EXTRA_TWO_TICKETS sends in one record, made by
 * the test (their tickets open nowhere: to the client they are opaque).
 */
static const struct crafted_ticket {
	uint32_t lifetime, age_add;
	uint8_t nonce;
	const char *ticket;
} crafted[2] = {
	{ 7200, 0x01020304, 1, "a ticket the test made" },
	{ 3600, 0x05060708, 2, "another ticket the test made" },
};

/* Both crafted NewSessionTickets into @out (@cap bytes); their length, 0 if they did not fit. */
static size_t crafted_tickets(uint8_t *out, size_t cap)
{
	struct t13_buf b;

	t13_buf_init(&b, out, cap);
	for (size_t i = 0; i < 2; i++)
		t13_write_new_session_ticket(&b, crafted[i].lifetime, crafted[i].age_add,
					     &crafted[i].nonce, 1, (const uint8_t *)crafted[i].ticket,
					     strlen(crafted[i].ticket));
	return b.overflow ? 0 : b.len;
}

/* What the server sends after its hand-off (p->extra), under its kTLS tx keys. */
static void send_extra(struct peer *p)
{
	uint8_t msgs[256];
	size_t n;

	switch (p->extra) {
	case EXTRA_NONE:
		break;
	case EXTRA_DATA:
		send_record(p, T13_CT_APPLICATION_DATA, server_data, sizeof(server_data));
		break;
	case EXTRA_KEY_UPDATE:
		send_record(p, T13_CT_HANDSHAKE, key_update, sizeof(key_update));
		break;
	case EXTRA_TWO_TICKETS:
		n = crafted_tickets(msgs, sizeof(msgs));
		if (n)
			send_record(p, T13_CT_HANDSHAKE, msgs, n);
		break;
	case EXTRA_NO_TYPE:
		/* Type 0 and no padding: the inner plaintext is one zero byte. */
		send_record(p, 0, NULL, 0);
		break;
	}
}

/*
 * The end of one step: on success the keys (and, for the client, its first
 * application record, sent at once as kTLS may); on failure the alert, as
 * handshake.c's fail() sends it, and the shutdown.
 */
static void finish_peer(struct peer *p)
{
	struct t13_error *e = &p->conn.error;

	p->done = 1;
	if (e->status) {
		if (e->alert >= 0 && t13_tx_alert(&p->conn, e->alert) == 0)
			p->alert_sent = e->alert;
		shutdown(p->conn.fd, SHUT_RDWR);
		return;
	}
	if (p->side == SERVER) {
		/* TLS 1.3 here: only TLS 1.2's key block can fail. */
		t13_server_keys(&p->server, &p->keys);
		send_extra(p);
		return;
	}
	t13_client_keys(&p->client, &p->keys);
	send_record(p, T13_CT_APPLICATION_DATA, app_data, sizeof(app_data));
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

/*
 * Where the ServerHello's cipher_suite sits in its record's body: the
 * message header (4), legacy_version (2), random (32), and the session id
 * our client sends (32 random bytes, D.4), echoed with its length byte.
 */
#define SERVER_HELLO_SUITE_AT	(4 + 2 + T13_RANDOM_LEN + 1 + T13_MAX_SESSION_ID)

/* In the first handshake record (the ServerHello), the suite becomes l->new_suite. */
static void swap_suite(struct lane *l, uint8_t *byte)
{
	if (!l->new_suite || l->suite_swapped || l->head[0] != T13_CT_HANDSHAKE)
		return;
	if (l->body_off == SERVER_HELLO_SUITE_AT) {
		*byte = (uint8_t)(l->new_suite >> 8);
	} else if (l->body_off == SERVER_HELLO_SUITE_AT + 1) {
		*byte = (uint8_t)l->new_suite;
		l->suite_swapped = 1;
	}
}

/* A record's last byte went by: count it by its type. */
static void record_end(struct lane *l)
{
	l->head_have = 0;
	if (l->head[0] == T13_CT_HANDSHAKE)
		l->handshake_records++;
	else if (l->head[0] == T13_CT_CHANGE_CIPHER_SPEC)
		l->ccs_records++;
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
			record_end(l);
		return;
	}
	if (l->head[0] == T13_CT_APPLICATION_DATA && l->protected_index == l->flip_record &&
	    l->body_off == l->flip_offset) {
		*byte ^= 0x01;
		l->flipped = 1;
	}
	swap_suite(l, byte);
	l->body_off++;
	if (--l->body_left == 0)
		record_end(l);
}

/*
 * How many bytes to read: while records wait to be slipped in, no more
 * than the current record's header or body holds, so that the first
 * handshake record ends at the end of the buffer, where they go.
 */
static size_t lane_want(const struct lane *l, size_t chunk)
{
	size_t left;

	if (!l->inject_left)
		return chunk;
	left = l->head_have < T13_RECORD_HEADER ? T13_RECORD_HEADER - l->head_have : l->body_left;
	return left < chunk ? left : chunk;
}

/*
 * Once the first handshake record has gone by whole, the test's records
 * fill the buffer, as if the sender had sent them next. Returns 1 if they
 * did (the receiver's engine meets them before anything after that record).
 */
static int inject_records(struct lane *l)
{
	if (!l->inject_left || !l->handshake_records || l->head_have)
		return 0;
	l->len = 0;
	for (; l->inject_left && l->len + l->inject_len <= sizeof(l->buf); l->inject_left--) {
		memcpy(l->buf + l->len, l->inject, l->inject_len);
		l->len += l->inject_len;
		l->injected++;
	}
	for (size_t i = 0; i < l->len; i++)
		track(l, &l->buf[i]);
	l->sent = 0;
	return 1;
}

/* Move what one lane may move now: 1 if a byte moved. */
static int move_lane(struct lane *l, size_t chunk)
{
	ssize_t n;
	int moved = 0;

	if (l->sent == l->len && !l->eof && !inject_records(l)) {
		n = recv(l->from, l->buf, lane_want(l, chunk), MSG_DONTWAIT);
		if (n > 0) {
			l->len = (size_t)n;
			l->sent = 0;
			l->total += (size_t)n;
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
	/* Resumption: */
	const struct t13_client_session *resume;	/* the client offers it; NULL: nothing */
	const struct t13_ticket_keys *tickets_from;	/* the server's ticket keys; NULL: fresh */
	int client_waited;		/* the client asked to be woken (t13_client_wake_ms()) */
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
 * client did not list a mode for, and ours issues none), but one that does
 * not wait for them (no keep_tickets): the ticket is then kTLS's to read.
 * The test rewrites the ClientHello the engine queued, before it is sent,
 * and the transcript with it: first the same offer without the extension
 * must give back the engine's bytes exactly.
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
	} else if (hc->wire == WIRE_SUITE_SWAP) {
		r->relay.to_client.new_suite = AES256;
	}
	if (hc->inject) {
		struct lane *l = hc->inject_to == CLIENT ? &r->relay.to_client : &r->relay.to_server;

		l->inject = hc->inject;
		l->inject_len = hc->inject_len;
		l->inject_left = hc->inject_count;
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
	struct t13_client_options opt = { 0 };
	char path[512];

	if (write_conf(hc, path, sizeof(path)) < 0 || config_load(&r->cfg, path) < 0) {
		diag("%s: %s", hc->name, r->cfg.error);
		return -1;
	}
	r->client = new_peer(CLIENT, config_profile(&r->cfg, "client"));
	r->server = new_peer(SERVER, config_profile(&r->cfg, "server"));
	if (!r->client || !r->server || !r->client->profile || !r->server->profile)
		return -1;
	if (r->tickets_from)
		r->tickets = *r->tickets_from;
	else if (hc->tickets &&
		 t13_ticket_keys_init(&r->tickets, t13_now_ms(), r->cfg.ticket_lifetime_ms) < 0)
		return -1;
	if (open_sockets(r) < 0)
		return -1;
	server_prepare(r->server, r->fds[1]);
	r->server->extra = hc->extra;
	opt.resume = r->resume;
	opt.keep_tickets = hc->keep_tickets;
	opt.ticket_wait_ms = hc->ticket_wait_ms;
	if (client_start(r->client, r->fds[0], hc->sni, &opt) < 0) {
		diag("%s: the client does not start: %s", hc->name, r->client->conn.error.what);
		return -1;
	}
	if (hc->invite_tickets && invite_tickets(r->client, hc->name) < 0)
		return -1;
	return 0;
}

/*
 * The client waits for tickets and nothing else can move: wait for its
 * socket (an event, not a sleep) until the time it asked to be woken at.
 */
static void wait_for_client(struct run *r)
{
	uint64_t wake = t13_client_wake_ms(&r->client->client), now = t13_now_ms();
	struct pollfd pfd = { .fd = r->client->conn.fd, .events = POLLIN };

	if (r->client->done || !wake)
		return;
	r->client_waited = 1;
	if (wake > now)
		poll(&pfd, 1, (int)(wake - now));
}

/* Both engines in turn (and the relay) until both are done and nothing moves. */
static int pump(struct run *r)
{
	struct t13_ticket_keys *tickets = r->hc->tickets ? &r->tickets : NULL;
	int moved = 0;

	for (r->rounds = 1; r->rounds <= MAX_ROUNDS; r->rounds++) {
		step(r->client, tickets);
		if (!r->client->done && t13_client_wake_ms(&r->client->client))
			r->client_waited = 1;
		step(r->server, tickets);
		if (r->hc->wire != WIRE_DIRECT) {
			moved = move_lane(&r->relay.to_server, r->relay.chunk);
			moved |= move_lane(&r->relay.to_client, r->relay.chunk);
		}
		if (r->client->done && r->server->done && !moved)
			return 0;
		if (r->server->done && !moved)
			wait_for_client(r);
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

/*
 * As read_left_record(), but what t13_aead_open() returned: 0, or its
 * negated alert (-T13_ALERT_BAD_RECORD_MAC: not at this seq, or not under
 * these keys); -T13_ALERT_DECODE_ERROR if there is not exactly one record.
 */
static int open_left_record(const struct peer *p, uint8_t *rec, size_t cap)
{
	struct t13_aead a;
	ssize_t n = recv(p->conn.fd, rec, cap, MSG_DONTWAIT);
	uint8_t type;
	size_t len;
	int rc;

	if (n < T13_RECORD_HEADER || (size_t)n != (size_t)T13_RECORD_HEADER + t13_get16(rec + 3))
		return -T13_ALERT_DECODE_ERROR;
	if (t13_aead_init(&a, p->keys.suite, p->keys.rx.key, p->keys.rx.iv) < 0)
		return -T13_ALERT_INTERNAL_ERROR;
	a.seq = p->keys.rx.seq;
	rc = t13_aead_open(&a, rec, (size_t)n, &type, &len);
	t13_aead_wipe(&a);
	return rc;
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
	const char *subject = hc->server_subject ? hc->server_subject : "localhost";
	const char *san = hc->server_san ? hc->server_san : "localhost";

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
	ok(c->resumed == hc->resumed && s->resumed == hc->resumed, "%s: %s (client %d, server %d)",
	   hc->name, hc->resumed ? "resumed, both sides" : "a full handshake", c->resumed, s->resumed);
	ok(c->peer_verified && !strcmp(c->peer_subject, subject) && !strcmp(c->peer_san, san),
	   "%s: the client reports the server '%s' '%s'%s", hc->name, c->peer_subject, c->peer_san,
	   hc->resumed ? " (the session's)" : ", verified");
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

/*
 * The server's ticket the client kept, @n (its lifetime @lifetime): the
 * ticket opens under the server's ticket keys, and holds the PSK, age_add
 * and lifetime the client kept with it; the server's identity is the
 * connection's.
 */
static void check_kept_ticket(const struct run *r, const struct t13_client_session *n,
			      uint32_t lifetime)
{
	const struct hs_case *hc = r->hc;
	const struct t13_outcome *o = &r->client->client.outcome;
	struct t13_session sess;

	if (!ok(t13_ticket_open(&r->tickets, n->ticket, n->ticket_len, t13_now_ms(), &sess) == 0,
		"%s: the ticket kept is the server's: it opens under its ticket keys", hc->name))
		return;
	ok(n->suite == hc->suite && sess.suite == hc->suite && n->psk_len == sess.psk_len &&
	   n->psk_len == t13_hash_len(t13_suite_hash(hc->suite)) &&
	   !memcmp(n->psk, sess.psk, n->psk_len),
	   "%s: the PSK kept is the one the server sealed in it (§4.6.1), for suite 0x%04x", hc->name,
	   n->suite);
	ok(n->age_add == sess.age_add && lifetime == sess.lifetime_s && lifetime > 0,
	   "%s: age_add and lifetime (%u s) kept as the server sent them", hc->name, lifetime);
	ok(n->peer_verified == o->peer_verified && !strcmp(n->peer_subject, o->peer_subject) &&
	   !strcmp(n->peer_san, o->peer_san),
	   "%s: the session keeps the server's identity of this connection ('%s')", hc->name,
	   n->peer_subject);
	explicit_bzero(&sess, sizeof(sess));
}

/* The test's two tickets in one record: the first kept (two at most are), the second not. */
static void check_crafted(const struct run *r)
{
	const struct t13_client *cl = &r->client->client;
	const struct t13_client_session *n = &cl->new_sessions[1];
	uint8_t psk[T13_MAX_HASH];
	size_t len = strlen(crafted[0].ticket);

	t13_resumption_psk(cl->hash, cl->schedule.resumption, &crafted[0].nonce, 1, psk);
	ok(n->ticket_len == len && !memcmp(n->ticket, crafted[0].ticket, len) &&
	   n->age_add == crafted[0].age_add && cl->new_lifetimes[1] == crafted[0].lifetime &&
	   n->psk_len == cl->hash_len && !memcmp(n->psk, psk, cl->hash_len),
	   "%s: the second session kept is the record's first ticket, its PSK from its nonce",
	   r->hc->name);
	explicit_bzero(psk, sizeof(psk));
}

/*
 * After its Finished the client took the records holding tickets only:
 * as many as its kTLS rx seq says, the sessions in them kept; its wait
 * ended by the clock only when nothing came.
 */
static void check_kept(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_client *cl = &r->client->client;
	int by_clock = hc->extra == EXTRA_NONE && !hc->sessions_kept && !hc->ticket_left;

	ok(r->client->keys.rx.seq == (uint64_t)hc->tickets_taken,
	   "%s: the client's kTLS rx seq is %d, the ticket records it took (got %llu)", hc->name,
	   hc->tickets_taken, (unsigned long long)r->client->keys.rx.seq);
	ok(cl->new_session_count == (size_t)hc->sessions_kept,
	   "%s: the client kept %d session(s), got %zu", hc->name, hc->sessions_kept,
	   cl->new_session_count);
	ok(r->client_waited && (by_clock ? t13_now_ms() >= cl->tickets_until_ms :
				t13_now_ms() < cl->tickets_until_ms),
	   "%s: the client waited for tickets; its wait ended %s", hc->name,
	   by_clock ? "by the clock (nothing came)" : "when a record came, not by the clock");
	if (hc->sessions_kept >= 1 && cl->new_session_count >= 1)
		check_kept_ticket(r, &cl->new_sessions[0], cl->new_lifetimes[0]);
	if (hc->extra == EXTRA_TWO_TICKETS && cl->new_session_count == 2)
		check_crafted(r);
}

/* What the client left in its socket is the server's record after its tickets, for kTLS. */
static void check_left(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	uint8_t rec[512], type = 0;
	const uint8_t *content;
	ssize_t n;

	switch (hc->extra) {
	case EXTRA_NONE:
	case EXTRA_TWO_TICKETS:
		ok(env_socket_empty(r->client->conn.fd), "%s: nothing left in the client's socket",
		   hc->name);
		return;
	case EXTRA_DATA:
		n = read_left_record(r->client, rec, sizeof(rec), &type, &content);
		ok(n == (ssize_t)sizeof(server_data) && type == T13_CT_APPLICATION_DATA &&
		   !memcmp(content, server_data, sizeof(server_data)),
		   "%s: the server's application data waits in the client's socket, whole, and opens "
		   "under its kTLS rx keys at the seq reported", hc->name);
		return;
	case EXTRA_KEY_UPDATE:
		n = read_left_record(r->client, rec, sizeof(rec), &type, &content);
		ok(n == (ssize_t)sizeof(key_update) && type == T13_CT_HANDSHAKE &&
		   !memcmp(content, key_update, sizeof(key_update)),
		   "%s: the KeyUpdate (no ticket) waits in the client's socket for kTLS, at the seq "
		   "reported", hc->name);
		return;
	case EXTRA_NO_TYPE:
		ok(open_left_record(r->client, rec, sizeof(rec)) == -T13_ALERT_UNEXPECTED_MESSAGE,
		   "%s: the record with no content type waits for kTLS, authenticating at the seq "
		   "reported (§5.4: kTLS then refuses it)", hc->name);
		return;
	}
}

static void check_success(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	int ticket = hc->tickets && hc->invite_tickets;
	int left = (hc->extra != EXTRA_NONE && hc->extra != EXTRA_TWO_TICKETS) || ticket ||
		   hc->ticket_left;

	if (!ok(!r->client->conn.error.status && !r->server->conn.error.status,
		"%s: both ends succeed", hc->name)) {
		show_errors(r);
		return;
	}
	check_outcomes(r);
	check_keys(r, (uint64_t)left);
	check_exact_read(r);
	if (hc->keep_tickets) {
		check_kept(r);
		if (hc->ticket_left)
			check_ticket(r);
		else
			check_left(r);
	} else if (ticket) {
		check_ticket(r);
	} else {
		ok(env_socket_empty(r->client->conn.fd),
		   "%s: the server sent nothing after its Finished%s", hc->name,
		   hc->tickets ? " (no ticket: the client listed no psk_key_exchange_modes)" : "");
	}
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

/*
 * The client stopped on the alert the test slipped in: it sends none back
 * (§6: the connection is over), and the server sees the connection end
 * while it waits for the client's Finished.
 */
static void check_test_alert(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_error *c = &r->client->conn.error, *s = &r->server->conn.error;

	if (!ok(c->status == hc->status && c->alert_received == hc->alert && c->alert == -1 &&
		c->tls_error == BR_ERR_RECV_FATAL_ALERT + hc->alert,
		"%s: the client fails (status %d, alert_received %d), want status %d, alert_received %d",
		hc->name, c->status, c->alert_received, hc->status, hc->alert))
		show_errors(r);
	ok(r->client->alert_sent == -1, "%s: the client sends no alert back (sent %d)", hc->name,
	   r->client->alert_sent);
	if (!ok(s->status == ECONNABORTED && s->alert_received == -1 && s->alert == -1,
		"%s: the server sees the connection closed (status %d), no alert either way",
		hc->name, s->status))
		show_errors(r);
}

/* The records the test slipped in all went, and the side they went to met as many as said. */
static void check_injected(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct lane *l = hc->inject_to == CLIENT ? &r->relay.to_client : &r->relay.to_server;
	const struct peer *to = hc->inject_to == CLIENT ? r->client : r->server;
	const char *who = hc->inject_to == CLIENT ? "client" : "server";

	ok(l->injected == hc->inject_count && !l->inject_left,
	   "%s: the test slipped %d record(s) in to the %s, after the first handshake record",
	   hc->name, l->injected, who);
	if (!hc->ccs_seen)
		return;
	ok(l->ccs_records == hc->ccs_seen,
	   "%s: the %s got %d ChangeCipherSpec records in all, its peer's own included (want %d)",
	   hc->name, who, l->ccs_records, hc->ccs_seen);
	if (hc->fails == hc->inject_to)
		ok(to->conn.error.tls_error == BR_ERR_BAD_CCS,
		   "%s: the %s stopped on a ChangeCipherSpec (tls_error %d, want BR_ERR_BAD_CCS)",
		   hc->name, who, to->conn.error.tls_error);
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

static void run_init(struct run *r, const struct hs_case *hc)
{
	memset(r, 0, sizeof(*r));
	r->hc = hc;
	for (size_t i = 0; i < 4; i++)
		r->fds[i] = -1;
}

/* Set up, pump and check the handshake of r->hc. Returns 0, or -1 if it did not get to its end. */
static int run_checked(struct run *r)
{
	const struct hs_case *hc = r->hc;
	int pumped;

	if (!ok(setup(r) == 0, "%s: profiles load, both ends start", hc->name))
		return -1;
	pumped = pump(r);
	if (!ok(pumped == 0, "%s: both engines are done (%d rounds)", hc->name, r->rounds)) {
		show_errors(r);
		return -1;
	}
	if (hc->wire == WIRE_FLIP_SERVER || hc->wire == WIRE_FLIP_FINISHED)
		ok(r->relay.to_client.flipped || r->relay.to_server.flipped,
		   "%s: the bit was flipped in transit", hc->name);
	if (hc->wire == WIRE_SUITE_SWAP)
		ok(r->relay.to_client.suite_swapped,
		   "%s: the ServerHello's suite was rewritten in transit", hc->name);
	if (hc->inject)
		check_injected(r);
	if (hc->fails == NOBODY)
		check_success(r);
	else if (hc->alert_from_test)
		check_test_alert(r);
	else
		check_failure(r);
	return 0;
}

static void run_case(const struct hs_case *hc)
{
	struct run r;

	run_init(&r, hc);
	run_checked(&r);
	teardown(&r);
}

/*
 * Resumption (§2.2): a first handshake whose ticket our client keeps, put
 * into a store as handshake.c's keep_sessions() puts it and taken out as
 * its client_resumption() takes it; then a second handshake offering that
 * session, to a server holding the same ticket keys.
 */
enum tamper {
	TAMPER_NONE,
	TAMPER_PSK,		/* a byte of the kept PSK flipped: the binder is wrong */
	TAMPER_TICKET,		/* a byte of the ticket flipped: the server cannot open it */
};

struct resume_case {
	struct hs_case first, second;
	enum tamper tamper;
	int offered;		/* the second's last ClientHello offers the session */
	int fewer_bytes;	/* (both relayed) resuming, the server sends its chain's bytes fewer */
};

/* The client's new sessions into a store, as the daemon keeps them; the newest back out into @sess. */
static int keep_and_take(const struct run *r, struct t13_client_session *sess)
{
	const struct t13_client *cl = &r->client->client;
	const char *profile = r->client->profile->name, *sni = r->hc->sni;
	struct t13_sessions *store = malloc(sizeof(*store));
	uint64_t now = t13_now_ms();
	int got;

	if (!store)
		return 0;
	t13_sessions_init(store, r->cfg.ticket_lifetime_ms);
	for (size_t i = 0; i < cl->new_session_count; i++)
		t13_sessions_put(store, profile, sni, &cl->new_sessions[i], cl->new_lifetimes[i], now);
	got = t13_sessions_take(store, profile, sni, now, sess);
	t13_sessions_wipe(store);
	free(store);
	return got;
}

/* The session as the second handshake offers it: tampered with, its identity changed. */
static void prepare_offer(const struct resume_case *rc, struct t13_client_session *sess)
{
	const struct hs_case *hc = &rc->second;

	if (rc->tamper == TAMPER_PSK)
		sess->psk[0] ^= 0x01;
	/* The ticket's first byte of ciphertext, after its key name and nonce (ticket.h). */
	if (rc->tamper == TAMPER_TICKET)
		sess->ticket[T13_TICKET_NAME_LEN + T13_TICKET_NONCE_LEN] ^= 0x01;
	if (hc->server_subject)
		snprintf(sess->peer_subject, sizeof(sess->peer_subject), "%s", hc->server_subject);
	if (hc->server_san)
		snprintf(sess->peer_san, sizeof(sess->peer_san), "%s", hc->server_san);
}

/* The bytes of @prof's certificate chain. */
static size_t chain_bytes(const struct profile *prof)
{
	size_t n = 0;

	for (size_t i = 0; i < prof->creds.chain_len; i++)
		n += prof->creds.chain[i].data_len;
	return n;
}

/* What the second handshake's client offered, and what the resumed one did without. */
static void check_offer(const struct resume_case *rc, const struct run *first, const struct run *again)
{
	const struct t13_client *cl = &again->client->client;
	const char *name = rc->second.name;
	size_t chain = chain_bytes(again->server->profile);
	int psk_ext = (cl->offered & t13_ext_bit(T13_EXT_PRE_SHARED_KEY)) != 0;

	ok(cl->psk_offered == rc->offered && psk_ext == rc->offered,
	   "%s: the last ClientHello %s the session (pre_shared_key %s)", name,
	   rc->offered ? "offers" : "does not offer", psk_ext ? "sent" : "not sent");
	if (rc->second.resumed && rc->second.fails == NOBODY)
		ok(cl->server_key == NULL && !cl->cert_requested,
		   "%s: resumed, the client got no Certificate, no CertificateRequest (§4.3.2)", name);
	if (rc->fewer_bytes)
		ok(again->relay.to_client.total + chain <= first->relay.to_client.total,
		   "%s: the server sent %zu bytes resuming, %zu in full: no Certificate "
		   "(a %zu-byte chain)", name, again->relay.to_client.total,
		   first->relay.to_client.total, chain);
}

static void run_resume(const struct resume_case *rc)
{
	struct run first, again;
	struct t13_client_session sess;

	memset(&sess, 0, sizeof(sess));
	run_init(&first, &rc->first);
	run_init(&again, &rc->second);
	if (run_checked(&first) < 0)
		goto out;
	if (!ok(keep_and_take(&first, &sess), "%s: the session kept comes back out of the store",
		rc->second.name))
		goto out;
	prepare_offer(rc, &sess);
	again.resume = &sess;
	again.tickets_from = &first.tickets;
	if (run_checked(&again) == 0)
		check_offer(rc, &first, &again);
out:
	explicit_bzero(&sess, sizeof(sess));
	teardown(&first);
	teardown(&again);
}

/*
 * The successes. Schemes, RFC 8446 §4.2.3: a P-256 key signs with
 * ecdsa_secp256r1_sha256; an RSA key with rsa_pss_rsae_* only, and the
 * server takes sha256 first (sig.h's documented order).
 */
#define OK(...) { .sni = "localhost", .fails = NOBODY, __VA_ARGS__ }
#define ECDSA	T13_SIG_ECDSA_SECP256R1_SHA256
#define PSS	T13_SIG_RSA_PSS_RSAE_SHA256
/* A client keeping tickets (a long wait unless said); the server has ticket keys. */
#define KEEP(...) OK(.tickets = 1, .keep_tickets = 1, .group = X25519, .server_scheme = ECDSA,	\
		     .ticket_wait_ms = LONG_WAIT_MS, __VA_ARGS__)

/* RFC 8446 §5: a dummy ChangeCipherSpec, the single byte 0x01, in the clear: 14 03 03 00 01 01. */
static const uint8_t dummy_ccs[] = { T13_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1 };
/* RFC 6066 §3: unrecognized_name (112) at warning level (1) in the clear: 15 03 03 00 02 01 70 */
static const uint8_t warning_unrecognized_name[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 1, T13_ALERT_UNRECOGNIZED_NAME
};

/* The test's dummy ChangeCipherSpec records to @to: @total in all, with the peer's own (D.4). */
#define CCS_TO(to, total)							\
	.wire = WIRE_RELAY, .inject = dummy_ccs, .inject_len = sizeof(dummy_ccs),	\
	.inject_to = (to), .inject_count = (total) - 1, .ccs_seen = (total)
#define STR(x)	#x
#define XSTR(x)	STR(x)

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
	/*
	 * §5: a dummy ChangeCipherSpec that comes before the peer's Finished
	 * is dropped. conn.h drops T13_MAX_DROPPED_RECORDS of them at most,
	 * the peer's own (D.4) among them: the test slips in the rest right
	 * after the first handshake record. One more ends the handshake with
	 * unexpected_message (§5: any other ChangeCipherSpec is one).
	 */
	OK(.name = XSTR(T13_MAX_DROPPED_RECORDS) " dummy ChangeCipherSpec records to the client: dropped",
	   .server = SERVER_EC, .client = "", CCS_TO(CLIENT, T13_MAX_DROPPED_RECORDS),
	   .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	{ .name = XSTR(T13_MAX_DROPPED_RECORDS + 1) " dummy ChangeCipherSpec records to the client: "
	  "the client stops", .server = SERVER_EC, .client = "", .sni = "localhost",
	  CCS_TO(CLIENT, T13_MAX_DROPPED_RECORDS + 1), .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_UNEXPECTED_MESSAGE },
	OK(.name = XSTR(T13_MAX_DROPPED_RECORDS) " dummy ChangeCipherSpec records to the server: dropped",
	   .server = SERVER_EC, .client = "", CCS_TO(SERVER, T13_MAX_DROPPED_RECORDS),
	   .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	{ .name = XSTR(T13_MAX_DROPPED_RECORDS + 1) " dummy ChangeCipherSpec records to the server: "
	  "the server stops", .server = SERVER_EC, .client = "", .sni = "localhost",
	  CCS_TO(SERVER, T13_MAX_DROPPED_RECORDS + 1), .fails = SERVER, .status = EPROTO,
	  .alert = T13_ALERT_UNEXPECTED_MESSAGE, .client_done_first = 1 },
	/*
	 * §6: "Unknown Alert types MUST be treated as error alerts" and the
	 * level is ignored: a TLS 1.2 server's warning (RFC 6066 §3) that TLS
	 * 1.2 lets a client go on after (test_t12_client) ends a 1.3 handshake.
	 */
	{ .name = "TLS 1.3: a warning-level unrecognized_name ends the client's handshake",
	  .server = SERVER_EC, .client = "", .sni = "localhost", .wire = WIRE_RELAY,
	  .inject = warning_unrecognized_name, .inject_len = sizeof(warning_unrecognized_name),
	  .inject_count = 1, .inject_to = CLIENT, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_UNRECOGNIZED_NAME, .alert_from_test = 1 },

	/*
	 * Tickets our client keeps (§4.6.1): after its Finished it takes the
	 * records holding NewSessionTickets only, and leaves anything else,
	 * and all after it, to kTLS, whose rx seq counts the records taken.
	 * No sleeps: a long wait ends when a record comes; a short one by the
	 * clock, the pump waiting on the client's socket (poll) meanwhile.
	 */
	KEEP(.name = "keep: the server's ticket", .server = SERVER_EC, .client = "", .suite = AES128,
	     .tickets_taken = 1, .sessions_kept = 1),
	KEEP(.name = "keep: a ticket under AES-256-GCM-SHA384, mTLS",
	     .server = SERVER_EC ASK_CLIENT "ciphersuites = TLS_AES_256_GCM_SHA384\n",
	     .client = CLIENT_CERT, .suite = AES256, .client_scheme = ECDSA, .client_verified = 1,
	     .tickets_taken = 1, .sessions_kept = 1),
	KEEP(.name = "keep: the server's data after its ticket stays for kTLS", .server = SERVER_EC,
	     .client = "", .suite = AES128, .extra = EXTRA_DATA, .tickets_taken = 1,
	     .sessions_kept = 1),
	KEEP(.name = "keep: the server's data instead of a ticket stays for kTLS",
	     .server = SERVER_EC "session_tickets = no\n", .client = "", .suite = AES128,
	     .extra = EXTRA_DATA),
	KEEP(.name = "keep: a KeyUpdate after the ticket stays for kTLS", .server = SERVER_EC,
	     .client = "", .suite = AES128, .extra = EXTRA_KEY_UPDATE, .tickets_taken = 1,
	     .sessions_kept = 1),
	KEEP(.name = "keep: a record of two tickets is taken", .server = SERVER_EC, .client = "",
	     .suite = AES128, .extra = EXTRA_TWO_TICKETS, .tickets_taken = 2, .sessions_kept = 2),
	KEEP(.name = "keep: a record with no content type after the ticket stays for kTLS",
	     .server = SERVER_EC, .client = "", .suite = AES128, .extra = EXTRA_NO_TYPE,
	     .tickets_taken = 1, .sessions_kept = 1),
	OK(.name = "keep: a server with tickets off, a 1 ms wait",
	   .server = SERVER_EC "session_tickets = no\n", .client = "", .tickets = 1, .keep_tickets = 1,
	   .ticket_wait_ms = 1, .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	/* A record that has not all come is kTLS's (conn.h): the wait ends at its first byte. */
	KEEP(.name = "keep: 1-byte writes: the ticket, arriving in pieces, stays for kTLS",
	     .server = SERVER_EC, .client = "", .suite = AES128, .wire = WIRE_BYTES, .ticket_left = 1),
};

/* A client waiting for tickets, a server that has one to give; the case says the rest. */
#define RESUMABLE(...)								\
	OK(.tickets = 1, .keep_tickets = 1, .ticket_wait_ms = LONG_WAIT_MS, .tickets_taken = 1,	\
	   .sessions_kept = 1, __VA_ARGS__)
/* ... the first handshake of a resumption case. */
#define FIRST(...)								\
	RESUMABLE(.server = SERVER_EC, .client = "", .suite = AES128, .group = X25519,	\
		  .server_scheme = ECDSA, __VA_ARGS__)

static const struct resume_case resume_cases[] = {
	/* The session's identity is made distinct, to tell it from a verification. */
	{ .first = FIRST(.name = "resume: first handshake", .wire = WIRE_RELAY),
	  .second = RESUMABLE(.name = "resume: offered, taken", .server = SERVER_EC, .client = "",
			      .suite = AES128, .group = X25519, .resumed = 1, .wire = WIRE_RELAY,
			      .server_subject = "localhost (kept)", .server_san = "kept.test"),
	  .offered = 1, .fewer_bytes = 1 },
	/* The server's view of the client comes from its ticket; it asks for no certificate. */
	{ .first = RESUMABLE(.name = "resume, mTLS: first handshake", .server = SERVER_EC ASK_CLIENT,
			     .client = CLIENT_CERT, .suite = AES128, .group = X25519,
			     .server_scheme = ECDSA, .client_scheme = ECDSA, .client_verified = 1),
	  .second = RESUMABLE(.name = "resume, mTLS: no certificates either way",
			      .server = SERVER_EC ASK_CLIENT, .client = CLIENT_CERT, .suite = AES128,
			      .group = X25519, .resumed = 1, .client_verified = 1),
	  .offered = 1 },
	/* §4.2.11: a PSK goes with one hash; a client offering none of its suites cannot use it. */
	{ .first = RESUMABLE(.name = "SHA-384 session: first handshake",
			     .server = SERVER_EC "ciphersuites = TLS_AES_256_GCM_SHA384\n", .client = "",
			     .suite = AES256, .group = X25519, .server_scheme = ECDSA),
	  .second = RESUMABLE(.name = "SHA-384 session, client offers SHA-256 suites: not offered",
			      .server = SERVER_EC,
			      .client = "ciphersuites = TLS_AES_128_GCM_SHA256:"
					"TLS_CHACHA20_POLY1305_SHA256\n",
			      .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	  .offered = 0 },
	/* §4.1.2: after a HelloRetryRequest the client may drop PSKs the suite chosen cannot use. */
	{ .first = FIRST(.name = "SHA-256 session: first handshake"),
	  .second = RESUMABLE(.name = "SHA-256 session, HRR for AES-256-GCM-SHA384: dropped",
			      .server = SERVER_EC "groups = P-384\n"
					"ciphersuites = TLS_AES_256_GCM_SHA384\n",
			      .client = "groups = X25519:P-384\n", .suite = AES256, .group = P384,
			      .server_scheme = ECDSA, .hello_retry = 1),
	  .offered = 0 },
	/*
	 * §4.2.11: "Prior to accepting PSK key establishment, the server MUST
	 * validate the corresponding binder value [...] If this value is not
	 * present or does not validate, the server MUST abort the handshake";
	 * §6.2: decrypt_error for a PSK binder that does not validate.
	 */
	{ .first = FIRST(.name = "wrong binder: first handshake"),
	  .second = { .name = "wrong binder: the server aborts with decrypt_error", .server = SERVER_EC,
		      .client = "", .sni = "localhost", .tickets = 1, .keep_tickets = 1,
		      .ticket_wait_ms = LONG_WAIT_MS, .fails = SERVER, .status = EPROTO,
		      .alert = T13_ALERT_DECRYPT_ERROR },
	  .tamper = TAMPER_PSK, .offered = 1 },
	/* §4.2.11: "If no acceptable PSKs are found, the server SHOULD perform a non-PSK
	 * handshake if possible." */
	{ .first = FIRST(.name = "unknown ticket: first handshake"),
	  .second = FIRST(.name = "unknown ticket: a full handshake"),
	  .tamper = TAMPER_TICKET, .offered = 1 },
	/* §4.2.11.2: after a HelloRetryRequest the binder covers ClientHello1 (as a message_hash),
	 * the HRR and the truncated ClientHello2. */
	{ .first = FIRST(.name = "HRR resumption: first handshake"),
	  .second = RESUMABLE(.name = "HRR resumption: the binder over the new transcript",
			      .server = SERVER_EC "groups = P-384\n",
			      .client = "groups = X25519:P-384\n",
			      .suite = AES128, .group = P384, .hello_retry = 1, .resumed = 1),
	  .offered = 1 },
	/*
	 * §4.2.11: "Clients MUST verify [...] that the server selected a cipher
	 * suite indicating a Hash associated with the PSK [...] If these values
	 * are not consistent, the client MUST abort the handshake with an
	 * "illegal_parameter" alert." The ServerHello (in the clear) is altered.
	 */
	{ .first = RESUMABLE(.name = "suite of another hash: first handshake",
			     .server = SERVER_EC "ciphersuites = TLS_AES_128_GCM_SHA256\n", .client = "",
			     .suite = AES128, .group = X25519, .server_scheme = ECDSA),
	  .second = { .name = "suite of another hash: the client aborts with illegal_parameter",
		      .server = SERVER_EC "ciphersuites = TLS_AES_128_GCM_SHA256\n", .client = "",
		      .sni = "localhost", .tickets = 1, .keep_tickets = 1,
		      .ticket_wait_ms = LONG_WAIT_MS, .wire = WIRE_SUITE_SWAP, .fails = CLIENT,
		      .status = EPROTO, .alert = T13_ALERT_ILLEGAL_PARAMETER },
	  .offered = 1 },
};

int main(void)
{
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);
	const size_t nresume = sizeof(resume_cases) / sizeof(resume_cases[0]);
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!mkdtemp(dir) || env_make_pki(dir) < 0) {
		ok(0, "the test PKI is made with openssl");
		return done();
	}
	for (size_t i = 0; i < ncases; i++)
		run_case(&cases[i]);
	for (size_t i = 0; i < nresume; i++)
		run_resume(&resume_cases[i]);
	if (env_remove_dir(dir) < 0)
		diag("could not remove %s", dir);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diag("%zu handshakes in %.2f s", ncases + 2 * nresume,
	     (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return done();
}
