/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One TLS handshake on one TCP socket, driven step by step from an event
 * loop, ending with kTLS installed (or a precise failure, the right alert
 * sent to the peer). The socket's file description is the application's:
 * it is never made non-blocking, every call uses MSG_DONTWAIT instead.
 *
 * Two engines: BearSSL's for TLS 1.2, ours (tls13/) for TLS 1.3. A server
 * reads the ClientHello itself, exactly, and picks one: TLS 1.3 if the
 * client offers it and the profile allows it, else BearSSL gets the bytes
 * read so far, unchanged. This file is the dispatcher.
 */
#ifndef KTLSD_HANDSHAKE_H
#define KTLSD_HANDSHAKE_H

#include <bearssl.h>

#include "config.h"
#include "entropy.h"
#include "verify.h"
#include "wire.h"
#include "client_store.h"
#include "session_cache.h"
#include "tls13/client.h"
#include "tls13/server.h"

#define HANDSHAKE_MAX_ALPN 16

enum hs_engine {
	HS_ENGINE_HELLO,	/* reading the ClientHello to choose */
	HS_ENGINE_T12,		/* BearSSL */
	HS_ENGINE_T13,		/* tls13/ */
};

enum hs_progress {
	HS_WANT_READ,	/* call handshake_step() when the socket is readable */
	HS_WANT_WRITE,	/* ... when it is writable */
	HS_DONE,	/* over: hs->reply holds the outcome */
};

struct handshake {
	int fd;
	enum ktlsd_role role;
	const struct profile *profile;
	union {
		br_ssl_client_context client;
		br_ssl_server_context server;
	} ctx;
	br_ssl_engine_context *eng;
	br_x509_minimal_context minimal;
	struct verifier verifier;
	const char *alpn_names[HANDSHAKE_MAX_ALPN];
	char alpn_store[KTLSD_ALPN_MAX];
	char server_name[KTLSD_SERVER_NAME_MAX];
	int nodelay;			/* the application's TCP_NODELAY, to restore */
	int nodelay_set;		/* BearSSL's engine: TCP_NODELAY set for the handshake */
	int sni_suppressed;		/* server_name is an IP literal: no SNI */
	struct ktlsd_wire_reply reply;
	enum hs_engine engine;
	struct t13_ticket_keys *tickets;	/* the daemon's, or NULL */
	struct client_store *sessions;		/* the workers' client sessions, or NULL */
	struct session_cache *cache12;		/* TLS 1.2 session IDs, or NULL */
	struct entropy_pool *entropy;		/* the worker's generator, or NULL */
	uint64_t sessions_epoch;		/* theirs when this handshake started */
	uint8_t t13_seed[32];		/* for the TLS 1.3 engine, if it runs */
	unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
	union {
		struct t13_server server;
		struct t13_client client;
	} t13;
	struct t13_conn conn;		/* TLS 1.3 records; the ClientHello reader */
};

/* What handshakes share with the others of their worker: every member may be NULL (none). */
struct handshake_shared {
	struct t13_ticket_keys *tickets;	/* seal and open the TLS 1.3 tickets a server issues */
	struct client_store *sessions;		/* keeps the TLS 1.3 sessions a client gets */
	struct session_cache *cache12;		/* TLS 1.2 session IDs a server resumes */
	struct entropy_pool *entropy;		/* the engines' seeds; NULL: getrandom(2) each */
};

/*
 * Prepare a handshake on @fd with @profile for @req, with what @shared
 * holds. Returns 0, or -1 with hs->reply holding the reason (EINVAL: the
 * profile cannot serve this role or request; nothing was sent to the peer).
 */
int handshake_start(struct handshake *hs, int fd, const struct profile *profile,
		    const struct ktlsd_wire_request *req, const struct handshake_shared *shared);

/*
 * When to call handshake_step() even if the socket stays silent (the
 * client waiting for tickets after its Finished), in t13_now_ms() time;
 * 0: only on socket events (and the handshake's own timeout).
 */
uint64_t handshake_wake_ms(const struct handshake *hs);

/*
 * The handshake's time is up while it only waits for what may follow it
 * (tickets): stop waiting, so that the next handshake_step() completes it.
 * Returns 1 if it was waiting, else 0 (then the timeout is a failure).
 */
int handshake_stop_waiting(struct handshake *hs);

/* Make as much progress as the socket allows without blocking. */
enum hs_progress handshake_step(struct handshake *hs);

/*
 * End the handshake now with @status (e.g. ETIMEDOUT) and @what: the peer
 * gets a user_canceled alert, the connection is shut down.
 */
void handshake_abort(struct handshake *hs, int status, const char *what);

/* Fill @reply as a failure with @status and @what, before any handshake. */
void reply_failure(struct ktlsd_wire_reply *reply, int status, const char *what);

#endif
