/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the TLS 1.2 engine tests (test_t12_client: our client against
 * BearSSL's server; test_t12_server: BearSSL's client against our server)
 * share:
 *
 *   - BearSSL's TLS 1.2 engine, in either role, pumped over its end of a
 *     socket as handshake.c's step12() pumps it, and past its handshake
 *     (it goes on reading: an alert, a record);
 *   - the relay the test may sit in: whole records read from one end,
 *     looked at or altered by the test, forwarded to the other end (at
 *     most chunk bytes a round each way), with the test's own records
 *     slipped in after a ServerHello, before a ChangeCipherSpec, or before
 *     the engine's record of a given number;
 *   - records sealed and read as kTLS would, and the checks made after
 *     every success: each side's keys are the other's, our end read not
 *     one byte past the handshake, BearSSL reads what we seal.
 *
 * Everything is MSG_DONTWAIT: one thread pumps both ends and the relay in
 * turn. Each test program is one process: the helpers may be static. The
 * includer defines _GNU_SOURCE before any header.
 */
#ifndef KTLSD_TESTS_T12_RELAY_H
#define KTLSD_TESTS_T12_RELAY_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <bearssl.h>

#include "engine_env.h"
#include "keys.h"
#include "tls13/aead.h"
#include "tls13/msg12.h"
#include "tap.h"

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

/* 1 if the socket failed for good (not just "not now"): the peer is gone. */
static inline int gone(ssize_t n)
{
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Read exactly one record from @fd into @rec: its length, or -1. */
static inline ssize_t read_record(int fd, uint8_t *rec, size_t cap)
{
	ssize_t n = recv(fd, rec, T13_RECORD_HEADER, MSG_DONTWAIT), body;

	if (n != T13_RECORD_HEADER || (size_t)T13_RECORD_HEADER + t13_get16(rec + 3) > cap)
		return -1;
	body = recv(fd, rec + T13_RECORD_HEADER, t13_get16(rec + 3), MSG_DONTWAIT);
	if (body != (ssize_t)t13_get16(rec + 3))
		return -1;
	return T13_RECORD_HEADER + body;
}

/* Replace @from by @to in the ClientHello's cipher suites (@body: the message's body). */
static inline int patch_client_hello(uint8_t *body, size_t len, uint16_t from, uint16_t to)
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

/* ---- BearSSL's engine ---- */

/* BearSSL's TLS 1.2 engine, client or server, on its end of a socket. */
struct br_end {
	br_ssl_engine_context *eng;
	int fd;
	enum ktlsd_role role;
	const char *first_data;		/* sent once its handshake is over */
	size_t first_len;
	int handshake_done;		/* it is over: keys taken, first record written */
	int closed;			/* the engine failed, or got an alert */
	int eof;			/* its peer is gone */
	int keys_ok;
	struct ktlsd_keys keys;		/* keys_from_engine(), at the end of its handshake */
};

/*
 * Its handshake is over: its keys as handshake.c's finish() takes them
 * (before anything else is sent under them: seq 1, after its Finished),
 * then its first application record, as an application would send it.
 */
static inline void br_end_done(struct br_end *e)
{
	const char *why = NULL;
	unsigned char *buf;
	size_t len;

	e->handshake_done = 1;
	e->keys_ok = keys_from_engine(&e->keys, e->eng, e->role, &why) == 0;
	if (!e->keys_ok)
		diag("BearSSL's keys: %s", why);
	buf = br_ssl_engine_sendapp_buf(e->eng, &len);
	if (buf && len >= e->first_len) {
		memcpy(buf, e->first_data, e->first_len);
		br_ssl_engine_sendapp_ack(e->eng, e->first_len);
		br_ssl_engine_flush(e->eng, 0);
	}
}

/* handshake.c's step12(), and past the handshake: it goes on reading (an alert, a record). */
static inline void br_end_step(struct br_end *e)
{
	br_ssl_engine_context *eng = e->eng;
	unsigned char *buf;
	size_t len;
	ssize_t n;

	while (!e->closed) {
		unsigned state = br_ssl_engine_current_state(eng);

		if (state & BR_SSL_CLOSED) {
			e->closed = 1;
			shutdown(e->fd, SHUT_RDWR);
			return;
		}
		if (state & BR_SSL_SENDREC) {
			buf = br_ssl_engine_sendrec_buf(eng, &len);
			n = send(e->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			e->eof |= n < 0 && gone(n);
			if (n <= 0)
				return;
			br_ssl_engine_sendrec_ack(eng, (size_t)n);
			continue;
		}
		if ((state & BR_SSL_SENDAPP) && !e->handshake_done) {
			br_end_done(e);
			continue;
		}
		if (!(state & BR_SSL_RECVREC) || e->eof)
			return;
		buf = br_ssl_engine_recvrec_buf(eng, &len);
		n = recv(e->fd, buf, len, MSG_DONTWAIT);
		e->eof |= gone(n);
		if (n <= 0)
			return;
		br_ssl_engine_recvrec_ack(eng, (size_t)n);
	}
}

/* It has nothing left to do in the handshake: it is over, or it failed. */
static inline int br_end_over(const struct br_end *e)
{
	return e->handshake_done || e->closed || e->eof;
}

/* ---- The relay ---- */

enum wire {
	WIRE_DIRECT,		/* one socketpair */
	WIRE_RELAY,		/* through the test, whole records (to alter them) */
	WIRE_BYTES,		/* through the test, one byte per round each way */
};

/*
 * One direction of the relay: whole records are read (at most chunk bytes
 * a round), shown to the test (on_record, which may alter them), then
 * forwarded (chunk bytes a round).
 */
struct lane {
	int from, to;
	size_t chunk;
	int tamper;			/* what the test alters (its own enum) */
	uint16_t patch;
	const struct ktlsd_keys *sender_keys;	/* the sending engine's, once taken: to seal again */
	void (*on_record)(struct lane *l);	/* the test's look at each whole record; NULL: none */
	void *user;			/* ... and what it needs for that */
	uint8_t rec[T13_RECORD_HEADER + MAX_FRAGMENT];
	size_t have, sent;
	int whole;			/* rec holds a whole record, being forwarded */
	int ccs_seen;			/* a ChangeCipherSpec went by: records are protected */
	size_t hs_carry;		/* bytes of a handshake message begun in an earlier record */
	int tampered;
	int eof;
	/* The test's records, slipped in where the case says: */
	const uint8_t *inject;		/* one record's bytes; NULL: none */
	size_t inject_len;
	int inject_left;		/* ... copies still to forward */
	int injected;			/* ... copies forwarded */
	int before_ccs;			/* before the engine's ChangeCipherSpec, not after its ServerHello */
	size_t before_record;		/* before its record of that number (from 1) instead; 0: not */
	int inject_now;			/* ... their place has come */
	size_t records;			/* whole records read from the engine */
	int hello_alone;		/* its ServerHello went on in a record of its own */
	int ccs_held;			/* its ChangeCipherSpec was held back for them */
	int record_held;		/* its record before_record was held back for them */
	uint8_t held[T13_RECORD_HEADER + MAX_FRAGMENT];	/* the engine's record held back */
	size_t held_len;
};

/*
 * Each handshake message in the clear in the lane's whole record (none
 * once a ChangeCipherSpec went by) to @fn, which may alter its body in
 * place; a message continued in later records is followed over them.
 */
static inline void lane_each_message(struct lane *l,
				     void (*fn)(struct lane *l, uint8_t type, uint8_t *body, size_t len))
{
	uint8_t *body = l->rec + T13_RECORD_HEADER;
	size_t len = l->have - T13_RECORD_HEADER, off;

	if (l->rec[0] != T13_CT_HANDSHAKE || l->ccs_seen)
		return;
	off = l->hs_carry < len ? l->hs_carry : len;
	l->hs_carry -= off;
	while (off + 4 <= len) {
		size_t msg_len = t13_get24(body + off + 1);

		if (msg_len > len - off - 4) {
			l->hs_carry = msg_len - (len - off - 4);
			return;
		}
		fn(l, body[off], body + off + 4, msg_len);
		off += 4 + msg_len;
	}
}

/*
 * The protected handshake record in the lane (a Finished, the first record
 * under @suite's key @k: seq 0), one bit of its verify_data flipped, sealed
 * again: it authenticates, its content is wrong. 1 if done.
 */
static inline int reseal_finished(struct lane *l, uint16_t suite, const struct ktlsd_dir_keys *k)
{
	uint8_t plain[4 + T12_FINISHED_LEN];
	struct t13_aead a;
	size_t off = 0, len = 0;
	int done = 0;

	if (t13_aead_init12(&a, suite, k->key, k->iv) < 0)
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

/* Bytes still to read of the current record: its header first, then its body. */
static inline size_t record_missing(struct lane *l)
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
static inline void forward_next(struct lane *l)
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
static inline void cut_after_server_hello(struct lane *l)
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

/* The engine's ChangeCipherSpec (or its record before_record) is held back; the test's records go first. */
static inline void hold_ccs(struct lane *l)
{
	if (l->before_record ? l->records != l->before_record :
	    l->rec[0] != T13_CT_CHANGE_CIPHER_SPEC)
		return;
	memcpy(l->held, l->rec, l->have);
	l->held_len = l->have;
	l->have = 0;
	if (l->before_record)
		l->record_held = 1;
	else
		l->ccs_held = 1;
	l->inject_now = 1;
}

/* A whole record came from the engine: count it, show it to the test, make room for the test's. */
static inline void record_in(struct lane *l)
{
	l->records++;
	if (l->rec[0] == T13_CT_CHANGE_CIPHER_SPEC)
		l->ccs_seen = 1;
	if (l->on_record)
		l->on_record(l);
	l->whole = 1;
	l->sent = 0;
	if (!l->inject_left)
		return;
	if (l->before_ccs || l->before_record)
		hold_ccs(l);
	else
		cut_after_server_hello(l);
	if (!l->have) {
		l->whole = 0;
		forward_next(l);
	}
}

/* Move what the lane may move in one round: 1 if a byte moved. */
static inline int move_lane(struct lane *l)
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

static inline void lane_init(struct lane *l, int from, int to, size_t chunk)
{
	memset(l, 0, sizeof(*l));
	l->from = from;
	l->to = to;
	l->chunk = chunk;
}

/*
 * The sockets of one run into @fds (each -1 until opened): fds[0] is the
 * client's end, fds[1] the server's; through the relay, fds[2] and fds[3]
 * are the relay's, facing the client and the server, and the lanes are
 * set up (whole records, or one byte a round for WIRE_BYTES). 0 or -1.
 */
static inline int relay_open(enum wire wire, int fds[4], struct lane *to_server,
			     struct lane *to_client)
{
	int a[2], b[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, a) < 0)
		return -1;
	fds[0] = a[0];
	if (wire == WIRE_DIRECT) {
		fds[1] = a[1];
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, b) < 0)
		return -1;
	fds[1] = b[0];
	fds[2] = a[1];
	fds[3] = b[1];
	lane_init(to_server, a[1], b[1], wire == WIRE_BYTES ? 1 : sizeof(to_server->rec));
	lane_init(to_client, b[1], a[1], wire == WIRE_BYTES ? 1 : sizeof(to_client->rec));
	return 0;
}

/* One round of the relay, if there is one: 1 if a byte moved. */
static inline int relay_move(enum wire wire, struct lane *to_server, struct lane *to_client)
{
	int moved;

	if (wire == WIRE_DIRECT)
		return 0;
	moved = move_lane(to_server);
	moved |= move_lane(to_client);
	return moved;
}

/* ---- After a success ---- */

static inline int dir_keys_equal(const struct ktlsd_dir_keys *a, const struct ktlsd_dir_keys *b,
				 const struct ktlsd_suite_info *info)
{
	return !memcmp(a->key, b->key, info->key_len) && !memcmp(a->iv, b->iv, info->iv_len) &&
	       a->seq == b->seq;
}

/* Our kTLS keys and BearSSL's are each other's, crosswise, both after one Finished each way. */
static inline void check_keys(const char *name, uint16_t suite, const struct ktlsd_keys *ours,
			      const struct ktlsd_keys *bearssl)
{
	const struct ktlsd_keys *c = ours, *s = bearssl;
	const struct ktlsd_suite_info *info = ktlsd_suite_by_id(suite);

	ok(c->suite == suite && s->suite == suite, "%s: kTLS keys for suite 0x%04x", name, suite);
	ok(info && dir_keys_equal(&c->tx, &s->rx, info) && c->tx.seq == 1,
	   "%s: our tx = BearSSL's rx (key, iv, seq %llu / %llu, want 1)", name,
	   (unsigned long long)c->tx.seq, (unsigned long long)s->rx.seq);
	ok(info && dir_keys_equal(&s->tx, &c->rx, info) && s->tx.seq == 1,
	   "%s: BearSSL's tx = our rx (key, iv, seq %llu / %llu, want 1)", name,
	   (unsigned long long)s->tx.seq, (unsigned long long)c->rx.seq);
	ok(info && memcmp(c->tx.key, c->rx.key, info->key_len),
	   "%s: the two directions have their own keys", name);
}

/*
 * BearSSL's first record (@want, @want_len bytes) is the next thing in our
 * socket @fd: our end read not one byte past BearSSL's Finished, and the
 * record opens under our kTLS rx keys @k (on a copy: they stay what kTLS
 * would take). Nothing follows it.
 */
static inline void check_exact_read(const char *name, int fd, const struct ktlsd_keys *k,
				    const char *want, size_t want_len)
{
	uint8_t rec[T13_RECORD_HEADER + 256];
	struct t13_aead a;
	size_t off = 0, len = 0;
	ssize_t n = read_record(fd, rec, sizeof(rec));
	int opened = -1;

	memset(&a, 0, sizeof(a));
	if (n > 0 && t13_aead_init12(&a, k->suite, k->rx.key, k->rx.iv) == 0) {
		a.seq = k->rx.seq;
		opened = t13_aead_open12(&a, rec, (size_t)n, &off, &len);
	}
	t13_aead_wipe(&a);
	ok(opened == 0 && rec[0] == T13_CT_APPLICATION_DATA && len == want_len &&
	   !memcmp(rec + off, want, len),
	   "%s: BearSSL's first application record is next in our socket, opens under our kTLS rx keys",
	   name);
	ok(env_socket_empty(fd), "%s: nothing else follows it", name);
}

/*
 * Our first record (@data, @len bytes), sealed under our kTLS tx keys @k
 * as kTLS would and sent on our socket @fd, is read by BearSSL's engine
 * @e; @round (with @arg) moves both ends and the relay one round, at most
 * @max_rounds times.
 */
static inline void check_bearssl_reads(const char *name, int fd, const struct ktlsd_keys *k,
				       const char *data, size_t len, struct br_end *e,
				       void (*round)(void *arg), void *arg, int max_rounds)
{
	uint8_t rec[T13_RECORD_HEADER + 256 + T12_MAX_OVERHEAD];
	unsigned char *app = NULL;
	struct t13_aead a;
	size_t n = 0, got = 0;

	memset(&a, 0, sizeof(a));
	if (len <= 256 && t13_aead_init12(&a, k->suite, k->tx.key, k->tx.iv) == 0) {
		a.seq = k->tx.seq;
		n = t13_aead_seal12(&a, T13_CT_APPLICATION_DATA, (const uint8_t *)data, len, rec);
	}
	t13_aead_wipe(&a);
	if (!n || send(fd, rec, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n) {
		ok(0, "%s: our first application record is sent", name);
		return;
	}
	for (int i = 0; i < max_rounds && !app && !e->closed; i++) {
		round(arg);
		app = br_ssl_engine_recvapp_buf(e->eng, &got);
	}
	ok(app && got == len && !memcmp(app, data, len),
	   "%s: BearSSL reads our first application record (sealed under our kTLS tx keys)", name);
	if (app)
		br_ssl_engine_recvapp_ack(e->eng, got);
}

/* ---- After a failure ---- */

/* How one run ended, for the failure checks: our end, and BearSSL's. */
struct t12_ending {
	const char *name;		/* the case's */
	const char *ours;		/* "our client", "our server" */
	const struct t13_error *error;	/* our end's */
	int alert_sent;			/* what t13_tx_alert() sent, -1: nothing */
	int alert_protected;		/* ... under our TLS 1.2 keys */
	const struct br_end *bearssl;
};

/* Our end failed: the alert it sent, in the clear or protected, and BearSSL read it. 1 if all hold. */
static inline int check_our_failure(const struct t12_ending *x, int status, int alert,
				    int alert_protected)
{
	const struct t13_error *e = x->error;
	int bearssl_err = br_ssl_engine_last_error(x->bearssl->eng), good;

	good = ok(e->status == status && e->alert == alert && e->alert_received == -1,
		  "%s: %s fails (status %d, alert %d), want status %d, alert %d", x->name, x->ours,
		  e->status, e->alert, status, alert);
	good &= ok(x->alert_sent == alert && x->alert_protected == alert_protected,
		   "%s: it sends alert %d %s", x->name, x->alert_sent,
		   x->alert_protected ? "under its TLS 1.2 keys" : "in the clear");
	good &= ok(bearssl_err == BR_ERR_RECV_FATAL_ALERT + alert,
		   "%s: BearSSL read it: last error %d, want %d (BR_ERR_RECV_FATAL_ALERT + %d)",
		   x->name, bearssl_err, BR_ERR_RECV_FATAL_ALERT + alert, alert);
	return good;
}

/* BearSSL failed first: its error, and the alert our end then received (-1: none). 1 if all hold. */
static inline int check_bearssl_failure(const struct t12_ending *x, int bearssl_error, int status,
					int alert)
{
	const struct t13_error *e = x->error;
	int bearssl_err = br_ssl_engine_last_error(x->bearssl->eng), good;

	good = ok(bearssl_err == bearssl_error, "%s: BearSSL fails with error %d, want %d", x->name,
		  bearssl_err, bearssl_error);
	good &= ok(e->status == status && e->alert_received == alert && e->alert == -1 &&
		   x->alert_sent == -1,
		   "%s: %s then fails with status %d, alert_received %d, and sends none back",
		   x->name, x->ours, e->status, e->alert_received);
	return good;
}

/*
 * Our end stopped on the alert the test slipped in (@alert): it sends none
 * back, and BearSSL gets no alert: mid-handshake, it sees the connection
 * end, or it had finished its handshake (@bearssl_done_first). 1 if all hold.
 */
static inline int check_test_alert(const struct t12_ending *x, int status, int alert,
				   int bearssl_done_first)
{
	const struct t13_error *e = x->error;
	const struct br_end *b = x->bearssl;
	int bearssl_err = br_ssl_engine_last_error(b->eng), good;

	good = ok(e->status == status && e->alert_received == alert && e->alert == -1 &&
		  e->tls_error == BR_ERR_RECV_FATAL_ALERT + alert,
		  "%s: %s fails (status %d, alert_received %d), want status %d, alert_received %d",
		  x->name, x->ours, e->status, e->alert_received, status, alert);
	good &= ok(x->alert_sent == -1, "%s: it sends no alert back (sent %d)", x->name, x->alert_sent);
	if (bearssl_done_first)
		good &= ok(b->handshake_done && bearssl_err == BR_ERR_OK,
			   "%s: BearSSL had finished its handshake, and got no alert (last error %d)",
			   x->name, bearssl_err);
	else
		good &= ok(!b->handshake_done && b->eof && bearssl_err == BR_ERR_OK,
			   "%s: BearSSL, mid-handshake, sees the connection end, no alert (last error %d)",
			   x->name, bearssl_err);
	return good;
}

/* The test's @count records all went to our end (@x->ours) on lane @l, where the case says. */
static inline void check_injected(const struct t12_ending *x, const struct lane *l, int count)
{
	if (l->before_record) {
		ok(l->injected == count && !l->inject_left && l->record_held,
		   "%s: the test slipped %d record(s) in to %s, before BearSSL's record %zu", x->name,
		   l->injected, x->ours, l->before_record);
		return;
	}
	ok(l->injected == count && !l->inject_left && (l->before_ccs ? l->ccs_held : l->hello_alone),
	   "%s: the test slipped %d record(s) in to %s, %s", x->name, l->injected, x->ours,
	   l->before_ccs ? "before BearSSL's ChangeCipherSpec" :
	   "right after BearSSL's ServerHello, the rest of its flight after them");
}

#endif
