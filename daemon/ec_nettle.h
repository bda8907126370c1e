/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * BearSSL's elliptic-curve hooks on nettle (libhogweed): X25519, P-256 and
 * P-384 through nettle's side-channel silent code, which is several times
 * faster than BearSSL 0.6's portable code; P-521 stays on br_ec_all_m31.
 * Built with KTLSD_X25519_SODIUM (make X25519=sodium, the default), X25519
 * is libsodium's instead: constant time too, and about twice nettle's
 * speed (ec_init() starts libsodium).
 *
 * Both entry points fit where BearSSL takes its own: ec_nettle_impl() is a
 * br_ec_impl (br_ssl_engine_set_ec(), br_ec_keygen(), ...), and
 * ec_nettle_ecdsa_sign_asn1() is a br_ecdsa_sign (the iecdsa argument of
 * br_ssl_server_set_single_ec()).
 *
 * Neither keeps state: both are safe to call from any thread at once.
 * Memory: nettle takes its points, scalars and scratch from GMP's allocator
 * (the heap), and GMP's default allocator aborts the process when it runs
 * out. Every copy of a secret this file makes, or can reach (our stack,
 * nettle's ecc_scalar and ecc_point, GMP integers), is wiped before it is
 * freed; nettle's own scratch inside curve25519_mul() and ecc_point_mul()
 * is freed unwiped, unless GMP's free function is made to wipe.
 */
#ifndef KTLSD_EC_NETTLE_H
#define KTLSD_EC_NETTLE_H

#include <stddef.h>

#include <bearssl.h>

/*
 * A br_ec_impl on nettle for X25519, P-256 and P-384; P-521 goes to
 * br_ec_all_m31's code. supported_curves, generator(), order() and xoff()
 * are br_ec_all_m31's own. The three multiplications keep BearSSL's
 * contracts (bearssl_ec.h), made strict where BearSSL leaves the result
 * open:
 *
 * mul(G, Glen, x, xlen, curve): x times the point G, written over G.
 *	X25519: G is a 32-byte little-endian u-coordinate (its top bit
 *	ignored), x at most 32 bytes in RFC 7748's order (little-endian; a
 *	shorter x is zero-extended at its top end), clamped as RFC 7748 §5
 *	says; an all-zero result (a small-order G) is returned with 1, as
 *	BearSSL does: the caller checks it.
 *	P-256, P-384: G is an uncompressed point (04 || X || Y), x big-endian
 *	of any length (leading zeros allowed).
 *	Returns 1; or 0, G then unchanged, when Glen is not the curve's point
 *	length, G is not a point of the curve (another first byte, a
 *	coordinate not below p, off the curve, the all-zero "infinity"), x is
 *	longer than 32 bytes (X25519), or x is 0 or not below the order
 *	(P-256, P-384; BearSSL's result is undefined there, and on P-521
 *	it is BearSSL's).
 * mulgen(R, x, xlen, curve): x times the generator into R. Returns the
 *	point's length (32, 65, 97; 133 for P-521); or 0, nothing written,
 *	for an x mul() refuses (on P-521, BearSSL's result for such an x).
 * muladd(A, B, len, x, xlen, y, ylen, curve): x A + y B written over A,
 *	B NULL for the generator; NIST curves only (X25519 returns 0, as
 *	BearSSL's does). Returns 1; or 0, A unchanged, when len is not the
 *	point length, A or B is not a point of the curve, x or y is 0 or not
 *	below the order (P-256, P-384), or the sum is the point at infinity.
 * On a curve the impl does not support, the three return 0, generator()
 * and order() NULL with *len 0, xoff() 0 with *len 0 (BearSSL would read
 * past its tables).
 *
 * Constant time in the scalars and the results, as BearSSL promises
 * (nettle's multiplications; GMP's mpn_sec_* and mpn_cnd_* for muladd's
 * final addition). What returns early: a point's validity (public), and a
 * scalar out of range (a caller's bug).
 *
 * Returns a pointer to that impl (constant data); never NULL.
 */
const br_ec_impl *ec_nettle_impl(void);

/*
 * A br_ecdsa_sign: ECDSA (ANSI X9.62, the hash truncated to the order's
 * length) of @hash_value, the output of @hf (its length from @hf->desc),
 * with @sk, into @sig as DER, exactly as br_ecdsa_i31_sign_asn1() writes it
 * (room for 72 bytes for P-256, 104 for P-384, 139 for P-521).
 *
 * P-256 and P-384 are signed with nettle, whatever @impl is; the nonce
 * comes from an HMAC-DRBG (SHA-256) seeded with the private key, the hash
 * and 32 bytes of getrandom(), local to the call: with a weak kernel
 * generator it is still a secret deterministic nonce (RFC 6979's idea),
 * and two signatures of the same hash differ. Other curves go to
 * br_ecdsa_i31_sign_asn1(@impl, ...).
 *
 * Returns the signature's length; or 0, nothing written to @sig, when
 * @impl does not support @sk->curve, @sk->x is 0 or not below the curve's
 * order (a key of another curve), @hf's output length is 0, getrandom()
 * fails, or (other curves) BearSSL's signer fails.
 */
size_t ec_nettle_ecdsa_sign_asn1(const br_ec_impl *impl, const br_hash_class *hf, const void *hash_value,
				 const br_ec_private_key *sk, void *sig);

#endif
