// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_hs_client: daemon/handshake.c as the TLS client, fed the server's bytes.
 *
 * Input: one byte of setup, then everything the server sends, in order.
 *   bits 0-1, 3, 4  the profile and request (hs.c, client_variants): index
 *             bits 0-1 plus 4 for bit 3 plus 8 for bit 4, wrapping past the
 *             last; 0-3 allow TLS 1.2 and 1.3 (the daemon's client offers
 *             both, and a TLS 1.2 answer continues in its own TLS 1.2
 *             client, daemon/tls13/client12.c), 4-9 TLS 1.3 only
 *   bit 2     when the input runs out: handshake_abort() (the daemon's
 *             timeout) instead of the peer closing its side (EOF)
 * The daemon speaks first: its ClientHello, the same bytes every time (the
 * random source is fixed), so a recorded server flight still fits it.
 * The daemon runs on one end of a unix socketpair; the input is written to
 * the other end as the socket takes it, and whatever the daemon sends is read
 * and dropped. It steps until HS_DONE. See hs.h for what is made
 * deterministic and what is faked (only the kTLS setsockopts).
 */
#include "hs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return hs_fuzz_one(KTLSD_ROLE_CLIENT, data, size);
}
