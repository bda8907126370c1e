/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS 1.3 server handshake (RFC 8446), from a ClientHello already read
 * by t13_rx_client_hello() to the traffic keys kTLS takes:
 *
 *   ClientHello  ->  [HelloRetryRequest, <- ClientHello]
 *                    ServerHello, {EncryptedExtensions, [CertificateRequest],
 *                    Certificate, CertificateVerify, Finished}
 *   [{Certificate, CertificateVerify}], {Finished}  ->  keys
 *
 * Resumption: after the client's Finished, one NewSessionTicket whose
 * ticket is the session sealed under the daemon's ticket keys (ticket.h);
 * a ClientHello offering one of ours, for the same profile, server name and
 * hash, with psk_dhe_ke, resumes without certificates (a new key exchange
 * every time; psk_ke is never taken). 0-RTT data is never accepted (its
 * records are skipped, 4.2.10).
 *
 * A ClientHello that does not offer TLS 1.3, to a profile that allows 1.2,
 * goes on in server12.c on the same connection (RFC 5246).
 */
#ifndef KTLSD_T13_SERVER_H
#define KTLSD_T13_SERVER_H

#include "conn.h"
#include "engine.h"
#include "group.h"
#include "ticket.h"
#include "../config.h"
#include "../session_cache.h"
#include "../verify.h"
#include "ktlsd_ktls.h"

enum t13_server_state {
	T13S_HELLO,
	T13S_HELLO_AGAIN,	/* after our HelloRetryRequest */
	T13S_FLUSH,
	T13S_CERTIFICATE,
	T13S_CERTIFICATE_VERIFY,
	T13S_FINISHED,
	T13S_TICKET,		/* the client's Finished verified: our ticket */
	T13S_DONE,
	/* The TLS 1.2 path (server12.h). */
	T12S_CLIENT_CERTIFICATE,	/* asked for with our CertificateRequest */
	T12S_CLIENT_KEY_EXCHANGE,
	T12S_CERTIFICATE_VERIFY,	/* the client sent a certificate */
	T12S_CHANGE_CIPHER_SPEC,
	T12S_FINISHED,
};

/* What the TLS 1.2 path keeps (all of it secret but the randoms and the id). */
struct t12_server_state {
	uint8_t client_random[T13_RANDOM_LEN], server_random[T13_RANDOM_LEN];
	uint8_t session_id[32];
	size_t session_id_len;		/* 0: the session is not kept */
	int extended_master_secret;	/* RFC 7627, both agreed */
	int client_certified;		/* the client sent a chain: its CertificateVerify follows */
	uint8_t master[48];
	struct ktlsd_dir_keys tx_keys;	/* for after our ChangeCipherSpec */
	struct ktlsd_dir_keys rx_keys;	/* for after the client's ChangeCipherSpec */
};

struct t13_server {
	struct t13_conn *conn;
	const struct profile *profile;
	struct verifier *verifier;	/* NULL: no client certificates */
	enum t13_server_state state, after_flush;
	br_hmac_drbg_context rng;
	struct t13_transcript transcript;
	struct t13_schedule schedule;
	struct t13_keyshare share;
	const br_hash_class *hash;
	size_t hash_len;
	uint8_t session_id[T13_MAX_SESSION_ID];
	size_t session_id_len;
	int ccs_sent;
	const br_x509_pkey *client_key;	/* the client's leaf key */
	struct t13_ticket_keys *tickets;	/* NULL: no resumption */
	int psk_dhe_offered;		/* the client may resume with psk_dhe_ke */
	int psk_index;			/* the identity resumed, or -1 */
	struct t13_session session;	/* ... its ticket */
	struct session_cache *cache12;	/* TLS 1.2 session IDs, or NULL: none kept */
	struct t12_server_state t12;
	struct t13_outcome outcome;
};

/*
 * Prepare @s to answer on @conn (whose rx holds the ClientHello) with
 * @profile; @verifier checks client certificates (NULL when the profile
 * asks for none); @tickets seal and open session tickets (NULL: none
 * issued, none taken); @cache12 keeps and resumes TLS 1.2 sessions (NULL:
 * none; never with a @verifier, as a resumed session carries no client
 * chain). @seed (32 bytes from getrandom) seeds the handshake's generator.
 * The ClientHello's records are no longer kept for a replay
 * (t13_rx_hello_taken()). Returns 0.
 */
int t13_server_start(struct t13_server *s, struct t13_conn *conn, const struct profile *profile,
		     struct verifier *verifier, struct t13_ticket_keys *tickets,
		     struct session_cache *cache12, const uint8_t seed[32]);

/*
 * Make as much progress as the socket allows. T13_DONE: conn->error.status
 * is 0 on success (then t13_server_keys()), else the failure, its alert not
 * yet sent (the caller sends it with t13_tx_alert()).
 */
enum t13_progress t13_server_step(struct t13_server *s);

/*
 * The application traffic keys for kTLS, once the handshake succeeded.
 * Returns 0, or -1 if TLS 1.2's key block could not be derived.
 */
int t13_server_keys(const struct t13_server *s, struct ktlsd_keys *keys);

/* Wipe the handshake's secrets. */
void t13_server_wipe(struct t13_server *s);

#endif
