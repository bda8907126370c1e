/* SPDX-License-Identifier: GPL-2.0-or-later */
/* From a finished BearSSL handshake to the keys kTLS takes. */
#ifndef KTLSD_KEYS_H
#define KTLSD_KEYS_H

#include <stdint.h>

#include <bearssl.h>

#include "ktlsd_ktls.h"

/*
 * The TLS 1.2 key block: PRF(master_secret, "key expansion",
 * server_random || client_random), with SHA-256 or SHA-384 as the suite
 * says, split for @role. Returns 0, or -1 for a suite kTLS cannot carry.
 */
int keys_derive(struct ktlsd_keys *keys, uint16_t suite, enum ktlsd_role role,
		const uint8_t master_secret[48], const uint8_t client_random[32],
		const uint8_t server_random[32], uint64_t tx_seq, uint64_t rx_seq);

/*
 * The same, read from @eng once its handshake is complete: suite, master
 * secret and randoms, and the sequence numbers its record layers reached.
 * Returns 0, or -1 with a reason in *@why (wrong version, a suite or record
 * layer kTLS cannot take over).
 */
int keys_from_engine(struct ktlsd_keys *keys, const br_ssl_engine_context *eng,
		     enum ktlsd_role role, const char **why);

#endif
