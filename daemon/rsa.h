/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RSA's private operation, the cost of every RSA handshake, chosen once at
 * build time: OpenSSL's libcrypto (`make RSA=openssl`, the default: about
 * 6x faster than BearSSL 0.6's i62 code on x86-64, with blinding and the
 * CRT result checked) or BearSSL's own (`make RSA=bearssl`). nettle's
 * side-channel-silent code is slower than BearSSL's here, so it is not one
 * of the choices. Only processes that hold private keys call it: the key
 * process, and the supervisor, which loads them.
 *
 * A key for libcrypto is made once, when the key is loaded (creds.c), from
 * BearSSL's decoded form: struct rsa_fast. Everything here takes NULL for
 * "BearSSL's code", so a build without libcrypto needs no other path.
 */
#ifndef KTLSD_RSA_H
#define KTLSD_RSA_H

#include <bearssl.h>
#include <stddef.h>
#include <stdint.h>

struct rsa_fast;

/*
 * @sk (p, q, dp, dq, iq) made ready for the fast code: its public exponent
 * recomputed from dp and from dq (the two must agree), n and d derived.
 * NULL when built with RSA=bearssl, when they disagree (a broken key) or
 * libcrypto refuses the key, or out of memory: BearSSL's code then signs
 * with it, slower but as well.
 */
struct rsa_fast *rsa_fast_new(const br_rsa_private_key *sk);

/* Wipe and free; NULL is fine. */
void rsa_fast_free(struct rsa_fast *fast);

/*
 * @x (the modulus' length in bytes, big-endian, below the modulus) :=
 * x^d mod n, in place, with @fast when not NULL, else BearSSL's code with
 * @sk. The result is taken back through the public operation and compared
 * with @x before it is given out: a CRT half computed wrong would give the
 * key's factors to whoever sees it (Boneh, DeMillo, Lipton). That check
 * uses @fast's own public half (libcrypto's, several times faster than
 * BearSSL's; @pk unused: the key's match with its certificate is checked
 * once, when it is loaded, creds.c); without @fast, @pk, @sk's public half (its
 * certificate's key), or with @pk NULL the key recomputed from @sk, which
 * BearSSL can do for the modulus only below 4096 bits or so (factors under
 * 2048 bits) and for the exponent only when p and q are 3 mod 4 (otherwise
 * 65537 is assumed, as nearly every key uses). 1 on success, 0 on failure
 * (@x wiped): the operation failed, or its result did not check.
 */
uint32_t rsa_private_op(const struct rsa_fast *fast, const br_rsa_private_key *sk,
			const br_rsa_public_key *pk, uint8_t *x);

/*
 * PKCS#1 v1.5 signature of @hash (@hash_len bytes) with the DigestInfo of
 * @hash_oid (BearSSL's BR_HASH_OID_* form, its length first; NULL: the bare
 * hash, as TLS 1.0's MD5+SHA-1), into @sig, (sk->n_bitlen + 7) / 8 bytes,
 * by rsa_private_op(@fast, @sk, @pk) (checked). 1 on success, 0 if the
 * modulus is too short for the encoding or the operation failed or did not
 * check (@sig holds nothing then), as br_rsa_pkcs1_sign.
 */
uint32_t rsa_pkcs1_sign(const struct rsa_fast *fast, const br_rsa_private_key *sk,
			const br_rsa_public_key *pk, const unsigned char *hash_oid,
			const uint8_t *hash, size_t hash_len, uint8_t *sig);

/* What runs, for the log and `ktlsctl daemon status`: a constant string. */
const char *rsa_impl_name(void);

/* 1 if built with the fast code (every key should then get its struct rsa_fast). */
int rsa_fast_expected(void);

/*
 * Before a system call filter (sandbox.h): whatever libcrypto would set up
 * lazily, with calls the filter forbids, done now (its random generator,
 * which blinds every private operation and draws ECDSA's nonces (ecdsa.h),
 * seeded). Nothing with BearSSL's code.
 */
void rsa_prepare(void);

#endif
