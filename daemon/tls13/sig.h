/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS 1.3 signature schemes (RFC 8446 §4.2.3) and CertificateVerify
 * (§4.4.3): what we sign with, what we accept, and the signed content.
 * ECDSA on P-256/P-384/P-521 with the curve's own hash; RSA only as
 * rsa_pss_rsae_* (pss.h). rsa_pkcs1_* is never used for CertificateVerify.
 *
 * TLS 1.2 (RFC 5246 §7.4.1.4.1) takes the same ids as (hash, signature)
 * pairs, since our ClientHello offers one list to both versions: there an
 * ECDSA id names only the hash, on any curve of the key, and rsa_pkcs1_*
 * is PKCS#1 v1.5 with the hash's DigestInfo. The t12_* functions.
 */
#ifndef KTLSD_T13_SIG_H
#define KTLSD_T13_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "../creds.h"
#include "t13.h"

/* The largest signature we make or take: RSA-8192 (BearSSL stops at 4096 bits). */
#define T13_MAX_SIGNATURE	1024

/* 64 spaces, the 33-byte context string and its 0 separator (§4.4.3). */
#define T13_CV_PREFIX		(64 + 34)
#define T13_CV_MAX_CONTENT	(T13_CV_PREFIX + T13_MAX_HASH)

/*
 * Write the content CertificateVerify signs (§4.4.3): 64 bytes 0x20, the
 * context string "TLS 1.3, server CertificateVerify" (@server non-zero) or
 * "TLS 1.3, client CertificateVerify", one 0 byte, then @transcript_hash
 * (@hash_len bytes). Returns the content's length, or 0 (nothing written)
 * if @hash_len is 0 or above T13_MAX_HASH.
 */
size_t t13_cv_content(uint8_t out[T13_CV_MAX_CONTENT], int server, const uint8_t *transcript_hash,
		      size_t hash_len);

/*
 * The scheme to sign CertificateVerify with: the first of ours, in our
 * preference, that the peer's signature_algorithms (@peer: raw 2-byte
 * big-endian ids, @peer_len bytes; an odd last byte is ignored) allows and
 * @creds' key can make. A P-256 key makes ecdsa_secp256r1_sha256, P-384
 * ecdsa_secp384r1_sha384, P-521 ecdsa_secp521r1_sha512; an RSA key
 * rsa_pss_rsae_sha256, then _sha384, then _sha512 (each if the modulus is
 * large enough for it). Returns the scheme, or 0 when there is none (the
 * caller sends handshake_failure) or @creds holds no key.
 */
uint16_t t13_sig_choose(const struct creds *creds, const uint8_t *peer, size_t peer_len);

/*
 * Sign @content (@len bytes, usually from t13_cv_content()) with @scheme and
 * @creds' key. @rng supplies the PSS salt; ECDSA (RFC 6979 in BearSSL) does
 * not use it, and it may be NULL then. @sig must have room for
 * T13_MAX_SIGNATURE bytes; it gets a DER signature for ECDSA, one of the
 * modulus' length for PSS, and *@sig_len its length. A PSS signature is
 * checked before it is given out (rsa_private_op(), rsa.h). Returns 0, or
 * -1: the scheme is unknown or does not fit the key (wrong type or curve,
 * modulus too small or too large), no RNG for PSS, or the signature failed
 * (or did not check).
 */
int t13_sig_sign(const struct creds *creds, uint16_t scheme, const uint8_t *content, size_t len,
		 const br_prng_class **rng, uint8_t *sig, size_t *sig_len);

/*
 * Verify the peer's CertificateVerify: @sig (@sig_len bytes, from the wire)
 * over @content with @scheme, under @pkey, its leaf certificate's key (from
 * BearSSL's X.509 engine). Returns 0 if the signature is valid;
 * -T13_ALERT_ILLEGAL_PARAMETER if @scheme is not one of t13_sig_our_list()'s
 * for CertificateVerify or does not fit the key (an ECDSA scheme on another
 * curve or on an RSA key, a PSS scheme on an EC key, any rsa_pkcs1_*);
 * -T13_ALERT_DECRYPT_ERROR if the signature is wrong, of a wrong length, or
 * the RSA key is too small for the scheme.
 */
int t13_sig_verify(const br_x509_pkey *pkey, uint16_t scheme, const uint8_t *content, size_t len,
		   const uint8_t *sig, size_t sig_len);

/*
 * Write the schemes we accept from peers, for our signature_algorithms
 * extension's list (2-byte big-endian ids, without the list's own length),
 * in our preference: the CertificateVerify schemes, then rsa_pkcs1_sha256,
 * _sha384, _sha512, which §4.2.3 allows only for certificates' signatures
 * (BearSSL's X.509 engine checks those; many chains still use them).
 * Returns the list's length in bytes, or 0 (nothing written) if @cap is too
 * small for the whole list.
 */
size_t t13_sig_our_list(uint8_t *out, size_t cap);

/*
 * Verify a TLS 1.2 server's ServerKeyExchange signature: @sig (@sig_len
 * bytes, from the wire) over @content (@len bytes: client_random ||
 * server_random || ServerECDHParams, RFC 8422 §5.4), hashed with @scheme's
 * hash, under @pkey, the server's leaf certificate key. @scheme is one of
 * ecdsa_*_sha256/384/512 (an EC key, whatever its curve), rsa_pkcs1_sha256/
 * 384/512 or rsa_pss_rsae_sha256/384/512 (an RSA key).
 * Returns 0 if the signature is valid; -T13_ALERT_ILLEGAL_PARAMETER if
 * @scheme is none of those nine or does not fit the key's type;
 * -T13_ALERT_DECRYPT_ERROR if the signature is wrong, malformed, empty or
 * longer than T13_MAX_SIGNATURE, not of the modulus' length (RSA), or the
 * RSA key is too small (or, above 4096 bits, too large for BearSSL) for it.
 */
int t12_sig_verify(const br_x509_pkey *pkey, uint16_t scheme, const uint8_t *content, size_t len,
		   const uint8_t *sig, size_t sig_len);

/*
 * Verify a TLS 1.2 client's CertificateVerify: @sig over @hash, the
 * handshake messages' hash (@hash_len bytes, of @scheme's hash), under
 * @pkey. As t12_sig_verify() otherwise, with its errors, and
 * -T13_ALERT_ILLEGAL_PARAMETER when @hash_len is not @scheme's hash's.
 */
int t12_sig_verify_hash(const br_x509_pkey *pkey, uint16_t scheme, const uint8_t *hash, size_t hash_len,
			const uint8_t *sig, size_t sig_len);

/*
 * The scheme for our TLS 1.2 CertificateVerify (a client answering a
 * CertificateRequest): the first, in our preference, that the server's
 * supported_signature_algorithms (@peer: raw 2-byte big-endian ids,
 * @peer_len bytes; an odd last byte is ignored) allows and @creds' key can
 * make, with SHA-256 or SHA-384 only (the transcript is kept in those two).
 * An EC key: the hash of its curve's size first (P-256: ecdsa_..._sha256,
 * P-384: ecdsa_..._sha384; P-521, whose own SHA-512 is left out: SHA-384,
 * the nearer), then the other. An RSA key: rsa_pss_rsae_sha256,
 * rsa_pss_rsae_sha384, rsa_pkcs1_sha256, rsa_pkcs1_sha384, each only if
 * the modulus is large enough for its encoding (and at most
 * T13_MAX_SIGNATURE bytes). Returns the scheme, or 0 when there is none
 * or @creds holds no key.
 */
uint16_t t12_sig_choose(const struct creds *creds, const uint8_t *peer, size_t peer_len);

/*
 * Sign @hash, a precomputed hash (the TLS 1.2 CertificateVerify's
 * handshake_messages hash) of @hash_len bytes, with @scheme and @creds' key.
 * ECDSA (RFC 6979 in BearSSL, any of the key's curves with any of the three
 * hashes) gives a DER signature; rsa_pkcs1_* a PKCS#1 v1.5 one with the
 * hash's DigestInfo; rsa_pss_rsae_* a PSS one (t13_pss_sign(), its salt from
 * @rng, which may be NULL for the other schemes). @sig must have room for
 * T13_MAX_SIGNATURE bytes; *@sig_len gets the signature's length.
 * An RSA signature is checked before it is given out (a faulty CRT result
 * would give the key away: rsa_private_op(), rsa.h): with libcrypto's own
 * key, else with the public key of @creds' leaf certificate, or without a
 * chain with the key recomputed from the private one.
 * Returns 0, or -1 with nothing in *@sig_len: @scheme unknown or not for the
 * key's type, @hash_len not its hash's length, the modulus too small or too
 * large, no RNG for PSS, or the signature failed (an RSA result that did
 * not check is wiped from @sig).
 */
int t12_sig_sign_hash(const struct creds *creds, uint16_t scheme, const uint8_t *hash, size_t hash_len,
		      const br_prng_class **rng, uint8_t *sig, size_t *sig_len);

/*
 * Sign @content (@len bytes) hashed with @scheme's hash: our TLS 1.2
 * ServerKeyExchange (client_random || server_random || ServerECDHParams,
 * RFC 8422 §5.4). As t12_sig_sign_hash() otherwise, with its errors.
 */
int t12_sig_sign(const struct creds *creds, uint16_t scheme, const uint8_t *content, size_t len,
		 const br_prng_class **rng, uint8_t *sig, size_t *sig_len);

/* What a digest is signed with (the key process is asked in these terms: key_client.h). */
enum t13_sig_op {
	T13_SIG_OP_ECDSA = 1,	/* DER, the curve of the key */
	T13_SIG_OP_PKCS1 = 2,	/* RSASSA-PKCS1-v1_5 (TLS 1.2) */
	T13_SIG_OP_PSS = 3,	/* RSASSA-PSS, salt as long as the hash */
};

/* SHA-256, SHA-384 or SHA-512 by BearSSL's hash id (br_sha256_ID...); NULL for another. */
const br_hash_class *t13_sig_hash_by_id(int id);

/*
 * Sign @digest, @hash's output, with @creds' key as @op says: what
 * t13_sig_sign() and t12_sig_sign_hash() do once they have hashed and
 * checked the scheme, and what the key process does for a worker. When the
 * key is in another process (creds->signer set, see key_client.h) the
 * request goes there. RSA signatures are checked before they are given out
 * (rsa_private_op(), rsa.h); PSS takes its salt from @rng. @sig has room for
 * T13_MAX_SIGNATURE bytes. Returns 0 with *@sig_len set, or -1: a hash other
 * than SHA-256/384/512, an op the key cannot make, no RNG for PSS, the
 * signature failed, or the key process did not answer.
 */
int t13_sig_sign_digest(const struct creds *creds, enum t13_sig_op op, const br_hash_class *hash,
			const uint8_t *digest, const br_prng_class **rng, uint8_t *sig, size_t *sig_len);

#endif
