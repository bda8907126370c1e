/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One TLS 1.3 connection's handshake state, and its record layer over a
 * non-blocking-by-flag TCP socket (MSG_DONTWAIT; the descriptor is the
 * application's and is never made non-blocking).
 *
 * Reads are exact, as for TLS 1.2: a record's 5-byte header, then exactly
 * its body; a record is read only when the handshake needs another byte.
 * So nothing the peer sends after its Finished is taken from the kernel,
 * and kTLS's RX starts at the peer's first application record.
 *
 * Writes are gathered: a flight's handshake messages are staged in
 * plaintext, then protected into records in the wire buffer, which is sent
 * as the socket takes it. Every byte is on the wire before kTLS's TX.
 */
#ifndef KTLSD_T13_CONN_H
#define KTLSD_T13_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "aead.h"
#include "keysched.h"
#include "t13.h"

/* The largest handshake message we accept (a client's chain, say). */
#define T13_MAX_HS_MSG		(32 * 1024)
/* Records of the ClientHello kept to hand over to the TLS 1.2 engine. */
#define T13_MAX_HELLO_RECORDS	8
/* A flight's protected records: the staged messages plus record overhead (TLS 1.2's is larger). */
#define T13_MAX_WIRE		(T13_MAX_FLIGHT + 4 * (T13_RECORD_HEADER + T12_MAX_OVERHEAD) + 512)

/* Dummy ChangeCipherSpec records, and TLS 1.2 warning alerts, dropped at most. */
#define T13_MAX_DROPPED_RECORDS	8

/* Why the handshake stopped; handshake.c turns it into the reply. */
struct t13_error {
	int status;		/* positive errno value */
	int alert;		/* alert to send, or -1 */
	int tls_error;		/* BearSSL-numbered error code (BR_ERR_*), or 0 */
	int alert_received;	/* the peer's alert, or -1 */
	char what[160];
};

/* The receiving half of the record layer. */
struct t13_rx {
	uint8_t rec[T13_RECORD_HEADER + T13_MAX_CIPHERTEXT];
	size_t have;			/* bytes of the current record read */
	size_t plain_off, plain_len;	/* unconsumed content of the record */
	uint8_t plain_type;		/* its (inner) content type */
	int keyed;			/* records are protected under aead */
	int tls12;			/* ... as TLS 1.2 records (our client's 1.2 path) */
	struct t13_aead aead;
	uint8_t msg[T13_MAX_HS_MSG];	/* the handshake message being assembled */
	size_t msg_have;
	int ccs_allowed;		/* a dummy ChangeCipherSpec may come */
	unsigned ccs_dropped;		/* ... so many came: a flood ends the handshake */
	int warnings_dropped;		/* TLS 1.2: warning alerts skipped; -1: warnings are fatal */
	size_t early_skip;		/* 0-RTT bytes we may still drop */
	/* The ClientHello's records as they came, for the TLS 1.2 engine. */
	uint16_t hello_versions[T13_MAX_HELLO_RECORDS];
	uint16_t hello_lengths[T13_MAX_HELLO_RECORDS];
	size_t hello_records;
	int keep_hello;
};

/* The sending half. */
struct t13_tx {
	uint8_t staged[T13_MAX_FLIGHT];	/* plaintext handshake messages */
	size_t staged_len;
	uint8_t wire[T13_MAX_WIRE];	/* records ready to send */
	size_t wire_len, wire_sent;
	int keyed;
	int tls12;			/* TLS 1.2 records */
	struct t13_aead aead;
};

struct t13_conn {
	int fd;
	struct t13_rx rx;
	struct t13_tx tx;
	struct t13_error error;
};

/* Start @c on @fd: nothing keyed, nothing read. */
void t13_conn_init(struct t13_conn *c, int fd);

/* Wipe every key and buffer of @c. */
void t13_conn_wipe(struct t13_conn *c);

/*
 * Record that the handshake failed: @status (errno), @alert to send (-1:
 * none), @tls_error (BR_ERR_*, or 0) and a printf-style reason. Returns -1,
 * so that callers can `return t13_fail(...)`.
 */
__attribute__((format(printf, 5, 6)))
int t13_fail(struct t13_conn *c, int status, int alert, int tls_error, const char *fmt, ...);

/* t13_fail() for a negative alert returned by a parser or a check. */
int t13_fail_alert(struct t13_conn *c, int neg_alert, const char *what);

/*
 * The next whole handshake message, header included, in *@msg (*@len
 * bytes, inside c->rx.msg; valid until t13_rx_consume()). Returns 1, 0 when
 * the socket has no more for now (wait for readability), or -1 with
 * c->error set (I/O, a peer alert, a record or framing error).
 */
int t13_rx_message(struct t13_conn *c, const uint8_t **msg, size_t *len);

/* Drop the message t13_rx_message() returned. */
void t13_rx_consume(struct t13_conn *c);

/*
 * Protect what comes next under a new key. Handshake messages may not span
 * a key change (RFC 8446 5.1): if the current record still holds content,
 * or a message is half assembled, this fails with unexpected_message.
 * Returns 0 or -1 (c->error set).
 */
int t13_rx_set_key(struct t13_conn *c, uint16_t suite, const uint8_t *key, const uint8_t iv[12]);

/*
 * TLS 1.2 (our client's path, RFC 5246): protect what is read next as TLS
 * 1.2 records of @suite12 (a KTLSD_SUITE_ECDHE_* id) under @key and the
 * key block's @fixed_iv (t13_aead_init12()). Like t13_rx_set_key(), it
 * fails with unexpected_message if handshake data is pending. Returns 0 or
 * -1 (c->error set).
 */
int t13_rx_set_key12(struct t13_conn *c, uint16_t suite12, const uint8_t *key,
		     const uint8_t *fixed_iv);

/*
 * TLS 1.2: read the peer's ChangeCipherSpec, one record, which must start
 * after a whole message (else unexpected_message); warning alerts before it
 * are skipped (see peer_alert()). Returns 1 when it came, 0 when the socket
 * has no more for now, or -1 with c->error set (a fatal alert, another
 * record: unexpected_message; a malformed one: decode_error). The caller
 * then keys the reading side.
 */
int t13_rx_change_cipher_spec(struct t13_conn *c);

/*
 * After the handshake, under the peer's application key: look at the next
 * record without taking it from the socket (MSG_PEEK). If it is whole
 * already, authenticates, and holds handshake messages only, each whole,
 * its content (the messages) is left at *@content (*@len bytes, inside
 * c->rx.rec, valid until the next read) and 1 is returned; the record is
 * still in the socket: t13_rx_take_peeked() takes it, or nothing does.
 * Returns 0 when no byte is there yet, and 2 for anything else (part of a
 * record, application data, an alert, a record that does not open): that
 * and all after it are left to kTLS. Never fails the handshake: returns
 * -1 (c->error untouched) only if the socket itself fails or is closed.
 */
int t13_rx_peek_handshake(struct t13_conn *c, const uint8_t **content, size_t *len);

/*
 * Take the record t13_rx_peek_handshake() returned 1 for from the socket:
 * it counts as read (the key's sequence number moves on). Returns 0, or -1
 * if the socket did not give exactly those bytes (c->error set).
 */
int t13_rx_take_peeked(struct t13_conn *c);

/* 1 if the current record has no content left and no message is half read. */
int t13_rx_idle(const struct t13_conn *c);

/* Append a handshake message's bytes to the staged flight; -1 if too big. */
int t13_tx_stage(struct t13_conn *c, const void *msg, size_t len);

/*
 * Protect the staged messages (under the current key, or in the clear) into
 * records of at most 2^14 bytes, appended to the wire. Returns 0, or -1
 * with c->error set (no room).
 */
int t13_tx_seal_staged(struct t13_conn *c);

/* Append a dummy ChangeCipherSpec record (RFC 8446 D.4). */
int t13_tx_ccs(struct t13_conn *c);

/* Switch the sending side to a new key; the staged area must be sealed. */
int t13_tx_set_key(struct t13_conn *c, uint16_t suite, const uint8_t *key, const uint8_t iv[12]);

/* TLS 1.2: the sending side's new key, as t13_rx_set_key12(). */
int t13_tx_set_key12(struct t13_conn *c, uint16_t suite12, const uint8_t *key,
		     const uint8_t *fixed_iv);

/*
 * Send what the wire holds. Returns 1 when all of it is sent, 0 when the
 * socket is full (wait for writability), or -1 with c->error set.
 */
int t13_tx_flush(struct t13_conn *c);

/*
 * Send a fatal alert now, protected if the sending side is keyed; best
 * effort (the peer may be gone). Returns 0 if it went out whole.
 */
int t13_tx_alert(struct t13_conn *c, int alert);

/*
 * The ClientHello reader, before an engine is chosen: returns like
 * t13_rx_message(), with the message in the clear and its records kept.
 * Returns 2 (and no message) when the first record is not a handshake
 * record or the first message not a ClientHello: the TLS 1.2 engine
 * decides what it is.
 */
int t13_rx_client_hello(struct t13_conn *c, const uint8_t **msg, size_t *len);

/*
 * Hand every byte read so far to a TLS 1.2 engine, unchanged and in order:
 * @feed is called with successive pieces. Returns what the last call
 * returned, or 0.
 */
int t13_rx_replay(const struct t13_conn *c, int (*feed)(void *arg, const uint8_t *p, size_t n),
		  void *arg);

/*
 * Our engine takes the ClientHello t13_rx_client_hello() read: stop keeping
 * records for a replay (and counting them against the ClientHello's limit).
 */
void t13_rx_hello_taken(struct t13_conn *c);

#endif
