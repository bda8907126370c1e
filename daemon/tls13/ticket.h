/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stateless TLS 1.3 session tickets (RFC 8446 §4.6.1; the format follows
 * RFC 5077 §4's recommended one): the ticket a NewSessionTicket carries is
 * the session state itself, encrypted and authenticated under a ticket key
 * only the daemon knows, so the daemon keeps no session cache.
 *
 * The sealed ticket, as it goes on the wire (T13_TICKET_OVERHEAD = 44
 * bytes around the state):
 *
 *   key_name[16] || nonce[12] || AES-256-GCM(state) || tag[16]
 *
 * with the key name as the GCM additional data (the nonce is GCM's own).
 * The state, before encryption, big-endian, every length explicit:
 *
 *   offset  size   field
 *   0       1      format version (T13_TICKET_VERSION = 1)
 *   1       2      suite (one of the three of §B.4)
 *   3       1      psk_len: the suite's hash length, 32 or 48
 *   4       n      psk
 *   4+n     8      issued_ms (the server's clock)
 *   12+n    4      lifetime_s (<= 604800)
 *   16+n    4      age_add
 *   20+n    1      peer_verified (0 or 1)
 *   21+n    1+m    profile: length m (<= 63), then m bytes, no NUL
 *   ...     1+m    alpn (m <= 63)
 *   ...     1+m    server_name (m <= 255)
 *   ...     1+m    peer_subject (m <= 255)
 *   ...     1+m    peer_san (m <= 255)
 *
 * and nothing after: 58 to 965 bytes. A resumption of a plain session
 * (SHA-256 suite, no ALPN, short names) sends a ticket of about 120 bytes.
 *
 * Keys rotate: the current key seals, it and the previous one open. A ticket
 * therefore opens for between one and two rotation periods after it was
 * sealed (whatever its lifetime says): the caller should announce a
 * lifetime_s no longer than the period. Nonces are random (96 bits): keep
 * the number of tickets sealed under one key well below 2^32 (NIST SP
 * 800-38D §8.3), which any sane period does.
 */
#ifndef KTLSD_T13_TICKET_H
#define KTLSD_T13_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "t13.h"

#define T13_TICKET_KEY_LEN	32	/* AES-256-GCM */
#define T13_TICKET_NAME_LEN	16
#define T13_TICKET_NONCE_LEN	12
#define T13_TICKET_TAG_LEN	16
#define T13_TICKET_VERSION	1
#define T13_TICKET_MAX_LIFETIME	604800	/* seconds: 7 days (§4.6.1) */

/* The bytes around the state: key name, nonce, tag. */
#define T13_TICKET_OVERHEAD	(T13_TICKET_NAME_LEN + T13_TICKET_NONCE_LEN + T13_TICKET_TAG_LEN)
/* The state's fixed fields, a 32-byte PSK and five empty strings; and the largest. */
#define T13_TICKET_MIN_STATE	(1 + 2 + 1 + 32 + 8 + 4 + 4 + 1 + 5)
#define T13_TICKET_MAX_STATE	(1 + 2 + 1 + T13_MAX_HASH + 8 + 4 + 4 + 1 + 5 + 63 + 63 + 3 * 255)
#define T13_TICKET_MIN_LEN	(T13_TICKET_OVERHEAD + T13_TICKET_MIN_STATE)
#define T13_TICKET_MAX_LEN	(T13_TICKET_OVERHEAD + T13_TICKET_MAX_STATE)

struct t13_ticket_key {
	uint8_t name[T13_TICKET_NAME_LEN];	/* random: tells the keys apart */
	uint8_t key[T13_TICKET_KEY_LEN];
	uint64_t created_ms;
	int valid;				/* 0: an empty slot */
};

/*
 * The daemon's ticket keys: the current one seals; it and the previous one
 * open (a ticket issued just before a rotation stays good for one more
 * period). Caller-allocated, no globals.
 */
struct t13_ticket_keys {
	struct t13_ticket_key current, previous;
	uint64_t rotate_ms;			/* the period; 0: only t13_ticket_keys_rotate() rotates */
	int rotated_elsewhere;			/* 1: another process rotates them, not t13_ticket_keys_tick() */
};

/*
 * Fresh keys: a current key (its name random too) made at @now_ms, no
 * previous one. @rotate_ms: how often t13_ticket_keys_tick() rotates.
 * Returns 0, or -1 with errno set by getrandom() (@k then zeroed).
 */
int t13_ticket_keys_init(struct t13_ticket_keys *k, uint64_t now_ms, uint64_t rotate_ms);

/*
 * Rotate if the current key has reached the period, i.e. @now_ms >=
 * created_ms + rotate_ms: current becomes previous (the old previous is
 * wiped), and a new current is made at @now_ms. Nothing happens when
 * rotate_ms is 0, rotated_elsewhere is set (a worker's copy of the
 * supervisor's keys), or the clock went backwards. Returns 1 if it rotated, 0
 * if not, -1 with errno set by getrandom() (the keys then unchanged).
 */
int t13_ticket_keys_tick(struct t13_ticket_keys *k, uint64_t now_ms);

/*
 * Rotate now (on reload), as t13_ticket_keys_tick() does at the period.
 * Returns 0, or -1 with errno set by getrandom() (the keys then unchanged).
 */
int t13_ticket_keys_rotate(struct t13_ticket_keys *k, uint64_t now_ms);

/* Wipe every key in @k (and the rest of it). */
void t13_ticket_keys_wipe(struct t13_ticket_keys *k);

/* What a ticket carries: the state needed to resume and to report the resumed session. */
struct t13_session {
	uint16_t suite;			/* resumption needs the same hash (the owner checks suite compatibility) */
	uint8_t psk[T13_MAX_HASH];	/* the resumption PSK (t13_resumption_psk()) */
	size_t psk_len;			/* the suite's hash length */
	uint64_t issued_ms;		/* server clock, for the lifetime */
	uint32_t lifetime_s;		/* as sent in the NewSessionTicket, <= 604800 (7 days, §4.6.1) */
	uint32_t age_add;
	char profile[64];		/* the profile that issued it: a ticket resumes only under the same profile */
	char alpn[64];			/* the ALPN chosen, to keep it the same */
	char server_name[256];		/* the SNI it was issued for */
	uint8_t peer_verified;		/* the client's certificate verified when it was issued (0 or 1) */
	char peer_subject[256], peer_san[256];
};

/*
 * Seal @s under k->current into @out (@cap bytes): key name (16) || nonce
 * (12) || AES-256-GCM(state) || tag (16), the layout above. @rng gives the
 * 12-byte nonce (random: never reused under one key). Nothing but @out's
 * ticket is left behind (the serialised state is wiped).
 * Returns the ticket's length (at most T13_TICKET_MAX_LEN), or 0 with
 * nothing written if @cap is too small, if k->current is not valid, or if
 * @s is one t13_ticket_open() would refuse whatever the time: unknown
 * suite, psk_len not the suite's hash length, lifetime_s > 604800,
 * peer_verified not 0 or 1, a string that fills its array (no NUL).
 */
size_t t13_ticket_seal(const struct t13_ticket_keys *k, const struct t13_session *s,
		       const br_prng_class **rng, uint8_t *out, size_t cap);

/*
 * Open @ticket (@len bytes from a client: hostile, any length) at @now_ms.
 * Returns 0 with @s filled (its strings NUL-terminated, the rest of each
 * array zero); or -1, @s zeroed, if: the length is outside
 * [T13_TICKET_MIN_LEN, T13_TICKET_MAX_LEN]; the key name is neither the
 * current nor the previous valid key's; the tag is wrong (checked in
 * constant time, before anything is decrypted); the state is malformed
 * (another version, a length running past its end or bytes after it) or a
 * field is out of range (as for t13_ticket_seal(), and a NUL inside a
 * string); the ticket was issued after @now_ms, or has expired
 * (@now_ms > issued_ms + lifetime_s * 1000). Reads only @ticket's @len
 * bytes; the decrypted state is wiped whatever the outcome.
 */
int t13_ticket_open(const struct t13_ticket_keys *k, const uint8_t *ticket, size_t len,
		    uint64_t now_ms, struct t13_session *s);

/*
 * The ticket age check of §8.3 / §4.2.11: the client's @obfuscated_age
 * minus s->age_add (mod 2^32) is its ticket age in ms; returns 1 if that
 * is within @window_ms (inclusive) of the server's own, @now_ms -
 * s->issued_ms, else 0 (also when @now_ms is before issued_ms). Used to
 * flag replays of a captured ClientHello; not an error for full handshakes.
 */
int t13_ticket_age_ok(const struct t13_session *s, uint32_t obfuscated_age, uint64_t now_ms,
		      uint32_t window_ms);

/*
 * For the tests and the fuzzer only, not for the daemon: seal @state_len
 * bytes of a hand-made @state (any bytes, any length) under @key with
 * @nonce, exactly as t13_ticket_seal() seals a serialised session, so that
 * malformed states can be made into tickets that authenticate.
 * Returns the ticket's length, T13_TICKET_OVERHEAD + @state_len; or 0,
 * nothing written, if @cap is too small or @key is not valid.
 */
size_t t13_ticket_seal_state(const struct t13_ticket_key *key,
			     const uint8_t nonce[T13_TICKET_NONCE_LEN], const uint8_t *state,
			     size_t state_len, uint8_t *out, size_t cap);

#endif
