/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checking what the peer sends to authenticate, the same for both roles:
 * its Certificate (through the verifier, as in TLS 1.2), its
 * CertificateVerify, its Finished.
 */
#ifndef KTLSD_T13_PEER_H
#define KTLSD_T13_PEER_H

#include "conn.h"
#include "msg.h"
#include "../verify.h"
#include "ktlsd.h"

/* Certificates we take from a peer. */
#define T13_MAX_CHAIN		16

/*
 * Run the peer's @chain (@n >= 1 certificates, leaf first) through @v,
 * checking @name (NULL: none); *@key gets the leaf's key, which must be
 * allowed to sign. @role is ours. The TLS 1.3 and the TLS 1.2 Certificate
 * both end here. Returns 0, or -1 with c->error set (the verifier's error
 * mapped as in TLS 1.2).
 */
int t13_peer_chain(struct t13_conn *c, struct verifier *v, const char *name, enum ktlsd_role role,
		   const struct t13_cert_entry *chain, size_t n, const br_x509_pkey **key);

/*
 * Parse the peer's Certificate @msg and run its chain through @v, checking
 * @name (NULL: none). The request context must be empty (we send none).
 * *@n gets the number of certificates: 0 is for the caller to judge (a
 * client may send none; a server may not). With certificates, *@key gets
 * the leaf's key, which must be allowed to sign. @role is ours. Returns 0,
 * or -1 with c->error set (the verifier's error mapped as in TLS 1.2).
 */
int t13_peer_certificate(struct t13_conn *c, struct verifier *v, const char *name,
			 enum ktlsd_role role, const uint8_t *msg, size_t len,
			 const br_x509_pkey **key, size_t *n);

/*
 * Check the peer's CertificateVerify @msg with @key over @transcript_hash
 * (@from_server: the peer is the server). Returns 0, or -1 with c->error.
 */
int t13_peer_certificate_verify(struct t13_conn *c, const br_x509_pkey *key, int from_server,
				const uint8_t *transcript_hash, size_t hash_len,
				const uint8_t *msg, size_t len);

/*
 * Check the peer's Finished @msg against HMAC(finished key of @base_key,
 * @transcript_hash), then that nothing follows it under the handshake key
 * (5.1): the message is consumed. Returns 0, or -1 with c->error.
 */
int t13_peer_finished(struct t13_conn *c, const br_hash_class *h, const uint8_t *base_key,
		      const uint8_t *transcript_hash, const uint8_t *msg, size_t len);

#endif
