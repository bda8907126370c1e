// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Key shares: key pairs and shared secrets for x25519 (RFC 7748) and the
 * NIST curves P-256 and P-384 (SEC 1), through BearSSL's default EC
 * implementation. BearSSL checks that a NIST point is on its curve; for
 * x25519 the all-zero result is what betrays a small-order point.
 */
#define _GNU_SOURCE
#include <string.h>

#include "group.h"
#include "../ec.h"

struct group_info {
	uint16_t group;
	int curve;		/* BearSSL's identifier */
	size_t priv_len;
	size_t pub_len;
	size_t secret_len;
};

static const struct group_info groups[] = {
	{ T13_GROUP_X25519, BR_EC_curve25519, 32, 32, 32 },
	{ T13_GROUP_SECP256R1, BR_EC_secp256r1, 32, 65, 32 },
	{ T13_GROUP_SECP384R1, BR_EC_secp384r1, 48, 97, 48 },
};

/* @group's parameters, if @ec can compute on its curve; else NULL. */
static const struct group_info *find_group(const br_ec_impl *ec, uint16_t group)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (groups[i].group != group)
			continue;
		if (!((ec->supported_curves >> groups[i].curve) & 1))
			return NULL;
		return &groups[i];
	}
	return NULL;
}

int t13_group_supported(uint16_t group)
{
	return find_group(ec_impl(), group) != NULL;
}

/*
 * A private key for @g into @priv. For x25519, 32 random bytes, as RFC 7748
 * §6.1 has it: br_ec_keygen() would take them for a big-endian number
 * below 2^255 - 1 and clear the top bit of byte 0, which in RFC 7748's
 * little-endian order is a scalar bit the clamping keeps.
 */
static int make_private(const br_ec_impl *ec, const struct group_info *g,
			const br_prng_class **rng, uint8_t *priv)
{
	if (g->curve == BR_EC_curve25519) {
		(*rng)->generate(rng, priv, g->priv_len);
		return 0;
	}
	return br_ec_keygen(rng, ec, NULL, priv, g->curve) == g->priv_len ? 0 : -1;
}

int t13_keyshare_generate(struct t13_keyshare *ks, uint16_t group,
			  const br_prng_class **rng)
{
	const br_ec_impl *ec = ec_impl();
	const struct group_info *g = find_group(ec, group);
	uint8_t priv[BR_EC_KBUF_PRIV_MAX_SIZE], pub[BR_EC_KBUF_PUB_MAX_SIZE];
	br_ec_private_key sk;
	int ret = -1;

	explicit_bzero(ks, sizeof(*ks));
	if (!g)
		return -1;
	if (make_private(ec, g, rng, priv))
		goto out;
	sk.curve = g->curve;
	sk.x = priv;
	sk.xlen = g->priv_len;
	if (br_ec_compute_pub(ec, NULL, pub, &sk) != g->pub_len)
		goto out;
	ks->group = group;
	ks->priv_len = g->priv_len;
	memcpy(ks->priv, priv, g->priv_len);
	ks->pub_len = g->pub_len;
	memcpy(ks->pub, pub, g->pub_len);
	ret = 0;
out:
	explicit_bzero(priv, sizeof(priv));
	explicit_bzero(&sk, sizeof(sk));
	return ret;
}

/* X25519(k, u) into @out; 0, or -1 for an all-zero result (§7.4.2). */
static int x25519_shared(const br_ec_impl *ec, const uint8_t priv[32],
			 const uint8_t peer[32], uint8_t out[32])
{
	uint8_t any = 0;
	uint32_t ok;

	memcpy(out, peer, 32);
	/* RFC 7748 §5: the receiver masks the u-coordinate's top bit (so
	 * does BearSSL's mul(), but its header does not promise it). */
	out[31] &= 0x7f;
	/* Unlike the NIST curves' (big-endian), BearSSL's Curve25519 mul()
	 * takes the scalar in RFC 7748's byte order, and clamps it. */
	ok = ec->mul(out, 32, priv, 32, BR_EC_curve25519);
	/* Constant time: the result is the secret, unless it is zero. */
	for (size_t i = 0; i < 32; i++)
		any |= out[i];
	return ok && any ? 0 : -1;
}

/* The x coordinate of priv * peer into @out; 0, or -1 if @peer is no point. */
static int ecdh_shared(const br_ec_impl *ec, const struct group_info *g,
		       const uint8_t *priv, const uint8_t *peer, uint8_t *out)
{
	uint8_t point[T13_KEYSHARE_MAX_PUB];
	size_t x_off, x_len;
	int ret = -1;

	/* Only the uncompressed form is allowed in TLS 1.3 (§4.2.8.2);
	 * BearSSL's mul() refuses the others too, but does not promise it. */
	if (peer[0] != 0x04)
		return -1;
	memcpy(point, peer, g->pub_len);
	if (!ec->mul(point, g->pub_len, priv, g->priv_len, g->curve))
		goto out;
	x_off = ec->xoff(g->curve, &x_len);
	if (x_len != g->secret_len)
		goto out;
	memcpy(out, point + x_off, x_len);
	ret = 0;
out:
	explicit_bzero(point, sizeof(point));
	return ret;
}

int t13_keyshare_derive(const struct t13_keyshare *ks, const uint8_t *peer, size_t peer_len,
			uint8_t *secret, size_t *secret_len)
{
	const br_ec_impl *ec = ec_impl();
	const struct group_info *g = find_group(ec, ks->group);
	int err;

	explicit_bzero(secret, T13_KEYSHARE_MAX_SECRET);
	*secret_len = 0;
	if (!g || ks->priv_len != g->priv_len)
		return -T13_ALERT_INTERNAL_ERROR;
	if (peer_len != g->pub_len)
		return -T13_ALERT_ILLEGAL_PARAMETER;
	if (g->curve == BR_EC_curve25519)
		err = x25519_shared(ec, ks->priv, peer, secret);
	else
		err = ecdh_shared(ec, g, ks->priv, peer, secret);
	if (err) {
		explicit_bzero(secret, T13_KEYSHARE_MAX_SECRET);
		return -T13_ALERT_ILLEGAL_PARAMETER;
	}
	*secret_len = g->secret_len;
	return 0;
}

void t13_keyshare_wipe(struct t13_keyshare *ks)
{
	explicit_bzero(ks, sizeof(*ks));
}
