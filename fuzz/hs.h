/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The handshake targets' shared half (fuzz_hs_server, fuzz_hs_client, and
 * gen_seeds, which records their seed flights): the profiles the daemon
 * side runs with, a deterministic random source, and the loop that steps
 * daemon/handshake.c on one end of a unix socketpair.
 *
 * Determinism: handshake_start() seeds BearSSL from getrandom(), and BearSSL
 * adds its own system seeder (RDRAND or /dev/urandom); the TLS 1.3 engine
 * is seeded from getrandom() in handshake_step(), once the ClientHello is
 * read. All are replaced in these binaries (BearSSL is linked statically,
 * br_prng_seeder_system() is ours; getrandom() answers fixed bytes inside
 * handshake_start() and hs_step()), so a handshake with the same peer bytes
 * takes the same path every time: the daemon's randoms, key shares and
 * signatures repeat, so a recorded flight from a real peer (a BearSSL one,
 * or for TLS 1.3 openssl s_client, gnutls-cli, curl against the daemon's
 * server, openssl s_server, gnutls-serv against its client) stays valid
 * through its Finished, and the fuzzer's coverage feedback is not noise.
 * The client's TLS 1.3 engine is seeded in handshake_start(): its
 * ClientHello, key share included, is the same every time, so the
 * server's recorded answer still fits it.
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

/*
 * The setup byte of a handshake input: bits 0-1, 3 and (client only) 4
 * pick the variant, bit 2 ends the handshake by timeout instead of EOF.
 * The client's 16 indices wrap over its HS_CLIENT_VARIANTS.
 */
#define HS_SERVER_VARIANTS	8
#define HS_CLIENT_VARIANTS	10
#define HS_ABORT_AT_END		4

struct hs_variant {
	const char *name;		/* for seed files */
	const char *profile;
	int tls13_only;			/* the profile's min_version is 1.3 */
	int tls12_only;			/* its max_version is 1.2 */
	const char *server_name;	/* in the request */
	const char *alpn;		/* in the request */
	/* What the BearSSL peer of gen_seeds does. */
	int peer_client_cert;		/* peer client presents client.crt */
	int peer_rsa;			/* peer server uses server-rsa */
	int peer_asks_client_cert;	/* peer server requests a certificate */
	const char *peer_alpn;		/* "" for none */
};

/* The variant the setup byte @head picks for the daemon in @role. */
const struct hs_variant *hs_variant(enum ktlsd_role role, uint8_t head);

/* The number of variants for @role (HS_SERVER_VARIANTS or HS_CLIENT_VARIANTS). */
unsigned hs_variant_count(enum ktlsd_role role);

/* The setup byte that picks the @i-th variant (i < hs_variant_count()), ending by EOF. */
uint8_t hs_variant_head(unsigned i);

/*
 * The variant of @role called @name, and the setup byte that picks it in
 * *@head; NULL if there is none.
 */
const struct hs_variant *hs_variant_by_name(enum ktlsd_role role, const char *name, uint8_t *head);

/* The daemon's configuration, loaded once (aborts if it does not load). */
const struct config *hs_config(void);

/* The daemon side: a handshake on sv[0]; sv[1] is the peer's end. */
struct hs_run {
	struct handshake *hs;
	int sv[2];
};

/* Start the daemon's handshake. Aborts if it does not start. */
void hs_run_start(struct hs_run *r, enum ktlsd_role role, const struct hs_variant *v);

/*
 * One handshake_step() on the fixed random source: the TLS 1.3 engine is
 * seeded when the ClientHello has been read, not in handshake_start().
 */
enum hs_progress hs_step(struct hs_run *r);

/* Close both ends and free the handshake. */
void hs_run_end(struct hs_run *r);

/* Read and drop what the daemon sent; the number of bytes. */
size_t hs_drain(int fd);

/* Fill @len bytes with the fixed "random" bytes (BearSSL peers use it too). */
void hs_fixed_random(void *buf, size_t len);

/* One input of a handshake target: @data[0] picks the variant and the end. */
int hs_fuzz_one(enum ktlsd_role role, const uint8_t *data, size_t size);

#endif
