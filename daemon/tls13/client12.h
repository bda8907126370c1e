/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Our client's TLS 1.2 path (RFC 5246 with RFC 8422's ECDHE, RFC 7627's
 * extended master secret when the server agrees): the handshake client.c
 * hands over when the server answers our ClientHello with TLS 1.2. Same
 * connection, same transcript, same verifier; the records become TLS 1.2
 * records after the ChangeCipherSpec each side sends.
 *
 * Every function returns 0, or -1 with s->conn->error set (the alert RFC
 * 5246 or RFC 8446 names).
 */
#ifndef KTLSD_T12_CLIENT_H
#define KTLSD_T12_CLIENT_H

#include "client.h"
#include "msg_client.h"

/*
 * The TLS 1.2 ServerHello @sh (@msg, @len bytes): refused with
 * protocol_version when the profile allows only TLS 1.3 or the version is
 * not 0x0303; with illegal_parameter after a HelloRetryRequest, when the
 * random carries RFC 8446's downgrade sentinel, for a suite or ALPN name we
 * did not offer, or point formats without uncompressed.
 */
int t12_client_server_hello(struct t13_client *s, const struct t13_server_hello *sh,
			    const uint8_t *msg, size_t len);

/* The next server message, in one of the T12C_* states but the ChangeCipherSpec. */
int t12_client_dispatch(struct t13_client *s, const uint8_t *msg, size_t len);

/* The server's ChangeCipherSpec came: read under its keys from now on. */
int t12_client_change_cipher_spec(struct t13_client *s);

/* kTLS's keys, once the handshake succeeded; 0 or -1 as keys_derive(). */
int t12_client_keys(const struct t13_client *s, struct ktlsd_keys *keys);

/* Wipe the TLS 1.2 path's secrets. */
void t12_client_wipe(struct t13_client *s);

#endif
