/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS 1.3 record protection (RFC 8446 §5.2-5.4) for the three suites:
 * AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305. GCM is put together here
 * from BearSSL's AES-CTR and GHASH; ChaCha20-Poly1305 is BearSSL's. The
 * fastest implementation this CPU runs is taken, else a portable one.
 *
 * One struct t13_aead protects one direction under one traffic key; a key
 * update is a new t13_aead_init(). The struct holds no pointer into
 * itself, so it may be copied.
 *
 * The same struct protects TLS 1.2 records (RFC 5246 §6.2.3.3) of the
 * ECDHE suites kTLS carries: AES-GCM (RFC 5288) and ChaCha20-Poly1305
 * (RFC 7905). It is keyed for one version or the other: the record
 * functions of the other version refuse it.
 */
#ifndef KTLSD_T13_AEAD_H
#define KTLSD_T13_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "t13.h"

#define T13_AEAD_NONCE		12
#define T13_AEAD_MAX_KEY	32

/* TLS 1.2 AEAD records: GCM's explicit nonce (RFC 5288 §3), and the most either suite adds. */
#define T12_GCM_EXPLICIT_NONCE	8
#define T12_MAX_OVERHEAD	(T12_GCM_EXPLICIT_NONCE + T13_AEAD_TAG)

/* Flags for t13_aead_init_impl(): take BearSSL's portable code instead of
 * the CPU-specific one (AES-NI / SSE2, PCLMULQDQ / 64-bit multiplies). */
#define T13_AEAD_PORTABLE_CIPHER	0x1u	/* aes_ct64 CTR, chacha20_ct */
#define T13_AEAD_PORTABLE_MAC		0x2u	/* ghash_ctmul64, poly1305_ctmul */

struct t13_aead {
	uint16_t suite;			/* as keyed: TLS 1.3's, or TLS 1.2's if tls12 */
	int tls12;			/* keyed by t13_aead_init12() */
	int is_chacha;			/* ChaCha20-Poly1305, else AES-GCM */
	size_t key_len;
	uint64_t seq;			/* of the next record sealed or opened */
	uint8_t iv[T13_AEAD_NONCE];	/* the write IV; TLS 1.2 GCM: the 4-byte salt */
	union {
		struct {
			br_aes_gen_ctr_keys aes;	/* AES key schedule */
			br_ghash ghash;
			uint8_t h[16];		/* GHASH key: AES_K(0^128) */
		} gcm;
		struct {
			uint8_t key[32];
			br_chacha20_run chacha;
			br_poly1305_run poly;
		} chacha;
	} u;
};

/*
 * The key length of @suite: 16 for T13_AES_128_GCM_SHA256, 32 for
 * T13_AES_256_GCM_SHA384 and T13_CHACHA20_POLY1305_SHA256, 0 for any other.
 */
size_t t13_aead_key_len(uint16_t suite);

/*
 * Key @a for @suite with @key (t13_aead_key_len(@suite) bytes) and the
 * write @iv; its sequence number starts at 0. Returns 0, or -1 for an
 * unknown suite (@a is then zeroed).
 */
int t13_aead_init(struct t13_aead *a, uint16_t suite, const uint8_t *key,
		  const uint8_t iv[T13_AEAD_NONCE]);

/*
 * The same, with @flags (T13_AEAD_PORTABLE_*) forcing BearSSL's portable
 * implementations: the tests use it to check that every implementation
 * gives the same bytes. Returns 0, or -1 for an unknown suite.
 */
int t13_aead_init_impl(struct t13_aead *a, uint16_t suite, const uint8_t *key,
		       const uint8_t iv[T13_AEAD_NONCE], unsigned flags);

/*
 * The bare AEAD under @a's key with the caller's @nonce and @aad: encrypt
 * @data (@len bytes) in place and write its 16-byte @tag. The record
 * functions below are built on it; it is public for the primitives'
 * published test vectors and for building records seal would refuse.
 * Neither uses nor changes @a->seq, and either version's keying serves.
 * Returns 0, or -1 if @a is not keyed.
 */
int t13_aead_encrypt(const struct t13_aead *a, const uint8_t nonce[T13_AEAD_NONCE],
		     const uint8_t *aad, size_t aad_len, uint8_t *data, size_t len,
		     uint8_t tag[T13_AEAD_TAG]);

/*
 * Check @tag over @aad and the ciphertext @data (@len bytes), and decrypt
 * @data in place. Returns 0, or -1 if the tag is wrong (@data then holds
 * no plaintext: it is left encrypted, or wiped) or @a is not keyed.
 */
int t13_aead_decrypt(const struct t13_aead *a, const uint8_t nonce[T13_AEAD_NONCE],
		     const uint8_t *aad, size_t aad_len, uint8_t *data, size_t len,
		     const uint8_t tag[T13_AEAD_TAG]);

/*
 * Protect one record: TLSInnerPlaintext = @data (@len bytes) || @type ||
 * @pad zero bytes, written to @out as a whole record: the header
 * (23 03 03 length), the ciphertext, the tag. @out needs
 * T13_RECORD_HEADER + @len + 1 + @pad + T13_AEAD_TAG bytes; @data may be
 * @out + T13_RECORD_HEADER (sealing in place). Returns the record's
 * length, with @a->seq advanced; or 0, nothing written, if
 * @len + 1 + @pad exceeds 2^14 + 1 (§5.4), if the sequence number is
 * spent (2^64 - 1 records: it must not wrap, §5.3), or if @a is not keyed
 * for TLS 1.3.
 */
size_t t13_aead_seal(struct t13_aead *a, uint8_t type, const uint8_t *data, size_t len,
		     size_t pad, uint8_t *out);

/*
 * Unprotect the record @rec (header included, @rec_len bytes) in place.
 * On success the content is at @rec + T13_RECORD_HEADER, *@len its length,
 * *@type the inner content type (the padding removed), and @a->seq is
 * advanced. Returns 0, or a negated alert, @a->seq unchanged:
 *   -T13_ALERT_DECODE_ERROR: @rec_len < 5, or the header's length is not
 *	@rec_len - 5 (the caller frames records; a mismatch is its bug);
 *   -T13_ALERT_UNEXPECTED_MESSAGE: the header's type is not 23
 *	(application_data);
 *   -T13_ALERT_RECORD_OVERFLOW: ciphertext longer than 2^14 + 256 (§5.2),
 *	or TLSInnerPlaintext longer than 2^14 + 1 (§5.4);
 *   -T13_ALERT_BAD_RECORD_MAC: ciphertext shorter than the tag, or the tag
 *	is wrong (the record then holds no plaintext);
 *   -T13_ALERT_INTERNAL_ERROR: the sequence number is spent, or @a is not
 *	keyed for TLS 1.3.
 * And, once the record has authenticated (@a->seq then advanced):
 *   -T13_ALERT_UNEXPECTED_MESSAGE: the inner plaintext is all zeros, no
 *	content type (§5.4).
 */
int t13_aead_open(struct t13_aead *a, uint8_t *rec, size_t rec_len, uint8_t *type,
		  size_t *len);

/* ---- TLS 1.2 (RFC 5246 §6.2.3.3) ---- */

/*
 * Key @a for the TLS 1.2 suite @suite12 (one of the six KTLSD_SUITE_ECDHE_*
 * of ktlsd_ktls.h) with its write @key (the suite's key_len bytes) and
 * @fixed_iv, the IV the key block gives: the 4-byte salt for AES-GCM
 * (RFC 5288 §3), 12 bytes for ChaCha20-Poly1305 (RFC 7905 §2). The
 * sequence number starts at 0. Only the *12 record functions take @a
 * afterwards; t13_aead_seal() and t13_aead_open() refuse it. Returns
 * 0, or -1 (@a then zeroed) if @suite12 is not such a suite.
 */
int t13_aead_init12(struct t13_aead *a, uint16_t suite12, const uint8_t *key,
		    const uint8_t *fixed_iv);

/*
 * What a TLS 1.2 record under @a adds to its plaintext besides the header:
 * 24 for AES-GCM (the explicit nonce and the tag), 16 for
 * ChaCha20-Poly1305 (the tag); 0 if @a is not keyed for TLS 1.2.
 */
size_t t13_aead_overhead12(const struct t13_aead *a);

/*
 * Protect one TLS 1.2 record of content @type: @data (@len bytes) written
 * to @out as the header (@type 03 03 length), for AES-GCM the explicit
 * nonce (the sequence number, big-endian, as BearSSL and the kernel send
 * it), the ciphertext and the tag. @out needs T13_RECORD_HEADER + @len +
 * t13_aead_overhead12(@a) bytes; @data may be @out + T13_RECORD_HEADER +
 * the explicit nonce's length (sealing in place). Returns the record's
 * length, with @a->seq advanced; or 0, nothing written, if @len exceeds
 * 2^14 (RFC 5246 §6.2.1), if the sequence number is spent (2^64 - 1
 * records: it must not wrap, §6.1), or if @a is not keyed for TLS 1.2.
 */
size_t t13_aead_seal12(struct t13_aead *a, uint8_t type, const uint8_t *data, size_t len,
		       uint8_t *out);

/*
 * Unprotect the TLS 1.2 record @rec (header included, @rec_len bytes) in
 * place. Any content type is taken (the caller judges it); the header's
 * type and version are authenticated, as the AAD holds them. AES-GCM takes
 * the explicit nonce the record carries, whatever its value. On success
 * the plaintext is at @rec + *@off (past the header and, for AES-GCM, the
 * explicit nonce), *@len its length, and @a->seq is advanced. Returns 0,
 * or a negated alert, @a->seq unchanged:
 *   -T13_ALERT_DECODE_ERROR: @rec_len < 5, or the header's length is not
 *	@rec_len - 5 (the caller frames records; a mismatch is its bug);
 *   -T13_ALERT_RECORD_OVERFLOW: the fragment is longer than 2^14 + 2048
 *	(RFC 5246 §6.2.3), or, once the tag checked, the plaintext is longer
 *	than 2^14 (the plaintext is then wiped);
 *   -T13_ALERT_INTERNAL_ERROR: the sequence number is spent, or @a is not
 *	keyed for TLS 1.2;
 *   -T13_ALERT_BAD_RECORD_MAC: the fragment is shorter than the explicit
 *	nonce and the tag, or the tag is wrong (the record then holds no
 *	plaintext).
 */
int t13_aead_open12(struct t13_aead *a, uint8_t *rec, size_t rec_len, size_t *off,
		    size_t *len);

/* Wipe the key material in @a (and everything else). */
void t13_aead_wipe(struct t13_aead *a);

#endif
