// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_hs_server: daemon/handshake.c as the TLS server, fed the client's bytes.
 *
 * Input: one byte of setup, then everything the client sends, in order.
 *   bits 0-1, 3  the profile and request (hs.c, server_variants): index
 *             bits 0-1 plus 4 for bit 3; 0-3 allow TLS 1.2 and 1.3 (but
 *             1, max_version 1.2), 4-7 TLS 1.3 only; 2 and 6 require a
 *             client certificate
 *   bit 2     when the input runs out: handshake_abort() (the daemon's
 *             timeout) instead of the peer closing its side (EOF)
 * A ClientHello runs our engine (daemon/tls13/): TLS 1.3 if it offers 1.3
 * to a profile allowing it, else its TLS 1.2 server path (server12.c);
 * BearSSL's TLS 1.2 engine gets the profiles that require a client
 * certificate, and a first record that is no ClientHello.
 * The daemon runs on one end of a unix socketpair; the input is written to
 * the other end as the socket takes it, and whatever the daemon sends is read
 * and dropped. It steps until HS_DONE. See hs.h for what is made
 * deterministic and what is faked (only the kTLS setsockopts).
 */
#include "hs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return hs_fuzz_one(KTLSD_ROLE_SERVER, data, size);
}
