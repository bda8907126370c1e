/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ECDSA's private operation, the signature of every ECDSA handshake,
 * chosen once at build time: OpenSSL's libcrypto (`make ECDSA=openssl`, the
 * default whenever RSA=openssl brings libcrypto in: about twice nettle's
 * speed for P-256 here, 22 µs against 47 µs; its nonces are hedged: output
 * of libcrypto's DRBG, seeded from getrandom(2), hashed with the private
 * key and the digest), or the elliptic-curve code's
 * own signer (`make ECDSA=ec`: nettle's, with hedged nonces, or BearSSL's;
 * ec.h). Only processes that hold private keys call it: the key process,
 * and the supervisor, which loads them.
 *
 * A key for libcrypto is made once, when the key is loaded (creds.c), from
 * BearSSL's decoded form: struct ecdsa_fast. Everything here takes NULL for
 * "the EC code's signer", so a build without libcrypto needs no other path.
 */
#ifndef KTLSD_ECDSA_H
#define KTLSD_ECDSA_H

#include <bearssl.h>
#include <stddef.h>

struct ecdsa_fast;

/*
 * @sk (P-256, P-384 or P-521) made ready for libcrypto, its public point
 * computed with ec_impl(). NULL when built with ECDSA=ec, on another curve,
 * when libcrypto refuses the key, or out of memory: the EC code's signer
 * then signs with it, slower but as well.
 */
struct ecdsa_fast *ecdsa_fast_new(const br_ec_private_key *sk);

/* Wipe and free; NULL is fine. */
void ecdsa_fast_free(struct ecdsa_fast *fast);

/*
 * The ECDSA signature of @hash (the output of @hf, truncated to the
 * curve's order as FIPS 186-4 says) in ASN.1 DER, into @sig, which has room
 * for BearSSL's largest for the curve (2 * the order's bytes + 9): with
 * @fast when not NULL, else with ec_ecdsa_sign() and @sk. Returns its
 * length, or 0 on failure, as br_ecdsa_sign.
 */
size_t ecdsa_sign_asn1(const struct ecdsa_fast *fast, const br_ec_private_key *sk,
		       const br_hash_class *hf, const void *hash, void *sig);

/* What signs, for the log and `ktlsctl daemon status`: a constant string. */
const char *ecdsa_impl_name(void);

/* 1 if built with libcrypto's signer (every EC key should then get its struct ecdsa_fast). */
int ecdsa_fast_expected(void);

#endif
