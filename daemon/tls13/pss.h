/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RSASSA-PSS (RFC 8017 §8.1, EMSA-PSS §9.1, MGF1 §B.2.1) on BearSSL's raw
 * RSA operations, which BearSSL 0.6 lacks. Only the profile TLS 1.3 uses
 * (RFC 8446 §4.2.3): MGF1 with the message's hash, salt as long as the hash.
 */
#ifndef KTLSD_T13_PSS_H
#define KTLSD_T13_PSS_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

struct rsa_fast;

/* The largest modulus we handle, in bytes: RSA-8192 (BearSSL stops at 4096 bits). */
#define T13_PSS_MAX_MODULUS	1024

/*
 * Sign @hash (the output of @h, its full length) with EMSA-PSS, MGF1(@h), and
 * @salt (as many bytes as @h's output, from the caller's RNG). @sig must have
 * room for the modulus length, (sk->n_bitlen + 7) / 8 bytes; it gets exactly
 * that many and *@sig_len is set to it.
 * The private operation is rsa_private_op(@fast, @sk, @pk) (rsa.h): @fast
 * NULL for BearSSL's. It checks the signature before it is released: with
 * @fast's own public half, else with @pk, @sk's public half (its
 * certificate's key), or with @pk NULL the key recomputed from @sk, which
 * BearSSL can do only for some keys (rsa.h); others then fail to sign.
 * Returns 0, or -1 (no signature in @sig): @h unusable, key too small for the
 * encoding (EM needs 2 * hash length + 2 bytes) or larger than
 * T13_PSS_MAX_MODULUS, the RSA operation failed or its result did not check.
 */
int t13_pss_sign(const br_rsa_private_key *sk, const struct rsa_fast *fast,
		 const br_rsa_public_key *pk, const br_hash_class *h, const uint8_t *hash,
		 const uint8_t *salt, uint8_t *sig, size_t *sig_len);

/*
 * 1 if @sig (@sig_len bytes, which must be the modulus length) is a valid
 * RSASSA-PSS signature of @hash (the output of @h) under @pk, with MGF1(@h)
 * and a salt exactly as long as the hash; 0 otherwise, and for any other salt
 * length. Not constant-time: nothing it handles is secret.
 */
int t13_pss_verify(const br_rsa_public_key *pk, const br_hash_class *h, const uint8_t *hash,
		   const uint8_t *sig, size_t sig_len);

/*
 * 1 if a modulus of @mod_bits bits can carry a PSS signature with @h here
 * (2 * hash length + 2 bytes of encoding, at most T13_PSS_MAX_MODULUS
 * bytes), 0 otherwise.
 */
int t13_pss_key_fits(uint32_t mod_bits, const br_hash_class *h);

#endif
