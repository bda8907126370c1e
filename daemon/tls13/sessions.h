/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS 1.3 sessions our client keeps to resume (RFC 8446 §4.6.1, §2.2):
 * the tickets servers sent it, each with the PSK it stands for, filed under
 * the profile and the server name it was verified against. Caller-allocated
 * and bounded: T13_SESSIONS_MAX in all, T13_SESSIONS_PER_NAME per profile
 * and name (the oldest goes first); a session is given out once (§C.4:
 * a ticket is not reused, so two connections cannot be linked by it) and
 * never after its lifetime, the server's (at most 7 days) cut to @max_ms.
 *
 * PSKs are secrets: every slot is wiped when it is taken, dropped,
 * evicted, and by t13_sessions_wipe().
 */
#ifndef KTLSD_T13_SESSIONS_H
#define KTLSD_T13_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "t13.h"
#include "ktlsd.h"

#define T13_SESSIONS_MAX	256
#define T13_SESSIONS_PER_NAME	4
/* Longer tickets are not kept (they are opaque to us; servers send ~100-300 bytes). */
#define T13_SESSION_MAX_TICKET	1024
#define T13_SESSION_MAX_KEY	(KTLSD_PROFILE_MAX + KTLSD_SERVER_NAME_MAX)	/* profile NUL name NUL */

struct t13_client_session {
	char key[T13_SESSION_MAX_KEY];		/* profile "\0" server name; "" when free */
	uint16_t suite;				/* of the connection that got it: its hash is the PSK's */
	uint8_t psk[T13_MAX_HASH];
	size_t psk_len;
	uint8_t ticket[T13_SESSION_MAX_TICKET];
	size_t ticket_len;
	uint32_t age_add;
	uint64_t received_ms, expires_ms;
	/*
	 * When the server's certificate was last verified (a full handshake):
	 * sessions resumed from sessions keep it, so the chain of resumptions
	 * ends @max_ms (or 7 days) after it. 0: the put's time.
	 */
	uint64_t authenticated_ms;
	/* The server's identity, as verified when the session was made. */
	int peer_verified;
	char peer_subject[256], peer_san[256];
};

struct t13_sessions {
	struct t13_client_session slot[T13_SESSIONS_MAX];
	uint64_t max_ms;			/* our own cap on a session's life */
	/*
	 * Counts t13_sessions_clear() calls: a handshake started before a
	 * reload keeps nothing after it (its profile may trust otherwise).
	 */
	uint64_t epoch;
};

/*
 * Empty @s; sessions live at most @max_ms (0: no cap of ours) and never
 * longer than the server says, nor 7 days.
 */
void t13_sessions_init(struct t13_sessions *s, uint64_t max_ms);

/*
 * Keep @sess for @profile and @server_name (both non-empty, shorter than
 * KTLSD_PROFILE_MAX and KTLSD_SERVER_NAME_MAX: else nothing is kept, -1). @lifetime_s
 * is the ticket's (0: not kept, §4.6.1). @sess->key and expires_ms are set
 * here. Evicts the oldest session of that name beyond
 * T13_SESSIONS_PER_NAME, else an expired one, else the oldest of all.
 * Returns 0, or -1 when nothing was kept.
 */
int t13_sessions_put(struct t13_sessions *s, const char *profile, const char *server_name,
		     const struct t13_client_session *sess, uint32_t lifetime_s, uint64_t now_ms);

/*
 * Take (remove) the newest live session for @profile and @server_name into
 * @out. Returns 1, or 0 when there is none (@out then zeroed).
 */
int t13_sessions_take(struct t13_sessions *s, const char *profile, const char *server_name,
		      uint64_t now_ms, struct t13_client_session *out);

/* How many live sessions @profile and @server_name have. */
size_t t13_sessions_count(const struct t13_sessions *s, const char *profile, const char *server_name,
			  uint64_t now_ms);

/* Drop the sessions of @profile and @server_name (a server refused one: the rest are stale too). */
void t13_sessions_forget(struct t13_sessions *s, const char *profile, const char *server_name);

/*
 * Drop every session (a reload: profiles, and what they trust, may have
 * changed), and move to the next epoch.
 */
void t13_sessions_clear(struct t13_sessions *s);

/* Wipe @s whole. */
void t13_sessions_wipe(struct t13_sessions *s);

#endif
