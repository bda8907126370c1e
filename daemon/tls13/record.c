// SPDX-License-Identifier: GPL-2.0-or-later
/* The record layer of one handshake of ours (TLS 1.3, and TLS 1.2 for our client): exact reads, gathered writes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conn.h"

#define ALERT_LEVEL_FATAL 2

void t13_conn_init(struct t13_conn *c, int fd)
{
	memset(&c->error, 0, sizeof(c->error));
	c->error.alert = -1;
	c->error.alert_received = -1;
	memset(&c->rx, 0, offsetof(struct t13_rx, rec));
	c->rx.have = c->rx.plain_off = c->rx.plain_len = c->rx.msg_have = 0;
	c->rx.keyed = c->rx.ccs_allowed = c->rx.tls12 = 0;
	c->rx.ccs_dropped = 0;
	c->rx.warnings_dropped = -1;
	c->rx.early_skip = 0;
	c->rx.hello_records = 0;
	c->rx.keep_hello = 0;
	c->tx.staged_len = c->tx.wire_len = c->tx.wire_sent = 0;
	c->tx.keyed = c->tx.tls12 = 0;
	c->fd = fd;
}

void t13_conn_wipe(struct t13_conn *c)
{
	t13_aead_wipe(&c->rx.aead);
	t13_aead_wipe(&c->tx.aead);
	/* Handshake content protected by the keys above passed through these. */
	explicit_bzero(c->rx.rec, sizeof(c->rx.rec));
	explicit_bzero(c->rx.msg, sizeof(c->rx.msg));
	explicit_bzero(c->tx.staged, sizeof(c->tx.staged));
	explicit_bzero(c->tx.wire, sizeof(c->tx.wire));
}

int t13_fail(struct t13_conn *c, int status, int alert, int tls_error, const char *fmt, ...)
{
	va_list ap;

	/* The first failure is the cause; what follows is its consequence. */
	if (c->error.status)
		return -1;
	c->error.status = status;
	c->error.alert = alert;
	c->error.tls_error = tls_error;
	va_start(ap, fmt);
	vsnprintf(c->error.what, sizeof(c->error.what), fmt, ap);
	va_end(ap);
	return -1;
}

int t13_fail_alert(struct t13_conn *c, int neg_alert, const char *what)
{
	int alert = -neg_alert;

	if (alert <= 0 || alert > 255)
		alert = T13_ALERT_INTERNAL_ERROR;
	return t13_fail(c, EPROTO, alert, 0, "%s", what);
}

static int io_error(struct t13_conn *c, int err)
{
	if (err == ECONNRESET || err == EPIPE)
		return t13_fail(c, ECONNRESET, -1, 0, "the peer reset the connection");
	return t13_fail(c, err, -1, 0, "%s", strerror(err));
}

/* Read until the current record holds @want bytes: 1, 0 (EAGAIN) or -1. */
static int read_exact(struct t13_conn *c, size_t want)
{
	struct t13_rx *rx = &c->rx;

	while (rx->have < want) {
		ssize_t n = recv(c->fd, rx->rec + rx->have, want - rx->have, MSG_DONTWAIT);

		if (n > 0) {
			rx->have += (size_t)n;
			continue;
		}
		if (n == 0)
			return t13_fail(c, ECONNABORTED, -1, 0,
					"the peer closed the connection during the handshake");
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return io_error(c, errno);
	}
	return 1;
}

/* One whole record into rx->rec: 1, 0 (EAGAIN) or -1. */
static int read_record(struct t13_conn *c)
{
	struct t13_rx *rx = &c->rx;
	size_t len, limit;
	int r;

	r = read_exact(c, T13_RECORD_HEADER);
	if (r <= 0)
		return r;
	len = t13_get16(rx->rec + 3);
	/*
	 * Protected records carry up to 256 bytes of expansion (5.2); in TLS
	 * 1.2 every record is protected once keyed, and our AEAD suites add
	 * at most an explicit nonce and a tag to 2^14 bytes.
	 */
	if (rx->tls12)
		limit = rx->keyed ? T13_MAX_PLAINTEXT + T12_MAX_OVERHEAD : T13_MAX_PLAINTEXT;
	else
		limit = rx->rec[0] == T13_CT_APPLICATION_DATA ? T13_MAX_CIPHERTEXT : T13_MAX_PLAINTEXT;
	if (len > limit)
		return t13_fail(c, EPROTO, T13_ALERT_RECORD_OVERFLOW, BR_ERR_TOO_LARGE,
				"record of %zu bytes", len);
	return read_exact(c, T13_RECORD_HEADER + len);
}

/*
 * The peer's alert: the handshake is over, and no alert goes back. But a
 * TLS 1.2 server's warning (unrecognized_name, RFC 6066 §3) is skipped, a
 * few times, as RFC 5246 7.2 lets a client do.
 */
static int peer_alert(struct t13_conn *c, const uint8_t *body, size_t len)
{
	if (len != 2)
		return t13_fail(c, EPROTO, T13_ALERT_DECODE_ERROR, BR_ERR_BAD_ALERT,
				"malformed alert record");
	if (body[0] == 1 && c->rx.warnings_dropped >= 0 && body[1] != T13_ALERT_CLOSE_NOTIFY &&
	    body[1] != T13_ALERT_USER_CANCELED &&
	    c->rx.warnings_dropped++ < T13_MAX_DROPPED_RECORDS)
		return 0;
	c->error.alert_received = body[1];
	if (body[1] == T13_ALERT_CLOSE_NOTIFY || body[1] == T13_ALERT_USER_CANCELED)
		return t13_fail(c, ECONNABORTED, -1, BR_ERR_RECV_FATAL_ALERT + body[1],
				"the peer closed the connection during the handshake");
	return t13_fail(c, EPROTO, -1, BR_ERR_RECV_FATAL_ALERT + body[1],
			"the peer sent a fatal alert");
}

/* A dummy ChangeCipherSpec is dropped (5); any other is an error. */
static int change_cipher_spec(struct t13_conn *c, const uint8_t *body, size_t len)
{
	if (!c->rx.ccs_allowed || len != 1 || body[0] != 1 ||
	    c->rx.ccs_dropped++ == T13_MAX_DROPPED_RECORDS)
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_BAD_CCS,
				"unexpected ChangeCipherSpec");
	return 0;
}

/*
 * Open a protected record. A server that refused 0-RTT drops records it
 * cannot open while its early-data allowance lasts (4.2.10).
 */
static int open_record(struct t13_conn *c, size_t len)
{
	struct t13_rx *rx = &c->rx;
	uint8_t type;
	size_t plain;
	int r;

	r = t13_aead_open(&rx->aead, rx->rec, T13_RECORD_HEADER + len, &type, &plain);
	if (r == -T13_ALERT_BAD_RECORD_MAC && rx->early_skip >= len) {
		rx->early_skip -= len;
		return 0;
	}
	rx->early_skip = 0;
	if (r < 0)
		return t13_fail(c, EPROTO, -r, r == -T13_ALERT_BAD_RECORD_MAC ? BR_ERR_BAD_MAC : 0,
				"%s", r == -T13_ALERT_BAD_RECORD_MAC ? "record authentication failed" :
				r == -T13_ALERT_RECORD_OVERFLOW ? "record too large" :
				"record with no content type");
	if (type == T13_CT_ALERT)
		return peer_alert(c, rx->rec + T13_RECORD_HEADER, plain);
	if (type != T13_CT_HANDSHAKE)
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"content type %u during the handshake", type);
	if (plain == 0)
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"empty handshake record");
	rx->plain_off = 0;
	rx->plain_len = plain;
	rx->plain_type = type;
	return 0;
}

/*
 * Open a TLS 1.2 record: handshake content or an alert, under the outer
 * type (no inner type in 1.2).
 */
static int open_record12(struct t13_conn *c, size_t len)
{
	struct t13_rx *rx = &c->rx;
	uint8_t type = rx->rec[0];
	size_t off, plain;
	int r;

	if (type != T13_CT_HANDSHAKE && type != T13_CT_ALERT)
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"record of type %u during the handshake", type);
	/* The version the ServerHello agreed on, in every record from then on. */
	if (t13_get16(rx->rec + 1) != T12_VERSION)
		return t13_fail(c, EPROTO, T13_ALERT_PROTOCOL_VERSION, BR_ERR_BAD_VERSION,
				"record of version %#06x in a TLS 1.2 handshake",
				t13_get16(rx->rec + 1));
	r = t13_aead_open12(&rx->aead, rx->rec, T13_RECORD_HEADER + len, &off, &plain);
	if (r < 0)
		return t13_fail(c, EPROTO, -r, r == -T13_ALERT_BAD_RECORD_MAC ? BR_ERR_BAD_MAC : 0,
				"%s", r == -T13_ALERT_BAD_RECORD_MAC ? "record authentication failed" :
				r == -T13_ALERT_RECORD_OVERFLOW ? "record too large" : "record layer failure");
	if (type == T13_CT_ALERT)
		return peer_alert(c, rx->rec + off, plain);
	/* RFC 5246 6.2.1: no empty handshake fragments. */
	if (plain == 0)
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"empty handshake record");
	rx->plain_off = off - T13_RECORD_HEADER;
	rx->plain_len = plain;
	rx->plain_type = type;
	return 0;
}

/* Keep a ClientHello record's framing, to replay it to the 1.2 engine. */
static int keep_hello_record(struct t13_conn *c, size_t len)
{
	struct t13_rx *rx = &c->rx;

	if (rx->hello_records == T13_MAX_HELLO_RECORDS)
		return t13_fail(c, EPROTO, T13_ALERT_DECODE_ERROR, BR_ERR_BAD_HANDSHAKE,
				"ClientHello spread over more than %d records", T13_MAX_HELLO_RECORDS);
	rx->hello_versions[rx->hello_records] = t13_get16(rx->rec + 1);
	rx->hello_lengths[rx->hello_records] = (uint16_t)len;
	rx->hello_records++;
	return 0;
}

/* Act on the record in rx->rec; handshake content is left in plain_*. */
static int process_record(struct t13_conn *c)
{
	struct t13_rx *rx = &c->rx;
	const uint8_t *body = rx->rec + T13_RECORD_HEADER;
	size_t len = t13_get16(rx->rec + 3);

	if (rx->tls12 && rx->keyed)
		return open_record12(c, len);
	switch (rx->rec[0]) {
	case T13_CT_CHANGE_CIPHER_SPEC:
		return change_cipher_spec(c, body, len);
	case T13_CT_ALERT:
		/* Peers that cannot open our records say so in the clear. */
		return peer_alert(c, body, len);
	case T13_CT_HANDSHAKE:
		if (rx->keyed)
			return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
					"unprotected handshake record after the key change");
		if (len == 0)
			return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
					"empty handshake record");
		if (rx->keep_hello && keep_hello_record(c, len) < 0)
			return -1;
		rx->plain_off = 0;
		rx->plain_len = len;
		rx->plain_type = T13_CT_HANDSHAKE;
		return 0;
	case T13_CT_APPLICATION_DATA:
		if (rx->keyed)
			return open_record(c, len);
		/* 0-RTT data sent before the second ClientHello it must wait for. */
		if (rx->early_skip >= len) {
			rx->early_skip -= len;
			return 0;
		}
		/* fall through */
	default:
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNKNOWN_TYPE,
				"record of type %u during the handshake", rx->rec[0]);
	}
}

/* Move content from the record into the message, up to @want bytes in all. */
static void take(struct t13_rx *rx, size_t want)
{
	size_t n = want - rx->msg_have;

	if (n > rx->plain_len)
		n = rx->plain_len;
	memcpy(rx->msg + rx->msg_have, rx->rec + T13_RECORD_HEADER + rx->plain_off, n);
	rx->msg_have += n;
	rx->plain_off += n;
	rx->plain_len -= n;
}

/* 1 when the message is whole, 0 when it needs more content, -1 too big. */
static int message_whole(struct t13_conn *c, size_t *len)
{
	struct t13_rx *rx = &c->rx;
	size_t need;

	if (rx->msg_have < 4) {
		take(rx, 4);
		if (rx->msg_have < 4)
			return 0;
	}
	need = 4 + (size_t)t13_get24(rx->msg + 1);
	if (need > T13_MAX_HS_MSG)
		return t13_fail(c, EPROTO, T13_ALERT_DECODE_ERROR, BR_ERR_TOO_LARGE,
				"handshake message of %zu bytes (at most %d)", need, T13_MAX_HS_MSG);
	take(rx, need);
	*len = need;
	return rx->msg_have == need;
}

/* Read the next record, exactly, and act on it: 1, 0 (EAGAIN) or -1. */
static int next_record(struct t13_conn *c)
{
	int r = read_record(c);

	if (r <= 0)
		return r;
	c->rx.have = 0;
	return process_record(c) < 0 ? -1 : 1;
}

int t13_rx_message(struct t13_conn *c, const uint8_t **msg, size_t *len)
{
	struct t13_rx *rx = &c->rx;
	int r;

	for (;;) {
		r = message_whole(c, len);
		if (r != 0) {
			*msg = rx->msg;
			return r;
		}
		/* The record is used up: read the next one. */
		r = next_record(c);
		if (r <= 0)
			return r;
	}
}

void t13_rx_consume(struct t13_conn *c)
{
	c->rx.msg_have = 0;
}

int t13_rx_idle(const struct t13_conn *c)
{
	return c->rx.plain_len == 0 && c->rx.msg_have == 0;
}

int t13_rx_set_key(struct t13_conn *c, uint16_t suite, const uint8_t *key, const uint8_t iv[12])
{
	if (!t13_rx_idle(c))
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"handshake data across a key change");
	if (t13_aead_init(&c->rx.aead, suite, key, iv) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "unknown cipher suite");
	c->rx.keyed = 1;
	return 0;
}

int t13_rx_set_key12(struct t13_conn *c, uint16_t suite12, const uint8_t *key,
		     const uint8_t *fixed_iv)
{
	if (!t13_rx_idle(c))
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"handshake data across a key change");
	if (t13_aead_init12(&c->rx.aead, suite12, key, fixed_iv) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "unknown cipher suite");
	c->rx.keyed = c->rx.tls12 = 1;
	return 0;
}

int t13_rx_change_cipher_spec(struct t13_conn *c)
{
	struct t13_rx *rx = &c->rx;
	const uint8_t *body = rx->rec + T13_RECORD_HEADER;
	size_t len;
	int r;

	/* RFC 5246 7.1: the ChangeCipherSpec comes between whole messages. */
	if (!t13_rx_idle(c))
		return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
				"handshake data where a ChangeCipherSpec belongs");
	for (;;) {
		r = read_record(c);
		if (r <= 0)
			return r;
		rx->have = 0;
		len = t13_get16(rx->rec + 3);
		switch (rx->rec[0]) {
		case T13_CT_CHANGE_CIPHER_SPEC:
			if (len != 1 || body[0] != 1)
				return t13_fail(c, EPROTO, T13_ALERT_DECODE_ERROR, BR_ERR_BAD_CCS,
						"malformed ChangeCipherSpec");
			return 1;
		case T13_CT_ALERT:
			/* A warning skipped: the ChangeCipherSpec may be right behind it. */
			if (peer_alert(c, body, len) < 0)
				return -1;
			continue;
		default:
			return t13_fail(c, EPROTO, T13_ALERT_UNEXPECTED_MESSAGE, BR_ERR_UNEXPECTED,
					"record of type %u where a ChangeCipherSpec belongs",
					rx->rec[0]);
		}
	}
}

int t13_rx_peek_handshake(struct t13_conn *c, const uint8_t **content, size_t *len)
{
	struct t13_rx *rx = &c->rx;
	uint64_t seq = rx->aead.seq;
	size_t body, plain, off;
	ssize_t n;
	uint8_t type;
	int r;

	n = recv(c->fd, rx->rec, T13_RECORD_HEADER, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	if ((size_t)n < T13_RECORD_HEADER || rx->rec[0] != T13_CT_APPLICATION_DATA)
		return 2;
	body = t13_get16(rx->rec + 3);
	if (body > T13_MAX_CIPHERTEXT)
		return 2;
	/* Only a whole record: waiting for the rest would spin on a level-triggered poll. */
	n = recv(c->fd, rx->rec, T13_RECORD_HEADER + body, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 || (size_t)n != T13_RECORD_HEADER + body)
		return 2;
	/* Only looked at: an authenticated record moved the count, a refused one may have too. */
	r = t13_aead_open(&rx->aead, rx->rec, T13_RECORD_HEADER + body, &type, &plain);
	rx->aead.seq = seq;
	if (r < 0)
		return 2;
	if (type != T13_CT_HANDSHAKE || plain == 0)
		return 2;
	/* Whole messages only: one split across records is kTLS's (ktlsd_recv refuses it). */
	for (off = 0; off < plain;) {
		size_t need;

		if (plain - off < 4)
			return 2;
		need = 4 + (size_t)t13_get24(rx->rec + T13_RECORD_HEADER + off + 1);
		if (need > plain - off)
			return 2;
		off += need;
	}
	rx->have = T13_RECORD_HEADER + body;
	*content = rx->rec + T13_RECORD_HEADER;
	*len = plain;
	return 1;
}

int t13_rx_take_peeked(struct t13_conn *c)
{
	uint8_t sink[256];
	size_t left = c->rx.have;

	/* The bytes were seen already: read them into a scratch buffer, in pieces. */
	while (left) {
		ssize_t n = recv(c->fd, sink, left < sizeof(sink) ? left : sizeof(sink), MSG_DONTWAIT);

		if (n <= 0) {
			explicit_bzero(sink, sizeof(sink));
			return t13_fail(c, EPROTO, -1, 0, "a peeked record went missing");
		}
		left -= (size_t)n;
	}
	explicit_bzero(sink, sizeof(sink));
	c->rx.have = 0;
	c->rx.aead.seq++;
	return 0;
}

int t13_rx_client_hello(struct t13_conn *c, const uint8_t **msg, size_t *len)
{
	struct t13_rx *rx = &c->rx;
	int r;

	rx->keep_hello = 1;
	for (;;) {
		/* A handshake record holding something else: not ours to judge. */
		if (rx->msg_have == 0 && rx->plain_len > 0 &&
		    rx->rec[T13_RECORD_HEADER + rx->plain_off] != T13_HS_CLIENT_HELLO)
			return 2;
		r = message_whole(c, len);
		if (r != 0) {
			*msg = rx->msg;
			return r;
		}
		r = read_exact(c, T13_RECORD_HEADER);
		if (r <= 0)
			return r;
		if (rx->rec[0] != T13_CT_HANDSHAKE)
			return 2;
		r = next_record(c);
		if (r <= 0)
			return r;
	}
}

void t13_rx_hello_taken(struct t13_conn *c)
{
	c->rx.keep_hello = 0;
}

int t13_rx_replay(const struct t13_conn *c, int (*feed)(void *arg, const uint8_t *p, size_t n),
		  void *arg)
{
	const struct t13_rx *rx = &c->rx;
	const uint8_t *tail = rx->rec + T13_RECORD_HEADER + rx->plain_off;
	size_t from_msg = 0, from_tail = 0, i;
	uint8_t head[T13_RECORD_HEADER];
	int r = 0;

	/*
	 * The kept records' content is the assembled message followed by
	 * what is left of the last record; a record whose header alone was
	 * read (not a handshake record) follows them, raw.
	 */
	for (i = 0; i < rx->hello_records; i++) {
		size_t len = rx->hello_lengths[i], n;

		head[0] = T13_CT_HANDSHAKE;
		t13_put16(head + 1, rx->hello_versions[i]);
		t13_put16(head + 3, (unsigned)len);
		r = feed(arg, head, sizeof(head));
		if (r < 0)
			return r;
		n = rx->msg_have - from_msg < len ? rx->msg_have - from_msg : len;
		if (n && (r = feed(arg, rx->msg + from_msg, n)) < 0)
			return r;
		from_msg += n;
		if (len > n) {
			r = feed(arg, tail + from_tail, len - n);
			if (r < 0)
				return r;
			from_tail += len - n;
		}
	}
	if (rx->have)
		r = feed(arg, rx->rec, rx->have);
	return r;
}

int t13_tx_stage(struct t13_conn *c, const void *msg, size_t len)
{
	struct t13_tx *tx = &c->tx;

	if (len > sizeof(tx->staged) - tx->staged_len)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0,
				"handshake flight larger than %zu bytes", sizeof(tx->staged));
	memcpy(tx->staged + tx->staged_len, msg, len);
	tx->staged_len += len;
	return 0;
}

static int wire_room(struct t13_conn *c, size_t need)
{
	if (need > sizeof(c->tx.wire) - c->tx.wire_len)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "handshake flight too large");
	return 0;
}

/* One record of @type holding @len bytes of @data, appended to the wire. */
static int put_record(struct t13_conn *c, uint8_t type, const uint8_t *data, size_t len)
{
	struct t13_tx *tx = &c->tx;
	uint8_t *out = tx->wire + tx->wire_len;

	if (tx->keyed && tx->tls12) {
		if (wire_room(c, T13_RECORD_HEADER + len + T12_MAX_OVERHEAD) < 0)
			return -1;
		tx->wire_len += t13_aead_seal12(&tx->aead, type, data, len, out);
		return 0;
	}
	if (tx->keyed) {
		if (wire_room(c, T13_RECORD_HEADER + len + 1 + T13_AEAD_TAG) < 0)
			return -1;
		tx->wire_len += t13_aead_seal(&tx->aead, type, data, len, 0, out);
		return 0;
	}
	if (wire_room(c, T13_RECORD_HEADER + len) < 0)
		return -1;
	out[0] = type;
	t13_put16(out + 1, T13_LEGACY_VERSION);
	t13_put16(out + 3, (unsigned)len);
	memcpy(out + T13_RECORD_HEADER, data, len);
	tx->wire_len += T13_RECORD_HEADER + len;
	return 0;
}

int t13_tx_seal_staged(struct t13_conn *c)
{
	struct t13_tx *tx = &c->tx;

	for (size_t off = 0; off < tx->staged_len; off += T13_MAX_PLAINTEXT) {
		size_t n = tx->staged_len - off;

		if (n > T13_MAX_PLAINTEXT)
			n = T13_MAX_PLAINTEXT;
		if (put_record(c, T13_CT_HANDSHAKE, tx->staged + off, n) < 0)
			return -1;
	}
	explicit_bzero(tx->staged, tx->staged_len);
	tx->staged_len = 0;
	return 0;
}

int t13_tx_ccs(struct t13_conn *c)
{
	static const uint8_t ccs[] = { T13_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1 };

	if (wire_room(c, sizeof(ccs)) < 0)
		return -1;
	memcpy(c->tx.wire + c->tx.wire_len, ccs, sizeof(ccs));
	c->tx.wire_len += sizeof(ccs);
	return 0;
}

int t13_tx_set_key(struct t13_conn *c, uint16_t suite, const uint8_t *key, const uint8_t iv[12])
{
	if (c->tx.staged_len)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0,
				"messages staged across a key change");
	if (t13_aead_init(&c->tx.aead, suite, key, iv) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "unknown cipher suite");
	c->tx.keyed = 1;
	return 0;
}

int t13_tx_set_key12(struct t13_conn *c, uint16_t suite12, const uint8_t *key,
		     const uint8_t *fixed_iv)
{
	if (c->tx.staged_len)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0,
				"messages staged across a key change");
	if (t13_aead_init12(&c->tx.aead, suite12, key, fixed_iv) < 0)
		return t13_fail(c, EPROTO, T13_ALERT_INTERNAL_ERROR, 0, "unknown cipher suite");
	c->tx.keyed = c->tx.tls12 = 1;
	return 0;
}

int t13_tx_flush(struct t13_conn *c)
{
	struct t13_tx *tx = &c->tx;

	while (tx->wire_sent < tx->wire_len) {
		ssize_t n = send(c->fd, tx->wire + tx->wire_sent, tx->wire_len - tx->wire_sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n >= 0) {
			tx->wire_sent += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return io_error(c, errno);
	}
	tx->wire_len = tx->wire_sent = 0;
	return 1;
}

int t13_tx_alert(struct t13_conn *c, int alert)
{
	const uint8_t body[2] = { ALERT_LEVEL_FATAL, (uint8_t)alert };
	struct t13_error saved = c->error;

	/* Behind whatever part of a flight is still unsent, never inside it. */
	c->tx.staged_len = 0;
	if (put_record(c, T13_CT_ALERT, body, sizeof(body)) < 0) {
		c->error = saved;
		return -1;
	}
	if (t13_tx_flush(c) != 1) {
		c->error = saved;
		return -1;
	}
	return 0;
}
