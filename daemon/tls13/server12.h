/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Our server's TLS 1.2 path (RFC 5246 with RFC 8422's ECDHE, RFC 7627's
 * extended master secret, RFC 5746's renegotiation_info): what follows a
 * ClientHello that does not offer TLS 1.3, to a profile that allows 1.2.
 *
 *   ClientHello  ->  ServerHello, Certificate, ServerKeyExchange,
 *                    [CertificateRequest], ServerHelloDone
 *   [Certificate], ClientKeyExchange, [CertificateVerify],
 *   ChangeCipherSpec, Finished  ->  ChangeCipherSpec, Finished  ->  keys
 *
 * or, resuming a session ID from the workers' cache (RFC 5246 §7.3):
 *
 *   ClientHello  ->  ServerHello, ChangeCipherSpec, Finished
 *   ChangeCipherSpec, Finished  ->  keys
 *
 * ECDHE signed with the profile's key (through the key process in a
 * worker), AEAD suites only: the six kTLS carries. With a verifier, a
 * CertificateRequest offers the three schemes of the suite's PRF hash (the
 * one the transcript still runs: ECDSA, RSA-PSS, PKCS#1), the verifier
 * judges the client's chain, and its CertificateVerify must verify over
 * the transcript; such sessions are not kept. Fail closed where the RFCs let a server choose: no
 * signature_algorithms is a handshake_failure (RFC 9155 §4: no SHA-1
 * signature), a ClientHello without supported_groups gets secp256r1 if the
 * profile allows it (RFC 8422 §4), else handshake_failure.
 */
#ifndef KTLSD_T12_SERVER12_H
#define KTLSD_T12_SERVER12_H

#include "server.h"
#include "msg.h"

/*
 * The first ClientHello (@ch, parsed from @msg, @len bytes), when TLS 1.2 is
 * the version: choose, and send our first flight. Returns 0, or -1 with
 * s->conn->error set (its alert not yet sent).
 */
int t12_server_client_hello(struct t13_server *s, const struct t13_client_hello *ch,
			    const uint8_t *msg, size_t len);

/* A handshake message in one of the T12S_* states that read one. Returns 0 or -1. */
int t12_server_dispatch(struct t13_server *s, const uint8_t *msg, size_t len);

/* The client's ChangeCipherSpec came (T12S_CHANGE_CIPHER_SPEC): key the reading side. 0 or -1. */
int t12_server_change_cipher_spec(struct t13_server *s);

/* The keys for kTLS once the handshake succeeded. 0, or -1 (no key block). */
int t12_server_keys(const struct t13_server *s, struct ktlsd_keys *keys);

/* Wipe the path's secrets. */
void t12_server_wipe(struct t13_server *s);

#endif
