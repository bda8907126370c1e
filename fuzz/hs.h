/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The handshake targets' shared half (fuzz_hs_server, fuzz_hs_client, and
 * gen_hs_seeds, which records their seed flights): the profiles the daemon
 * side runs with, a deterministic random source, and the loop that steps
 * daemon/handshake.c on one end of a unix socketpair.
 *
 * Determinism: handshake_start() seeds BearSSL from getrandom(), and BearSSL
 * adds its own system seeder (RDRAND or /dev/urandom). Both are replaced in
 * these binaries (BearSSL is linked statically, br_prng_seeder_system() is
 * ours), so a handshake with the same peer bytes takes the same path every
 * time: a recorded flight from a BearSSL peer stays valid through Finished,
 * and the fuzzer's coverage feedback is not noise.
 *
 * kTLS: the final setsockopt(TCP_ULP "tls") and (SOL_TLS, TLS_TX/RX) are
 * answered 0 here, so a complete handshake reaches the success path and its
 * reply (names from the peer's certificate, SNI, ALPN) as in the daemon.
 * Other setsockopts (TCP_NODELAY on a unix socket) fail as they would:
 * handshake.c ignores those results.
 */
#ifndef KTLSD_FUZZ_HS_H
#define KTLSD_FUZZ_HS_H

#include <stddef.h>
#include <stdint.h>

#include "handshake.h"

#define HS_VARIANTS 4

struct hs_variant {
	const char *name;		/* for seed files */
	const char *profile;
	const char *server_name;	/* in the request */
	const char *alpn;		/* in the request */
	/* What the BearSSL peer of gen_hs_seeds does. */
	int peer_client_cert;		/* peer client presents client.crt */
	int peer_rsa;			/* peer server uses server-rsa */
	int peer_asks_client_cert;	/* peer server requests a certificate */
	const char *peer_alpn;		/* "" for none */
};

/* The @i-th (modulo HS_VARIANTS) variant for the daemon in @role. */
const struct hs_variant *hs_variant(enum ktlsd_role role, unsigned i);

/* The daemon's configuration, loaded once (aborts if it does not load). */
const struct config *hs_config(void);

/* The daemon side: a handshake on sv[0]; sv[1] is the peer's end. */
struct hs_run {
	struct handshake *hs;
	int sv[2];
};

/* Start the daemon's handshake. Aborts if it does not start. */
void hs_run_start(struct hs_run *r, enum ktlsd_role role, const struct hs_variant *v);

/* Close both ends and free the handshake. */
void hs_run_end(struct hs_run *r);

/* Read and drop what the daemon sent; the number of bytes. */
size_t hs_drain(int fd);

/* Fill @len bytes with the fixed "random" bytes (BearSSL peers use it too). */
void hs_fixed_random(void *buf, size_t len);

/* One input of a handshake target: @data[0] picks the variant and the end. */
int hs_fuzz_one(enum ktlsd_role role, const uint8_t *data, size_t size);

#endif
