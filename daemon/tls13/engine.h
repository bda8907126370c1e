/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the TLS 1.3 client and server share: suites' hashes, staging, keys. */
#ifndef KTLSD_T13_ENGINE_H
#define KTLSD_T13_ENGINE_H

#include <stdint.h>

#include "conn.h"
#include "msg.h"
#include "ktlsd_ktls.h"

enum t13_progress {
	T13_WANT_READ,
	T13_WANT_WRITE,
	T13_DONE,	/* success, or conn->error says why not */
};

/* What the handshake agreed on: the reply reports it. */
struct t13_outcome {
	uint16_t version;		/* T13_VERSION, or T12_VERSION (our client's 1.2 path) */
	uint16_t suite;
	uint16_t group;
	uint16_t sig_scheme;		/* ours, in CertificateVerify; 0: none */
	int hello_retry;		/* a HelloRetryRequest was needed */
	int resumed;			/* from a ticket */
	char alpn[256];
	char server_name[256];		/* the client's SNI */
	/* The peer's identity, when its certificate verified (for a server
	 * resuming: when the ticket was issued). */
	int peer_verified;
	char peer_subject[256], peer_san[256];
};

/* The hash of TLS 1.3 suite @suite: SHA-384 for AES-256-GCM, else SHA-256. */
const br_hash_class *t13_suite_hash(uint16_t suite);

/*
 * Stage the message built in @b for the next flight and add it to @t.
 * Returns 0, or -1 with c->error set (a message too large).
 */
int t13_stage(struct t13_conn *c, struct t13_transcript *t, const struct t13_buf *b);

/* Protect what @c sends, or reads, next under the keys of traffic @secret. */
int t13_set_tx_secret(struct t13_conn *c, const br_hash_class *h, uint16_t suite,
		      const uint8_t *secret);
int t13_set_rx_secret(struct t13_conn *c, const br_hash_class *h, uint16_t suite,
		      const uint8_t *secret);

/* kTLS's keys from the two application traffic secrets, for @role. */
void t13_ktls_keys(struct ktlsd_keys *keys, const struct t13_conn *c, const br_hash_class *h,
		   uint16_t suite, const uint8_t *tx_secret, const uint8_t *rx_secret);

/* The monotonic clock in ms, the same in every process of the host. */
uint64_t t13_now_ms(void);

#endif
