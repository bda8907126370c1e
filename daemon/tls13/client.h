/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS 1.3 client handshake (RFC 8446), from our ClientHello to the
 * traffic keys kTLS takes:
 *
 *   ClientHello  ->  [<- HelloRetryRequest, ClientHello ->]
 *   <- ServerHello, {EncryptedExtensions, [CertificateRequest], Certificate,
 *                    CertificateVerify, Finished}
 *   [{Certificate, CertificateVerify}], {Finished}  ->  keys
 *
 * One key share, for the profile's first group; a HelloRetryRequest for
 * another of its groups is answered once. Middlebox compatibility mode
 * (D.4): a random legacy session id, a dummy ChangeCipherSpec before our
 * second flight. The server's chain goes through the same verifier as in
 * TLS 1.2 (with verify = none it still yields the leaf's key, which must
 * sign the transcript).
 *
 * Resumption (§2.2): given a session kept from an earlier connection to the
 * same server name (sessions.h), the ClientHello offers its ticket
 * (psk_dhe_ke only; never early data); a server that takes it sends no
 * Certificate. Keeping tickets: the server sends them after our Finished,
 * under its application key, where kTLS would read them; so when asked
 * to, the handshake waits a moment after its Finished (a few round trips,
 * measured, unless a fixed wait is given) and takes the records that hold
 * only NewSessionTickets, looking at each first (MSG_PEEK) so that
 * anything else (application data) stays in the socket for kTLS.
 *
 * When the profile allows TLS 1.2 too, the ClientHello offers it, and a
 * TLS 1.2 ServerHello continues in client12.c on the same connection.
 */
#ifndef KTLSD_T13_CLIENT_H
#define KTLSD_T13_CLIENT_H

#include "conn.h"
#include "engine.h"
#include "group.h"
#include "sessions.h"
#include "../config.h"
#include "../verify.h"

#define T13_CLIENT_MAX_ALPN 16
/* New sessions kept from one connection (servers send one or two). */
#define T13_CLIENT_NEW_SESSIONS 2
/* Ticket records taken at most: a server streaming them holds no loop. */
#define T13_CLIENT_MAX_TICKET_RECORDS 8
/* The automatic ticket wait: 3 round trips and 20 ms, at most this long. */
#define T13_CLIENT_MAX_TICKET_WAIT_MS 500

/* What a handshake does about resumption; all zero: nothing. */
struct t13_client_options {
	const struct t13_client_session *resume;	/* a session to offer, or NULL */
	int keep_tickets;			/* ask for tickets; wait for them when */
	int spare_sessions;			/* ... none is left, or the one offered was refused */
	uint64_t ticket_wait_ms;		/* the longest wait; 0: from the round trip */
};

enum t13_client_state {
	T13C_FLUSH,
	T13C_SERVER_HELLO,
	T13C_ENCRYPTED_EXTENSIONS,
	T13C_CERTIFICATE_OR_REQUEST,
	T13C_CERTIFICATE,
	T13C_CERTIFICATE_VERIFY,
	T13C_FINISHED,
	T13C_TICKETS,		/* after our Finished: waiting for NewSessionTickets */
	T13C_DONE,
	/* The TLS 1.2 path (client12.h). */
	T12C_CERTIFICATE,
	T12C_SERVER_KEY_EXCHANGE,
	T12C_REQUEST_OR_DONE,
	T12C_SERVER_HELLO_DONE,
	T12C_CHANGE_CIPHER_SPEC,
	T12C_FINISHED,
};

/* What the TLS 1.2 path keeps (all of it secret but the random). */
struct t12_client_state {
	uint8_t server_random[T13_RANDOM_LEN];
	int extended_master_secret;	/* RFC 7627, as the server agreed */
	uint8_t premaster[T13_KEYSHARE_MAX_SECRET];
	size_t premaster_len;
	uint8_t master[48];
	struct ktlsd_dir_keys rx_keys;	/* for after the server's ChangeCipherSpec */
};

struct t13_client {
	struct t13_conn *conn;
	const struct profile *profile;
	struct verifier *verifier;	/* the server's chain and name */
	enum t13_client_state state, after_flush;
	br_hmac_drbg_context rng;
	struct t13_transcript transcript;
	struct t13_schedule schedule;
	struct t13_keyshare share;
	const br_hash_class *hash;
	size_t hash_len;
	uint8_t random[T13_RANDOM_LEN];
	uint8_t session_id[T13_MAX_SESSION_ID];
	uint64_t offered;		/* the extensions our ClientHello sent */
	const char *sni;		/* NULL: none sent */
	const char *const *alpn;
	size_t alpn_count;
	int ccs_sent;
	int cert_requested;
	uint8_t request_context[255];
	size_t request_context_len;
	uint16_t client_scheme;		/* ours, if we answer a CertificateRequest */
	const br_x509_pkey *server_key;
	struct t13_outcome outcome;
	struct t12_client_state t12;
	/* Resumption. */
	struct t13_client_session resume;	/* offered when resume.ticket_len */
	int psk_offered;			/* in the last ClientHello */
	int keep_tickets, spare_sessions;
	int waited_for_tickets;			/* rx is under the server's application key */
	uint64_t ticket_wait_ms;
	uint64_t hello_sent_ms, rtt_ms, tickets_until_ms;
	struct t13_client_session new_sessions[T13_CLIENT_NEW_SESSIONS];
	uint32_t new_lifetimes[T13_CLIENT_NEW_SESSIONS];
	size_t new_session_count;
	unsigned ticket_records;		/* taken from the socket */
};

/*
 * Start a handshake on @conn with @profile: build and queue our
 * ClientHello. @sni is sent as server_name (NULL: none, e.g. an IP
 * literal); @verifier checks the server's chain and name; @alpn lists the
 * protocols offered. @seed (32 bytes from getrandom) seeds the handshake's
 * generator. @opt (NULL: none) says what to do about resumption; its
 * session is copied. Returns 0, or -1 with conn->error set.
 */
int t13_client_start(struct t13_client *s, struct t13_conn *conn, const struct profile *profile,
		     struct verifier *verifier, const char *sni, const char *const *alpn,
		     size_t alpn_count, const uint8_t seed[32], const struct t13_client_options *opt);

/*
 * While waiting for tickets: the time (t13_now_ms()) at which to call
 * t13_client_step() even if the socket stays silent; 0 when not waiting.
 */
uint64_t t13_client_wake_ms(const struct t13_client *s);

/* Stop waiting for tickets: the next t13_client_step() ends the handshake. */
void t13_client_stop_waiting(struct t13_client *s);

/* As t13_server_step(). */
enum t13_progress t13_client_step(struct t13_client *s);

/*
 * The application traffic keys for kTLS, once the handshake succeeded (in
 * either version: s->outcome.version says which). Returns 0, or -1 for a
 * suite kTLS cannot carry (not one we offer).
 */
int t13_client_keys(const struct t13_client *s, struct ktlsd_keys *keys);

/* Wipe the handshake's secrets. */
void t13_client_wipe(struct t13_client *s);

#endif
