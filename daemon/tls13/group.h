/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * (EC)DHE key shares (RFC 8446 §4.2.8, §7.4) for x25519, secp256r1 and
 * secp384r1, on BearSSL's EC implementations.
 */
#ifndef KTLSD_T13_GROUP_H
#define KTLSD_T13_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "t13.h"

#define T13_KEYSHARE_MAX_PRIV	48
#define T13_KEYSHARE_MAX_PUB	97	/* secp384r1, uncompressed */
#define T13_KEYSHARE_MAX_SECRET	48

/*
 * One of our key pairs. @priv is the scalar as its group's document
 * writes it: for x25519 the 32 bytes of RFC 7748 (little-endian, clamped
 * when used), for the NIST curves big-endian (SEC 1). @pub is the
 * key_exchange field of our KeyShareEntry (§4.2.8.2): 32 bytes for x25519,
 * an uncompressed point (04 || x || y) for the NIST curves.
 */
struct t13_keyshare {
	uint16_t group;
	uint8_t priv[T13_KEYSHARE_MAX_PRIV];
	size_t priv_len;
	uint8_t pub[T13_KEYSHARE_MAX_PUB];
	size_t pub_len;
};

/* 1 if we support @group (T13_GROUP_X25519, _SECP256R1, _SECP384R1), else 0. */
int t13_group_supported(uint16_t group);

/*
 * Make a fresh key pair for @group in @ks with the random generator @rng
 * (already seeded). Returns 0, or -1 if @group is not supported (@ks is
 * then zeroed).
 */
int t13_keyshare_generate(struct t13_keyshare *ks, uint16_t group,
			  const br_prng_class **rng);

/*
 * The shared secret of @ks with the peer's key_exchange bytes @peer
 * (@peer_len bytes) into @secret (room for T13_KEYSHARE_MAX_SECRET):
 * x25519's 32-byte result, or the NIST curves' x coordinate (32 or 48
 * bytes, §7.4.2). Returns 0 with *@secret_len set, or
 *   -T13_ALERT_ILLEGAL_PARAMETER: @peer has the wrong length, is not an
 *	uncompressed point (first byte 4), is not on the curve, or gives an
 *	all-zero x25519 result (a small-order point, §7.4.2);
 *   -T13_ALERT_INTERNAL_ERROR: @ks holds no key pair of a supported group.
 * @secret is zeroed on error.
 */
int t13_keyshare_derive(const struct t13_keyshare *ks, const uint8_t *peer, size_t peer_len,
			uint8_t *secret, size_t *secret_len);

/* Wipe the private key in @ks (and everything else). */
void t13_keyshare_wipe(struct t13_keyshare *ks);

#endif
