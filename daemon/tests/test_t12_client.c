// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Our client's TLS 1.2 path (tls13/client.c handing over to client12.c)
 * against BearSSL's own TLS 1.2 server engine, in one process. Our client
 * is started from a ktlsd.conf profile as handshake.c's start_client13()
 * starts it (its ClientHello offers TLS 1.3 and 1.2); BearSSL's server is
 * set up from the other profile as handshake.c's setup_server() and
 * start_t12() set it up, held to TLS 1.2.
 *
 * Each of the six suites with a P-256 or an RSA-2048 server, each group,
 * a server that picks a group other than the one our key share was for,
 * client certificates (and none), ALPN; after each success the kTLS keys
 * of both sides must be each other's (the first record each sends after
 * the handshake opens under the other's), and the server's first record
 * must still be in our socket (exact reads). Then what the test, sitting
 * in the middle, alters in transit, with the alert our client sends and
 * the one BearSSL then reports; records cut into 1-byte writes; and
 * alerts the test slips in, in the clear, after the ServerHello or before
 * the server's ChangeCipherSpec: warnings skipped up to the record layer's
 * limit (T13_MAX_DROPPED_RECORDS), close_notify and fatal alerts not.
 *
 * Not covered here: the extended master secret (RFC 7627). BearSSL 0.6
 * does not implement it and never echoes the extension, so these
 * handshakes take the RFC 5246 master secret; the VM tests against OpenSSL
 * cover the extended one.
 *
 * Both engines only send and recv with MSG_DONTWAIT, so one thread pumps
 * both in turn, in a bounded number of rounds, without sleeping.
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
#include "keys.h"
#include "verify.h"
#include "tls13/client.h"
#include "tls13/msg12.h"
#include "tap.h"

/* Enough for two flights cut into 1-byte writes, and a few turns over. */
#define MAX_ROUNDS	100000
#define MAX_ALPN	8
/* RFC 5246 §6.2.3: a protected fragment is at most 2^14 + 2048 bytes. */
#define MAX_FRAGMENT	(T13_MAX_PLAINTEXT + 2048)
/*
 * A byte inside the ciphertext of a protected Finished record: past GCM's
 * 8-byte explicit nonce, before the 12 bytes of verify_data (with its
 * 4-byte header) end, for either AEAD.
 */
#define FINISHED_FLIP_AT	12

/* What each side sends first once its handshake is over, as kTLS would. */
static const char server_data[] = "the server's first application record";
static const char client_data[] = "the client's first application record";

static char dir[] = "/tmp/ktlsd-test-t12-client.XXXXXX";

/* Short names for the TLS 1.2 suites (ktlsd_ktls.h) and the groups. */
#define ECDSA_AES128	KTLSD_SUITE_ECDHE_ECDSA_AES128_GCM_SHA256
#define RSA_AES128	KTLSD_SUITE_ECDHE_RSA_AES128_GCM_SHA256
#define ECDSA_AES256	KTLSD_SUITE_ECDHE_ECDSA_AES256_GCM_SHA384
#define RSA_AES256	KTLSD_SUITE_ECDHE_RSA_AES256_GCM_SHA384
#define RSA_CHACHA	KTLSD_SUITE_ECDHE_RSA_CHACHA20_POLY1305
#define ECDSA_CHACHA	KTLSD_SUITE_ECDHE_ECDSA_CHACHA20_POLY1305
#define X25519		T13_GROUP_X25519
#define P256		T13_GROUP_SECP256R1
#define P384		T13_GROUP_SECP384R1

enum wire {
	WIRE_DIRECT,		/* one socketpair */
	WIRE_RELAY,		/* through the test, whole records (to alter them) */
	WIRE_BYTES,		/* through the test, one byte per round each way */
};

/* What the test alters in transit (WIRE_RELAY). */
enum tamper {
	TAMPER_NONE,
	TAMPER_DOWNGRADE_12,	/* the ServerHello's random ends in "DOWNGRD" 01 */
	TAMPER_DOWNGRADE_11,	/* ... in "DOWNGRD" 00 */
	TAMPER_SERVER_SUITE,	/* the ServerHello names the suite patch */
	TAMPER_CLIENT_SUITE,	/* its TLS_AES_128_GCM_SHA256 becomes the suite patch */
	TAMPER_SKE_GROUP,	/* the ServerKeyExchange names the group patch */
	TAMPER_SKE_SIGNATURE,	/* one bit of the ServerKeyExchange's signature */
	TAMPER_FINISHED_RECORD,	/* one bit of the server's Finished record */
	TAMPER_FINISHED_CONTENT, /* one bit of its verify_data, the record sealed again */
};

enum side { NOBODY, CLIENT, SERVER };

struct hs_case {
	const char *name;
	const char *server, *client;	/* the two profiles' lines */
	enum wire wire;
	enum tamper tamper;
	uint16_t patch;			/* the suite or group the test writes */
	/* On success: */
	uint16_t suite, group;
	uint16_t client_scheme;		/* our CertificateVerify's, 0: none sent */
	const char *alpn;
	int client_verified;		/* BearSSL verified our certificate */
	/* On failure: */
	enum side fails;		/* NOBODY: success */
	/* Our client's error; when BearSSL fails first, the alert we got (-1: none). */
	int status, alert;
	int alert_protected;		/* our alert went out after our ChangeCipherSpec */
	int server_error;		/* BearSSL's last error when it fails first */
	/* Records the test slips in to our client (WIRE_RELAY), right after BearSSL's ServerHello: */
	const uint8_t *inject;		/* one record's bytes; NULL: none */
	size_t inject_len;
	int inject_count;		/* ... so many copies of it */
	int before_ccs;			/* ... before its ChangeCipherSpec instead */
	int alert_from_test;		/* our client stops on the test's alert (.alert), sends none */
	int server_done_first;		/* ... after BearSSL had finished its handshake */
};

/* Our client, set up as handshake.c's start_client13() sets it up. */
struct client {
	const struct profile *profile;
	struct t13_conn conn;
	br_x509_minimal_context minimal;
	struct verifier verifier;
	struct t13_client client;
	const char *alpn[MAX_ALPN];
	char alpn_store[256];
	int done;
	int alert_sent;			/* what t13_tx_alert() sent, -1: nothing */
	int alert_protected;		/* ... under our TLS 1.2 keys */
	int keys_ok;
	struct ktlsd_keys keys;		/* t13_client_keys(), on success */
};

/* BearSSL's TLS 1.2 server, set up as handshake.c's setup_server() and start_t12(). */
struct server {
	const struct profile *profile;
	int fd;
	br_ssl_server_context sc;
	br_x509_minimal_context minimal;
	struct verifier verifier;	/* our chain goes through it, when asked for */
	const char *alpn[MAX_ALPN];
	char alpn_store[256];
	unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
	int handshake_done;		/* its Finished is out: keys taken, first record written */
	int closed;			/* the engine failed, or got an alert */
	int eof;			/* its peer is gone */
	int keys_ok;
	struct ktlsd_keys keys;		/* keys_from_engine(), at the end of its handshake */
};

/*
 * One direction of the relay: whole records are read (at most chunk bytes
 * a round), altered as the case says, then forwarded (chunk bytes a round).
 */
struct lane {
	int from, to;
	size_t chunk;
	enum tamper tamper;
	uint16_t patch;
	const struct ktlsd_keys *server_keys;	/* BearSSL's, once taken: to seal again */
	uint8_t rec[T13_RECORD_HEADER + MAX_FRAGMENT];
	size_t have, sent;
	int whole;			/* rec holds a whole record, being forwarded */
	int ccs_seen;			/* a ChangeCipherSpec went by: records are protected */
	size_t hs_carry;		/* bytes of a handshake message begun in an earlier record */
	int tampered;
	int eof;
	/* The test's records (to our client), slipped in where the case says: */
	const uint8_t *inject;		/* one record's bytes; NULL: none */
	size_t inject_len;
	int inject_left;		/* ... copies still to forward */
	int injected;			/* ... copies forwarded */
	int before_ccs;			/* before its ChangeCipherSpec, not after its ServerHello */
	int inject_now;			/* ... their place has come */
	size_t records;			/* whole records read from the engine */
	int hello_alone;		/* its ServerHello went on in a record of its own */
	int ccs_held;			/* its ChangeCipherSpec was held back for them */
	uint8_t held[T13_RECORD_HEADER + MAX_FRAGMENT];	/* the engine's record held back */
	size_t held_len;
};

struct run {
	const struct hs_case *hc;
	struct config cfg;
	struct client *client;
	struct server *server;
	struct lane to_server, to_client;
	int fds[4];			/* ours, BearSSL's, and the relay's two */
	int rounds;
};

/* ---- Our client ---- */

static int client_start(struct client *c, int fd)
{
	size_t nalpn = env_split_alpn(c->alpn, MAX_ALPN, c->alpn_store, sizeof(c->alpn_store),
				      c->profile->alpn);

	return env_client_start(&c->client, &c->conn, &c->minimal, &c->verifier, c->profile, fd,
				"localhost", c->alpn, nalpn);
}

/* handshake.c's step13(): on failure the alert, then the shutdown; on success the keys. */
static void client_step(struct client *c)
{
	struct t13_error *e = &c->conn.error;

	if (c->done || t13_client_step(&c->client) != T13_DONE)
		return;
	c->done = 1;
	if (e->status) {
		c->alert_protected = c->conn.tx.keyed;
		if (e->alert >= 0 && t13_tx_alert(&c->conn, e->alert) == 0)
			c->alert_sent = e->alert;
		shutdown(c->conn.fd, SHUT_RDWR);
		return;
	}
	c->keys_ok = t13_client_keys(&c->client, &c->keys) == 0;
}

/* ---- BearSSL's server ---- */

/* handshake.c's pick_suites() for the server role: the suites its key can sign. */
static size_t server_suites(const struct profile *p, uint16_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < p->suite_count; i++)
		if (ktlsd_suite_by_id(p->suites[i])->ecdsa == (p->creds.key_type == BR_KEYTYPE_EC))
			out[n++] = p->suites[i];
	return n;
}

/* Client certificates asked for (trust anchor names, a verifier), as setup_server() does. */
static void server_ask_client(struct server *s, uint32_t *flags)
{
	const struct profile *p = s->profile;
	br_ssl_engine_context *eng = &s->sc.eng;

	br_x509_minimal_init_full(&s->minimal, p->creds.anchors, p->creds.anchor_count);
	br_ssl_server_set_trust_anchor_names_alt(&s->sc, p->creds.anchors, p->creds.anchor_count);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_default_ecdsa(eng);
	verifier_init(&s->verifier, &s->minimal, p->policy.client_auth);
	br_ssl_engine_set_x509(eng, &s->verifier.vtable);
	if (p->policy.client_auth == VERIFY_OPTIONAL)
		*flags |= BR_OPT_TOLERATE_NO_CLIENT_AUTH;
}

static int server_start(struct server *s, int fd)
{
	const struct profile *p = s->profile;
	const struct creds *c = &p->creds;
	br_ssl_engine_context *eng = &s->sc.eng;
	uint32_t flags = BR_OPT_NO_RENEGOTIATION | BR_OPT_ENFORCE_SERVER_PREFERENCES;
	uint16_t suites[CONFIG_MAX_SUITES];
	uint8_t seed[32];
	size_t nsuites, nalpn;

	s->fd = fd;
	if (c->key_type == BR_KEYTYPE_EC)
		br_ssl_server_init_full_ec(&s->sc, c->chain, c->chain_len, BR_KEYTYPE_EC, &c->ec_key);
	else
		br_ssl_server_init_full_rsa(&s->sc, c->chain, c->chain_len, &c->rsa_key);
	if (p->policy.client_auth != VERIFY_NONE)
		server_ask_client(s, &flags);
	nsuites = server_suites(p, suites);
	if (!nsuites)
		return -1;
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, nsuites);
	nalpn = env_split_alpn(s->alpn, MAX_ALPN, s->alpn_store, sizeof(s->alpn_store), p->alpn);
	if (nalpn) {
		br_ssl_engine_set_protocol_names(eng, s->alpn, nalpn);
		flags |= BR_OPT_FAIL_ON_ALPN_MISMATCH;
	}
	br_ssl_engine_set_all_flags(eng, flags);
	br_ssl_engine_set_buffer(eng, s->iobuf, sizeof(s->iobuf), 0);
	env_fill_seed(seed);
	br_ssl_engine_inject_entropy(eng, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	return br_ssl_server_reset(&s->sc) ? 0 : -1;
}

/*
 * Its handshake is over: its keys as handshake.c's finish() takes them
 * (before anything else is sent under them: seq 1, after its Finished),
 * then its first application record, as an application would send it.
 */
static void server_handshake_done(struct server *s)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	const char *why = NULL;
	unsigned char *buf;
	size_t len;

	s->handshake_done = 1;
	s->keys_ok = keys_from_engine(&s->keys, eng, KTLSD_ROLE_SERVER, &why) == 0;
	if (!s->keys_ok)
		diag("BearSSL's keys: %s", why);
	buf = br_ssl_engine_sendapp_buf(eng, &len);
	if (buf && len >= sizeof(server_data)) {
		memcpy(buf, server_data, sizeof(server_data));
		br_ssl_engine_sendapp_ack(eng, sizeof(server_data));
		br_ssl_engine_flush(eng, 0);
	}
}

/* 1 if the socket failed for good (not just "not now"): the peer is gone. */
static int gone(ssize_t n)
{
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* handshake.c's step12(), and past the handshake: it goes on reading (an alert, a record). */
static void server_step(struct server *s)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	unsigned char *buf;
	size_t len;
	ssize_t n;

	while (!s->closed) {
		unsigned state = br_ssl_engine_current_state(eng);

		if (state & BR_SSL_CLOSED) {
			s->closed = 1;
			shutdown(s->fd, SHUT_RDWR);
			return;
		}
		if (state & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			n = send(s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			s->eof |= n < 0 && gone(n);
			if (n <= 0)
				return;
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
			continue;
		}
		if ((state & BR_SSL_SENDAPP) && !s->handshake_done) {
			server_handshake_done(s);
			continue;
		}
		if (!(state & BR_SSL_RECVREC) || s->eof)
			return;
		buf = br_ssl_engine_recvrec_buf(eng, &len);
		n = recv(s->fd, buf, len, MSG_DONTWAIT);
		s->eof |= gone(n);
		if (n <= 0)
			return;
		br_ssl_engine_recvrec_ack(eng, (size_t)n);
	}
}

/* It has nothing left to do in the handshake: it is over, or it failed. */
static int server_done(const struct server *s)
{
	return s->handshake_done || s->closed || s->eof;
}

/* ---- The relay ---- */

/* Replace @from by @to in the ClientHello's cipher suites (@body: the message's body). */
static int patch_client_hello(uint8_t *body, size_t len, uint16_t from, uint16_t to)
{
	size_t at = 2 + T13_RANDOM_LEN, suites_len;

	if (at + 1 > len)
		return 0;
	at += 1 + body[at];
	if (at + 2 > len)
		return 0;
	suites_len = t13_get16(body + at);
	at += 2;
	for (size_t i = 0; i + 1 < suites_len && at + i + 2 <= len; i += 2) {
		if (t13_get16(body + at + i) == from) {
			t13_put16(body + at + i, to);
			return 1;
		}
	}
	return 0;
}

/* The suite field of a ServerHello's body: after version, random and session id. */
static int patch_server_hello_suite(uint8_t *body, size_t len, uint16_t suite)
{
	size_t at = 2 + T13_RANDOM_LEN;

	if (at + 1 > len || at + 1 + body[at] + 2 > len)
		return 0;
	t13_put16(body + at + 1 + body[at], suite);
	return 1;
}

/* Alter one handshake message in the clear, as the lane's case says. */
static void tamper_message(struct lane *l, uint8_t type, uint8_t *body, size_t len)
{
	/* RFC 8446 §4.1.3: what a TLS 1.3 server pushed down to 1.2 (01), or below (00), writes. */
	static const uint8_t downgrade[8] = { 'D', 'O', 'W', 'N', 'G', 'R', 'D', 0x01 };
	uint8_t *tail = body + 2 + T13_RANDOM_LEN - sizeof(downgrade);

	switch (l->tamper) {
	case TAMPER_DOWNGRADE_12:
	case TAMPER_DOWNGRADE_11:
		if (type == T13_HS_SERVER_HELLO && len >= 2 + T13_RANDOM_LEN) {
			memcpy(tail, downgrade, sizeof(downgrade));
			tail[7] = l->tamper == TAMPER_DOWNGRADE_12 ? 0x01 : 0x00;
			l->tampered = 1;
		}
		break;
	case TAMPER_SKE_GROUP:
		/* ServerECDHParams: curve_type named_curve (3), then the group (RFC 8422 §5.4). */
		if (type == T12_HS_SERVER_KEY_EXCHANGE && len >= 3 && body[0] == T12_CURVE_TYPE_NAMED) {
			t13_put16(body + 1, l->patch);
			l->tampered = 1;
		}
		break;
	case TAMPER_SKE_SIGNATURE:
		/* The signature ends the message (RFC 8422 §5.4). */
		if (type == T12_HS_SERVER_KEY_EXCHANGE && len > 0) {
			body[len - 1] ^= 0x01;
			l->tampered = 1;
		}
		break;
	case TAMPER_SERVER_SUITE:
		if (type == T13_HS_SERVER_HELLO)
			l->tampered |= patch_server_hello_suite(body, len, l->patch);
		break;
	case TAMPER_CLIENT_SUITE:
		if (type == T13_HS_CLIENT_HELLO)
			l->tampered |= patch_client_hello(body, len, T13_AES_128_GCM_SHA256,
							  l->patch);
		break;
	default:
		break;
	}
}

/*
 * The server's Finished record opened under the server's write key (from
 * BearSSL, taken right after that record: seq 1), one bit of its
 * verify_data flipped, sealed again: it authenticates, its content is
 * wrong. 1 if done.
 */
static int reseal_finished(struct lane *l)
{
	const struct ktlsd_keys *k = l->server_keys;
	uint8_t plain[4 + T12_FINISHED_LEN];
	struct t13_aead a;
	size_t off = 0, len = 0;
	int done = 0;

	if (!k->suite || k->tx.seq != 1 || t13_aead_init12(&a, k->suite, k->tx.key, k->tx.iv) < 0)
		return 0;
	a.seq = 0;
	if (t13_aead_open12(&a, l->rec, l->have, &off, &len) == 0 && len == sizeof(plain)) {
		memcpy(plain, l->rec + off, len);
		plain[4] ^= 0x01;
		a.seq = 0;
		done = t13_aead_seal12(&a, T13_CT_HANDSHAKE, plain, len, l->rec) == l->have;
	}
	t13_aead_wipe(&a);
	explicit_bzero(plain, sizeof(plain));
	return done;
}

/* A whole record went through: follow its handshake messages, alter what the case says. */
static void tamper_record(struct lane *l)
{
	uint8_t *body = l->rec + T13_RECORD_HEADER;
	size_t len = l->have - T13_RECORD_HEADER, off;

	if (l->rec[0] == T13_CT_CHANGE_CIPHER_SPEC) {
		l->ccs_seen = 1;
		return;
	}
	if (l->rec[0] != T13_CT_HANDSHAKE)
		return;
	if (l->ccs_seen) {
		/* The first handshake record after the ChangeCipherSpec is the Finished. */
		if (l->tampered)
			return;
		if (l->tamper == TAMPER_FINISHED_RECORD && len > FINISHED_FLIP_AT) {
			body[FINISHED_FLIP_AT] ^= 0x01;
			l->tampered = 1;
		} else if (l->tamper == TAMPER_FINISHED_CONTENT) {
			l->tampered = reseal_finished(l);
		}
		return;
	}
	off = l->hs_carry < len ? l->hs_carry : len;
	l->hs_carry -= off;
	while (off + 4 <= len) {
		size_t msg_len = t13_get24(body + off + 1);

		if (msg_len > len - off - 4) {
			l->hs_carry = msg_len - (len - off - 4);
			return;
		}
		tamper_message(l, body[off], body + off + 4, msg_len);
		off += 4 + msg_len;
	}
}

/* Bytes still to read of the current record: its header first, then its body. */
static size_t record_missing(struct lane *l)
{
	size_t body;

	if (l->have < T13_RECORD_HEADER)
		return T13_RECORD_HEADER - l->have;
	body = t13_get16(l->rec + 3);
	if (body > MAX_FRAGMENT) {
		/* Nothing we test sends this: stop relaying, both ends will see the end. */
		l->eof = 1;
		shutdown(l->to, SHUT_WR);
		return 0;
	}
	return T13_RECORD_HEADER + body - l->have;
}

/* The next record to forward: the test's while their place lasts, then the one held back. */
static void forward_next(struct lane *l)
{
	if (l->inject_left && l->inject_now && l->inject_len <= sizeof(l->rec)) {
		memcpy(l->rec, l->inject, l->inject_len);
		l->have = l->inject_len;
		l->inject_left--;
		l->injected++;
	} else if (l->held_len) {
		memcpy(l->rec, l->held, l->held_len);
		l->have = l->held_len;
		l->held_len = 0;
	} else {
		return;
	}
	l->sent = 0;
	l->whole = 1;
}

/*
 * The engine's first record, a handshake record starting with its
 * ServerHello: what follows the ServerHello in it is held back, to go on
 * as a record of its own after the test's (RFC 5246 §6.2.1: messages may
 * share a record or not; BearSSL sends its flight in one).
 */
static void cut_after_server_hello(struct lane *l)
{
	uint8_t *body = l->rec + T13_RECORD_HEADER;
	size_t len = l->have - T13_RECORD_HEADER, hello;

	if (l->records != 1 || l->rec[0] != T13_CT_HANDSHAKE || len < 4 ||
	    body[0] != T13_HS_SERVER_HELLO)
		return;
	hello = 4 + (size_t)t13_get24(body + 1);
	if (hello > len)
		return;
	if (hello < len) {
		memcpy(l->held, l->rec, 3);
		t13_put16(l->held + 3, (unsigned)(len - hello));
		memcpy(l->held + T13_RECORD_HEADER, body + hello, len - hello);
		l->held_len = T13_RECORD_HEADER + len - hello;
		t13_put16(l->rec + 3, (unsigned)hello);
		l->have = T13_RECORD_HEADER + hello;
	}
	l->hello_alone = 1;
	l->inject_now = 1;
}

/* The engine's ChangeCipherSpec is held back; the test's records go first. */
static void hold_ccs(struct lane *l)
{
	if (l->rec[0] != T13_CT_CHANGE_CIPHER_SPEC)
		return;
	memcpy(l->held, l->rec, l->have);
	l->held_len = l->have;
	l->have = 0;
	l->ccs_held = 1;
	l->inject_now = 1;
}

/* A whole record came from the engine: count it, alter it as said, make room for the test's. */
static void record_in(struct lane *l)
{
	l->records++;
	tamper_record(l);
	l->whole = 1;
	l->sent = 0;
	if (!l->inject_left)
		return;
	if (l->before_ccs)
		hold_ccs(l);
	else
		cut_after_server_hello(l);
	if (!l->have) {
		l->whole = 0;
		forward_next(l);
	}
}

/* Move what the lane may move in one round: 1 if a byte moved. */
static int move_lane(struct lane *l)
{
	size_t want;
	ssize_t n;
	int moved = 0;

	if (!l->whole && !l->eof && (want = record_missing(l)) > 0) {
		n = recv(l->from, l->rec + l->have, want < l->chunk ? want : l->chunk, MSG_DONTWAIT);
		if (n > 0) {
			l->have += (size_t)n;
			moved = 1;
		} else if (n == 0) {
			/* Its engine shut the socket down: pass it on. */
			l->eof = 1;
			shutdown(l->to, SHUT_WR);
		}
		if (!l->eof && record_missing(l) == 0)
			record_in(l);
	}
	if (l->whole) {
		size_t left = l->have - l->sent;

		n = send(l->to, l->rec + l->sent, left < l->chunk ? left : l->chunk,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			l->sent += (size_t)n;
			moved = 1;
		}
		if (l->sent == l->have) {
			l->have = l->whole = 0;
			forward_next(l);
		}
	}
	return moved;
}

static void lane_init(struct lane *l, int from, int to, size_t chunk)
{
	memset(l, 0, sizeof(*l));
	l->from = from;
	l->to = to;
	l->chunk = chunk;
}

/* ---- One run ---- */

static int write_conf(const struct hs_case *hc, char *path, size_t path_len)
{
	char text[2048];
	int n;

	n = snprintf(text, sizeof(text),
		     "[daemon]\nuser = nobody\n"
		     "[profile server]\nrole = server\nmax_version = 1.2\n%s"
		     "[profile client]\nrole = client\nca = %%s/ca.crt\n%s",
		     hc->server, hc->client);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	return env_write_conf(dir, text, path, path_len);
}

static int open_sockets(struct run *r)
{
	const struct hs_case *hc = r->hc;
	struct lane *to_server = &r->to_server, *to_client = &r->to_client;
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
	lane_init(to_server, a[1], b[1], hc->wire == WIRE_BYTES ? 1 : sizeof(to_server->rec));
	lane_init(to_client, b[1], a[1], hc->wire == WIRE_BYTES ? 1 : sizeof(to_client->rec));
	if (hc->tamper == TAMPER_CLIENT_SUITE)
		to_server->tamper = hc->tamper;
	else
		to_client->tamper = hc->tamper;
	to_server->patch = to_client->patch = hc->patch;
	to_client->server_keys = &r->server->keys;
	to_client->inject = hc->inject;
	to_client->inject_len = hc->inject_len;
	to_client->inject_left = hc->inject ? hc->inject_count : 0;
	to_client->before_ccs = hc->before_ccs;
	return 0;
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
	r->client = calloc(1, sizeof(*r->client));
	r->server = calloc(1, sizeof(*r->server));
	if (!r->client || !r->server)
		return -1;
	r->client->profile = config_profile(&r->cfg, "client");
	r->client->alert_sent = -1;
	r->server->profile = config_profile(&r->cfg, "server");
	if (!r->client->profile || !r->server->profile || open_sockets(r) < 0)
		return -1;
	if (server_start(r->server, r->fds[1]) < 0) {
		diag("%s: BearSSL's server does not start", hc->name);
		return -1;
	}
	if (client_start(r->client, r->fds[0]) < 0) {
		diag("%s: our client does not start: %s", hc->name, r->client->conn.error.what);
		return -1;
	}
	return 0;
}

static int relay_round(struct run *r)
{
	int moved;

	if (r->hc->wire == WIRE_DIRECT)
		return 0;
	moved = move_lane(&r->to_server);
	moved |= move_lane(&r->to_client);
	return moved;
}

/* Both ends in turn (and the relay) until both are done and nothing moves. */
static int pump(struct run *r)
{
	for (r->rounds = 1; r->rounds <= MAX_ROUNDS; r->rounds++) {
		client_step(r->client);
		server_step(r->server);
		if (!relay_round(r) && r->client->done && server_done(r->server))
			return 0;
	}
	r->rounds = MAX_ROUNDS;
	return -1;
}

static void show_errors(const struct run *r)
{
	const struct t13_error *c = &r->client->conn.error;

	diag("client: status %d alert %d received %d tls_error %d: %s", c->status, c->alert,
	     c->alert_received, c->tls_error, c->what);
	diag("server: BearSSL last error %d, handshake %s%s",
	     br_ssl_engine_last_error(&r->server->sc.eng),
	     r->server->handshake_done ? "done" : "not done", r->server->closed ? ", closed" : "");
}

/* ---- Success ---- */

static int dir_keys_equal(const struct ktlsd_dir_keys *a, const struct ktlsd_dir_keys *b,
			  const struct ktlsd_suite_info *info)
{
	return !memcmp(a->key, b->key, info->key_len) && !memcmp(a->iv, b->iv, info->iv_len) &&
	       a->seq == b->seq;
}

/* Each side's kTLS keys are the other's, crosswise, both after one Finished each way. */
static void check_keys(const struct run *r)
{
	const char *name = r->hc->name;
	const struct ktlsd_keys *c = &r->client->keys, *s = &r->server->keys;
	const struct ktlsd_suite_info *info = ktlsd_suite_by_id(r->hc->suite);

	ok(c->suite == r->hc->suite && s->suite == r->hc->suite, "%s: kTLS keys for suite 0x%04x",
	   name, r->hc->suite);
	ok(info && dir_keys_equal(&c->tx, &s->rx, info) && c->tx.seq == 1,
	   "%s: our tx = BearSSL's rx (key, iv, seq %llu / %llu, want 1)", name,
	   (unsigned long long)c->tx.seq, (unsigned long long)s->rx.seq);
	ok(info && dir_keys_equal(&s->tx, &c->rx, info) && s->tx.seq == 1,
	   "%s: BearSSL's tx = our rx (key, iv, seq %llu / %llu, want 1)", name,
	   (unsigned long long)s->tx.seq, (unsigned long long)c->rx.seq);
	ok(info && memcmp(c->tx.key, c->rx.key, info->key_len),
	   "%s: the two directions have their own keys", name);
}

/* Read exactly one record from @fd into @rec: its length, or -1. */
static ssize_t read_record(int fd, uint8_t *rec, size_t cap)
{
	ssize_t n = recv(fd, rec, T13_RECORD_HEADER, MSG_DONTWAIT), body;

	if (n != T13_RECORD_HEADER || (size_t)T13_RECORD_HEADER + t13_get16(rec + 3) > cap)
		return -1;
	body = recv(fd, rec + T13_RECORD_HEADER, t13_get16(rec + 3), MSG_DONTWAIT);
	if (body != (ssize_t)t13_get16(rec + 3))
		return -1;
	return T13_RECORD_HEADER + body;
}

/*
 * The server's first record is the next thing in our socket: our client
 * read not one byte past the server's Finished, and the record opens under
 * our kTLS rx keys (on a copy: they stay what kTLS would take).
 */
static void check_exact_read(const struct run *r)
{
	const struct client *c = r->client;
	uint8_t rec[T13_RECORD_HEADER + 256];
	struct t13_aead a;
	size_t off = 0, len = 0;
	ssize_t n = read_record(c->conn.fd, rec, sizeof(rec));
	int opened = -1;

	if (n > 0 && t13_aead_init12(&a, c->keys.suite, c->keys.rx.key, c->keys.rx.iv) == 0) {
		a.seq = c->keys.rx.seq;
		opened = t13_aead_open12(&a, rec, (size_t)n, &off, &len);
	}
	t13_aead_wipe(&a);
	ok(opened == 0 && rec[0] == T13_CT_APPLICATION_DATA && len == sizeof(server_data) &&
	   !memcmp(rec + off, server_data, len),
	   "%s: BearSSL's first application record is next in our socket, opens under our kTLS rx keys",
	   r->hc->name);
	ok(env_socket_empty(c->conn.fd), "%s: nothing else follows it", r->hc->name);
}

/* Our first record, sealed under our kTLS tx keys as kTLS would, is read by BearSSL. */
static void check_client_record(struct run *r)
{
	const struct ktlsd_keys *k = &r->client->keys;
	br_ssl_engine_context *eng = &r->server->sc.eng;
	uint8_t rec[T13_RECORD_HEADER + sizeof(client_data) + T12_MAX_OVERHEAD];
	unsigned char *app = NULL;
	struct t13_aead a;
	size_t n = 0, len = 0;

	if (t13_aead_init12(&a, k->suite, k->tx.key, k->tx.iv) == 0) {
		a.seq = k->tx.seq;
		n = t13_aead_seal12(&a, T13_CT_APPLICATION_DATA, (const uint8_t *)client_data,
				    sizeof(client_data), rec);
	}
	t13_aead_wipe(&a);
	if (!n || send(r->client->conn.fd, rec, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n) {
		ok(0, "%s: our first application record is sent", r->hc->name);
		return;
	}
	for (int i = 0; i < MAX_ROUNDS && !app && !r->server->closed; i++) {
		server_step(r->server);
		relay_round(r);
		app = br_ssl_engine_recvapp_buf(eng, &len);
	}
	ok(app && len == sizeof(client_data) && !memcmp(app, client_data, len),
	   "%s: BearSSL reads our first application record (sealed under our kTLS tx keys)",
	   r->hc->name);
	if (app)
		br_ssl_engine_recvapp_ack(eng, len);
}

/* BearSSL's view of what it agreed. */
static void check_server_view(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct server *s = r->server;
	br_ssl_engine_context *eng = (br_ssl_engine_context *)&s->sc.eng;
	const char *alpn = br_ssl_engine_get_selected_protocol(eng);
	char subject[256], san[256];

	ok(br_ssl_engine_get_version(eng) == BR_TLS12 && eng->session.cipher_suite == hc->suite &&
	   br_ssl_engine_get_ecdhe_curve(eng) == hc->group,
	   "%s: BearSSL agrees: TLS 1.2, suite 0x%04x, curve %d", hc->name,
	   eng->session.cipher_suite, br_ssl_engine_get_ecdhe_curve(eng));
	ok(!strcmp(br_ssl_engine_get_server_name(eng), "localhost"),
	   "%s: BearSSL got our server name '%s'", hc->name, br_ssl_engine_get_server_name(eng));
	ok(!strcmp(alpn ? alpn : "", hc->alpn ? hc->alpn : ""), "%s: BearSSL chose ALPN '%s'",
	   hc->name, alpn ? alpn : "");
	if (hc->client_verified)
		ok(s->minimal.err == BR_ERR_X509_OK &&
		   verifier_identity(&s->verifier, subject, sizeof(subject), san, sizeof(san)) &&
		   !strcmp(subject, "ktlsd test client") && !strcmp(san, "client.test"),
		   "%s: BearSSL's X.509 engine validated our chain (err %d)", hc->name, s->minimal.err);
	else if (s->profile->policy.client_auth != VERIFY_NONE)
		ok(!s->verifier.chain_seen, "%s: BearSSL asked, and got an empty Certificate",
		   hc->name);
}

static void check_outcome(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_client *cl = &r->client->client;
	const struct t13_outcome *o = &cl->outcome;

	ok(o->version == T12_VERSION, "%s: TLS 1.2 (version 0x%04x)", hc->name, o->version);
	ok(o->suite == hc->suite, "%s: suite 0x%04x, want 0x%04x", hc->name, o->suite, hc->suite);
	ok(o->group == hc->group, "%s: group 0x%04x, want 0x%04x", hc->name, o->group, hc->group);
	ok(o->sig_scheme == hc->client_scheme, "%s: our CertificateVerify scheme 0x%04x, want 0x%04x",
	   hc->name, o->sig_scheme, hc->client_scheme);
	ok(!strcmp(o->alpn, hc->alpn ? hc->alpn : ""), "%s: ALPN '%s'", hc->name, o->alpn);
	ok(o->peer_verified && !strcmp(o->peer_subject, "localhost") &&
	   !strcmp(o->peer_san, "localhost"),
	   "%s: we verified the server: '%s' '%s'", hc->name, o->peer_subject, o->peer_san);
	ok(!cl->t12.extended_master_secret,
	   "%s: BearSSL 0.6 does not echo extended_master_secret: the RFC 5246 master secret",
	   hc->name);
}

static void check_success(struct run *r)
{
	const struct hs_case *hc = r->hc;
	int cl_ok = !r->client->conn.error.status && r->client->keys_ok;
	int sv_ok = r->server->handshake_done && !r->server->closed && r->server->keys_ok;

	if (!ok(cl_ok && sv_ok, "%s: both ends succeed", hc->name)) {
		show_errors(r);
		return;
	}
	check_outcome(r);
	check_server_view(r);
	check_keys(r);
	check_exact_read(r);
	check_client_record(r);
}

/* ---- Failure ---- */

/* Our client failed: the alert it sent, in the clear or protected, and BearSSL read it. */
static void check_client_failure(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct client *c = r->client;
	const struct t13_error *e = &c->conn.error;
	int server_err = br_ssl_engine_last_error(&r->server->sc.eng);

	if (!ok(e->status == hc->status && e->alert == hc->alert && e->alert_received == -1,
		"%s: our client fails (status %d, alert %d), want status %d, alert %d", hc->name,
		e->status, e->alert, hc->status, hc->alert))
		show_errors(r);
	ok(c->alert_sent == hc->alert && c->alert_protected == hc->alert_protected,
	   "%s: it sends alert %d %s", hc->name, c->alert_sent,
	   c->alert_protected ? "under its TLS 1.2 keys" : "in the clear");
	if (!ok(server_err == BR_ERR_RECV_FATAL_ALERT + hc->alert,
		"%s: BearSSL read it: last error %d, want %d (BR_ERR_RECV_FATAL_ALERT + %d)", hc->name,
		server_err, BR_ERR_RECV_FATAL_ALERT + hc->alert, hc->alert))
		show_errors(r);
}

/* BearSSL failed first: its error, and the alert our client then received. */
static void check_server_failure(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_error *e = &r->client->conn.error;
	int server_err = br_ssl_engine_last_error(&r->server->sc.eng);

	if (!ok(server_err == hc->server_error, "%s: BearSSL fails with error %d, want %d", hc->name,
		server_err, hc->server_error))
		show_errors(r);
	if (!ok(e->status == hc->status && e->alert_received == hc->alert && e->alert == -1 &&
		r->client->alert_sent == -1,
		"%s: our client then fails with status %d, alert_received %d, and sends none back",
		hc->name, e->status, e->alert_received))
		show_errors(r);
}

/*
 * Our client stopped on the alert the test slipped in: it sends none back,
 * and BearSSL gets no alert: it sees the connection end before our
 * ClientKeyExchange, or it had finished (our Finished came before).
 */
static void check_test_alert(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct t13_error *e = &r->client->conn.error;
	const struct server *s = r->server;
	int server_err = br_ssl_engine_last_error((br_ssl_engine_context *)&s->sc.eng);

	if (!ok(e->status == hc->status && e->alert_received == hc->alert && e->alert == -1 &&
		e->tls_error == BR_ERR_RECV_FATAL_ALERT + hc->alert,
		"%s: our client fails (status %d, alert_received %d), want status %d, alert_received %d",
		hc->name, e->status, e->alert_received, hc->status, hc->alert))
		show_errors(r);
	ok(r->client->alert_sent == -1, "%s: it sends no alert back (sent %d)", hc->name,
	   r->client->alert_sent);
	if (hc->server_done_first)
		ok(s->handshake_done && server_err == BR_ERR_OK,
		   "%s: BearSSL had finished its handshake, and got no alert (last error %d)",
		   hc->name, server_err);
	else
		ok(!s->handshake_done && s->eof && server_err == BR_ERR_OK,
		   "%s: BearSSL, mid-handshake, sees the connection end, no alert (last error %d)",
		   hc->name, server_err);
}

/* The test's records all went to our client, where the case says. */
static void check_injected(const struct run *r)
{
	const struct hs_case *hc = r->hc;
	const struct lane *l = &r->to_client;

	ok(l->injected == hc->inject_count && !l->inject_left &&
	   (hc->before_ccs ? l->ccs_held : l->hello_alone),
	   "%s: the test slipped %d record(s) in to our client, %s", hc->name, l->injected,
	   hc->before_ccs ? "before BearSSL's ChangeCipherSpec" :
	   "right after BearSSL's ServerHello, the rest of its flight after them");
}

/* ---- The cases ---- */

static void teardown(struct run *r)
{
	for (size_t i = 0; i < 4; i++)
		if (r->fds[i] >= 0)
			close(r->fds[i]);
	if (r->client) {
		t13_client_wipe(&r->client->client);
		t13_conn_wipe(&r->client->conn);
		explicit_bzero(r->client, sizeof(*r->client));
	}
	/* BearSSL's context holds the master secret and the record keys. */
	if (r->server)
		explicit_bzero(r->server, sizeof(*r->server));
	free(r->client);
	free(r->server);
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
	if (!ok(pumped == 0, "%s: both ends are done (%d rounds)", hc->name, r.rounds)) {
		show_errors(&r);
		goto out;
	}
	if (hc->tamper != TAMPER_NONE)
		ok(r.to_client.tampered || r.to_server.tampered, "%s: the test altered it in transit",
		   hc->name);
	if (hc->inject)
		check_injected(&r);
	if (hc->fails == NOBODY)
		check_success(&r);
	else if (hc->fails == CLIENT && hc->alert_from_test)
		check_test_alert(&r);
	else if (hc->fails == CLIENT)
		check_client_failure(&r);
	else
		check_server_failure(&r);
out:
	teardown(&r);
}

#define OK(...)		{ .fails = NOBODY, __VA_ARGS__ }
#define CIPHERS(x)	"ciphers = " x "\n"
#define ECDSA_P256	T13_SIG_ECDSA_SECP256R1_SHA256
#define STR(x)		#x
#define XSTR(x)		STR(x)

/* Alert records in the clear (RFC 5246 §7.2), level 1 warning, 2 fatal: */
/* unrecognized_name (RFC 6066 §3) as a warning: 15 03 03 00 02 01 70 */
static const uint8_t warning_unrecognized_name[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 1, T13_ALERT_UNRECOGNIZED_NAME
};
/* close_notify (RFC 5246 §7.2.1), a warning: 15 03 03 00 02 01 00 */
static const uint8_t warning_close_notify[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 1, T13_ALERT_CLOSE_NOTIFY
};
/* unrecognized_name at fatal level: 15 03 03 00 02 02 70 */
static const uint8_t fatal_unrecognized_name[] = {
	T13_CT_ALERT, 3, 3, 0, 2, 2, T13_ALERT_UNRECOGNIZED_NAME
};
/* @n copies of @rec to our client, after BearSSL's ServerHello (or before its ChangeCipherSpec). */
#define INJECT(rec, n)	\
	.wire = WIRE_RELAY, .inject = (rec), .inject_len = sizeof(rec), .inject_count = (n)

static const struct hs_case cases[] = {
	/* 1. Each suite, with the server key it needs; TLS 1.3 offered too (default ciphersuites). */
	OK(.name = "ECDHE-ECDSA-AES128-GCM-SHA256", .server = SERVER_EC,
	   .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"), .suite = ECDSA_AES128, .group = X25519),
	OK(.name = "ECDHE-ECDSA-AES256-GCM-SHA384", .server = SERVER_EC,
	   .client = CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .suite = ECDSA_AES256, .group = X25519),
	OK(.name = "ECDHE-ECDSA-CHACHA20-POLY1305", .server = SERVER_EC,
	   .client = CIPHERS("ECDHE-ECDSA-CHACHA20-POLY1305"), .suite = ECDSA_CHACHA, .group = X25519),
	OK(.name = "ECDHE-RSA-AES128-GCM-SHA256", .server = SERVER_RSA,
	   .client = CIPHERS("ECDHE-RSA-AES128-GCM-SHA256"), .suite = RSA_AES128, .group = X25519),
	OK(.name = "ECDHE-RSA-AES256-GCM-SHA384", .server = SERVER_RSA,
	   .client = CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"), .suite = RSA_AES256, .group = X25519),
	OK(.name = "ECDHE-RSA-CHACHA20-POLY1305", .server = SERVER_RSA,
	   .client = CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"), .suite = RSA_CHACHA, .group = X25519),
	/* 2. Each group alone; then BearSSL (X25519 first, then the lowest id) picking another. */
	OK(.name = "group X25519", .server = SERVER_EC, .client = "groups = X25519\n",
	   .suite = ECDSA_AES128, .group = X25519),
	OK(.name = "group P-256", .server = SERVER_EC, .client = "groups = P-256\n",
	   .suite = ECDSA_AES128, .group = P256),
	OK(.name = "group P-384", .server = SERVER_RSA, .client = "groups = P-384\n",
	   .suite = RSA_AES128, .group = P384),
	OK(.name = "our share is P-384, BearSSL picks X25519", .server = SERVER_EC,
	   .client = "groups = P-384:X25519\n", .suite = ECDSA_AES128, .group = X25519),
	OK(.name = "our share is P-384, BearSSL picks P-256", .server = SERVER_RSA,
	   .client = "groups = P-384:P-256\n" CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"),
	   .suite = RSA_AES256, .group = P256),
	/* ALPN in the TLS 1.2 ServerHello (RFC 7301 §3.2: the server's preference). */
	OK(.name = "ALPN", .server = SERVER_EC "alpn = http/1.1,h2\n", .client = "alpn = h2,http/1.1\n",
	   .suite = ECDSA_AES128, .group = X25519, .alpn = "http/1.1"),
	/* 3. Client certificates (RFC 5246 §7.4.4, §7.4.6, §7.4.8). */
	OK(.name = "client certificate", .server = SERVER_EC ASK_CLIENT, .client = CLIENT_CERT,
	   .suite = ECDSA_AES128, .group = X25519, .client_scheme = ECDSA_P256, .client_verified = 1),
	OK(.name = "client certificate, RSA server, SHA-384 PRF", .server = SERVER_RSA ASK_CLIENT,
	   .client = CLIENT_CERT CIPHERS("ECDHE-RSA-AES256-GCM-SHA384"), .suite = RSA_AES256,
	   .group = X25519, .client_scheme = ECDSA_P256, .client_verified = 1),
	OK(.name = "verify = optional, no key in our profile: an empty Certificate",
	   .server = SERVER_EC "verify = optional\nca = %s/ca.crt\n", .client = "",
	   .suite = ECDSA_AES128, .group = X25519),
	/*
	 * BearSSL without BR_OPT_TOLERATE_NO_CLIENT_AUTH refuses the empty
	 * Certificate: it closes with BR_ERR_NO_CLIENT_AUTH and sends no alert
	 * of its own (the daemon's handshake.c adds handshake_failure), so we
	 * see the connection end while we wait for its ChangeCipherSpec.
	 */
	{ .name = "verify = required, no key in our profile", .server = SERVER_EC ASK_CLIENT,
	  .client = "", .fails = SERVER, .server_error = BR_ERR_NO_CLIENT_AUTH,
	  .status = ECONNABORTED, .alert = -1 },
	/* ALPN (RFC 7301 §3.2): BearSSL refuses, with an alert in the clear. */
	{ .name = "ALPN mismatch", .server = SERVER_EC "alpn = http/1.1\n", .client = "alpn = h2\n",
	  .fails = SERVER, .server_error = BR_ERR_SEND_FATAL_ALERT + T13_ALERT_NO_APPLICATION_PROTOCOL,
	  .status = EPROTO, .alert = T13_ALERT_NO_APPLICATION_PROTOCOL },
	/* 4. Altered in transit. (a) RFC 8446 §4.1.3: the downgrade sentinels. */
	{ .name = "ServerHello random ends in DOWNGRD 01", .server = SERVER_EC, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_DOWNGRADE_12, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_ILLEGAL_PARAMETER },
	{ .name = "ServerHello random ends in DOWNGRD 00", .server = SERVER_RSA, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_DOWNGRADE_11, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_ILLEGAL_PARAMETER },
	/* (b) RFC 8422 §5.4, RFC 5246 §7.2.2: a signature that does not verify. */
	{ .name = "ServerKeyExchange signature altered, ECDSA", .server = SERVER_EC, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_SKE_SIGNATURE, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_DECRYPT_ERROR },
	{ .name = "ServerKeyExchange signature altered, RSA", .server = SERVER_RSA, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_SKE_SIGNATURE, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_DECRYPT_ERROR },
	/* RFC 8422 §5.4: the group must be one of ours (checked before the signature). */
	{ .name = "ServerKeyExchange names a group we did not offer", .server = SERVER_EC,
	  .client = "groups = X25519\n", .wire = WIRE_RELAY, .tamper = TAMPER_SKE_GROUP,
	  .patch = P256, .fails = CLIENT, .status = EPROTO, .alert = T13_ALERT_ILLEGAL_PARAMETER },
	/* (c) RFC 5246 §7.2.2: a record that does not authenticate; our keys are on by then. */
	{ .name = "server Finished record altered, AES-GCM", .server = SERVER_EC,
	  .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"), .wire = WIRE_RELAY,
	  .tamper = TAMPER_FINISHED_RECORD, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_BAD_RECORD_MAC, .alert_protected = 1 },
	{ .name = "server Finished record altered, ChaCha20-Poly1305", .server = SERVER_RSA,
	  .client = CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"), .wire = WIRE_RELAY,
	  .tamper = TAMPER_FINISHED_RECORD, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_BAD_RECORD_MAC, .alert_protected = 1 },
	/* RFC 5246 §7.4.9, §7.2.2: a Finished that authenticates but does not verify. */
	{ .name = "server Finished verify_data altered, record sealed again", .server = SERVER_EC,
	  .client = CIPHERS("ECDHE-ECDSA-AES256-GCM-SHA384"), .wire = WIRE_RELAY,
	  .tamper = TAMPER_FINISHED_CONTENT, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_DECRYPT_ERROR, .alert_protected = 1 },
	/* (d) RFC 5246 §7.4.1.3: a suite we did not offer, for 1.2 or at all. */
	{ .name = "ServerHello names a 1.2 suite we did not offer", .server = SERVER_EC,
	  .client = CIPHERS("ECDHE-ECDSA-AES128-GCM-SHA256"), .wire = WIRE_RELAY,
	  .tamper = TAMPER_SERVER_SUITE, .patch = ECDSA_AES256, .fails = CLIENT,
	  .status = EPROTO, .alert = T13_ALERT_ILLEGAL_PARAMETER },
	{ .name = "TLS 1.2 ServerHello names a TLS 1.3 suite", .server = SERVER_EC, .client = "",
	  .wire = WIRE_RELAY, .tamper = TAMPER_SERVER_SUITE, .patch = T13_AES_128_GCM_SHA256,
	  .fails = CLIENT, .status = EPROTO, .alert = T13_ALERT_ILLEGAL_PARAMETER },
	/* (e) A 1.3-only profile: the test slips a 1.2 suite into its ClientHello for BearSSL. */
	{ .name = "TLS 1.2 ServerHello to a min_version = 1.3 profile", .server = SERVER_EC,
	  .client = "min_version = 1.3\n", .wire = WIRE_RELAY, .tamper = TAMPER_CLIENT_SUITE,
	  .patch = ECDSA_AES128, .fails = CLIENT, .status = EPROTO,
	  .alert = T13_ALERT_PROTOCOL_VERSION },
	/* (f) The verifier's verdict, mapped as in TLS 1.3 (test_t13_engine). */
	{ .name = "server chain from an untrusted CA", .server = SERVER_ROGUE, .client = "",
	  .fails = CLIENT, .status = EKEYREJECTED, .alert = T13_ALERT_UNKNOWN_CA },
	/* 5. Every record cut into 1-byte writes, both ways. */
	OK(.name = "1-byte writes, client certificate", .server = SERVER_EC ASK_CLIENT,
	   .client = CLIENT_CERT, .wire = WIRE_BYTES, .suite = ECDSA_AES128, .group = X25519,
	   .client_scheme = ECDSA_P256, .client_verified = 1),
	OK(.name = "1-byte writes, RSA, ChaCha20, P-256 picked over our P-384", .server = SERVER_RSA,
	   .client = "groups = P-384:P-256\n" CIPHERS("ECDHE-RSA-CHACHA20-POLY1305"),
	   .wire = WIRE_BYTES, .suite = RSA_CHACHA, .group = P256),
	/*
	 * 6. Alerts in the clear after the ServerHello. RFC 5246 §7.2: on a
	 * warning "the connection can normally continue"; record.c skips
	 * T13_MAX_DROPPED_RECORDS of them, and ends the handshake at the next.
	 * A close_notify is no warning to skip (§7.2.1: the peer is done), a
	 * fatal alert ends the connection (§7.2.2). The same where our client
	 * waits for the server's ChangeCipherSpec (its own read path).
	 */
	OK(.name = "a warning unrecognized_name after the ServerHello: skipped", .server = SERVER_EC,
	   .client = "", INJECT(warning_unrecognized_name, 1), .suite = ECDSA_AES128, .group = X25519),
	OK(.name = XSTR(T13_MAX_DROPPED_RECORDS) " warning unrecognized_name alerts: skipped",
	   .server = SERVER_RSA, .client = "", INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS),
	   .suite = RSA_AES128, .group = X25519),
	{ .name = XSTR(T13_MAX_DROPPED_RECORDS + 1) " warning unrecognized_name alerts: the last ends it",
	  .server = SERVER_EC, .client = "",
	  INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS + 1), .fails = CLIENT,
	  .alert_from_test = 1, .status = EPROTO, .alert = T13_ALERT_UNRECOGNIZED_NAME },
	{ .name = "a warning close_notify after the ServerHello ends it", .server = SERVER_EC,
	  .client = "", INJECT(warning_close_notify, 1), .fails = CLIENT, .alert_from_test = 1,
	  .status = ECONNABORTED, .alert = T13_ALERT_CLOSE_NOTIFY },
	{ .name = "a fatal unrecognized_name after the ServerHello ends it", .server = SERVER_EC,
	  .client = "", INJECT(fatal_unrecognized_name, 1), .fails = CLIENT, .alert_from_test = 1,
	  .status = EPROTO, .alert = T13_ALERT_UNRECOGNIZED_NAME },
	OK(.name = XSTR(T13_MAX_DROPPED_RECORDS) " warnings before the server's ChangeCipherSpec: skipped",
	   .server = SERVER_EC, .client = "", INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS),
	   .before_ccs = 1, .suite = ECDSA_AES128, .group = X25519),
	{ .name = XSTR(T13_MAX_DROPPED_RECORDS + 1) " warnings before the server's ChangeCipherSpec: "
	  "the last ends it", .server = SERVER_EC, .client = "",
	  INJECT(warning_unrecognized_name, T13_MAX_DROPPED_RECORDS + 1), .before_ccs = 1,
	  .fails = CLIENT, .alert_from_test = 1, .status = EPROTO,
	  .alert = T13_ALERT_UNRECOGNIZED_NAME, .server_done_first = 1 },
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
