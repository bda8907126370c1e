// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.3 record protection: the per-record nonce (§5.3), the record
 * header as AAD, TLSInnerPlaintext's content type and padding (§5.4), and
 * the length limits (§5.2). GCM (NIST SP 800-38D) is assembled from
 * BearSSL's AES-CTR and GHASH so that the keyed state is a plain value
 * (br_gcm_context would point into the struct); ChaCha20-Poly1305 is
 * BearSSL's br_poly1305_run.
 *
 * TLS 1.2 records (RFC 5246 §6.2.3.3) use the same two AEADs with their
 * own nonces and AAD: see the second half of this file.
 */
#define _GNU_SOURCE
#include <string.h>

#include "ktlsd_ktls.h"

#include "aead.h"
#include "../symmetric.h"

/* The only record type on the wire once records are protected (§5.2). */
#define OUTER_TYPE		T13_CT_APPLICATION_DATA
/* TLSInnerPlaintext: at most 2^14 bytes of content and the type byte. */
#define MAX_INNER		(T13_MAX_PLAINTEXT + 1)

size_t t13_aead_key_len(uint16_t suite)
{
	switch (suite) {
	case T13_AES_128_GCM_SHA256:
		return 16;
	case T13_AES_256_GCM_SHA384:
	case T13_CHACHA20_POLY1305_SHA256:
		return 32;
	default:
		return 0;
	}
}

/* NULL or 0 when the CPU lacks the instructions (symmetric.h: asked once). */
static const br_block_ctr_class *pick_aes(unsigned flags)
{
	const br_block_ctr_class *vt = NULL;

	if (!(flags & T13_AEAD_PORTABLE_CIPHER))
		vt = symmetric_impls()->aes_ctr;
	return vt ? vt : &br_aes_ct64_ctr_vtable;
}

static br_ghash pick_ghash(unsigned flags)
{
	br_ghash gh = 0;

	if (!(flags & T13_AEAD_PORTABLE_MAC))
		gh = symmetric_impls()->ghash;
	return gh ? gh : &br_ghash_ctmul64;
}

static br_chacha20_run pick_chacha(unsigned flags)
{
	br_chacha20_run run = 0;

	if (!(flags & T13_AEAD_PORTABLE_CIPHER))
		run = symmetric_impls()->chacha20;
	return run ? run : &br_chacha20_ct_run;
}

static br_poly1305_run pick_poly(unsigned flags)
{
	br_poly1305_run run = 0;

	if (!(flags & T13_AEAD_PORTABLE_MAC))
		run = symmetric_impls()->poly1305;
	return run ? run : &br_poly1305_ctmul_run;
}

static void gcm_init(struct t13_aead *a, const uint8_t *key, unsigned flags)
{
	static const uint8_t zero_nonce[T13_AEAD_NONCE];
	const br_block_ctr_class *vt = pick_aes(flags);
	const br_block_ctr_class *const *aes = &a->u.gcm.aes.vtable;

	vt->init(&a->u.gcm.aes.vtable, key, a->key_len);
	a->u.gcm.ghash = pick_ghash(flags);
	/* H = AES_K(0^128): CTR over zeros with a zero nonce and counter 0. */
	memset(a->u.gcm.h, 0, sizeof(a->u.gcm.h));
	vt->run(aes, zero_nonce, 0, a->u.gcm.h, sizeof(a->u.gcm.h));
}

static void chacha_init(struct t13_aead *a, const uint8_t *key, unsigned flags)
{
	memcpy(a->u.chacha.key, key, a->key_len);
	a->u.chacha.chacha = pick_chacha(flags);
	a->u.chacha.poly = pick_poly(flags);
}

/* Key the AEAD @a->is_chacha names with @key, @a->key_len bytes. */
static void cipher_init(struct t13_aead *a, const uint8_t *key, unsigned flags)
{
	if (a->is_chacha)
		chacha_init(a, key, flags);
	else
		gcm_init(a, key, flags);
}

int t13_aead_init_impl(struct t13_aead *a, uint16_t suite, const uint8_t *key,
		       const uint8_t iv[T13_AEAD_NONCE], unsigned flags)
{
	size_t key_len = t13_aead_key_len(suite);

	/* Zeroed by assignment: the old key, if any, is overwritten all the
	 * same, and explicit_bzero() here upsets gcc 12's -Wnonnull under
	 * -fsanitize=undefined (it cannot see that @a is not NULL). */
	*a = (struct t13_aead){ 0 };
	if (!key_len)
		return -1;
	a->suite = suite;
	a->is_chacha = suite == T13_CHACHA20_POLY1305_SHA256;
	a->key_len = key_len;
	a->seq = 0;
	memcpy(a->iv, iv, T13_AEAD_NONCE);
	cipher_init(a, key, flags);
	return 0;
}

int t13_aead_init(struct t13_aead *a, uint16_t suite, const uint8_t *key,
		  const uint8_t iv[T13_AEAD_NONCE])
{
	return t13_aead_init_impl(a, suite, key, iv, 0);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* GHASH_H(A, C) xored with AES_K(nonce || 1), the first counter block. */
static void gcm_tag(const struct t13_aead *a, const uint8_t nonce[T13_AEAD_NONCE],
		    const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t len,
		    uint8_t tag[T13_AEAD_TAG])
{
	const br_block_ctr_class *const *aes = &a->u.gcm.aes.vtable;
	uint8_t bit_lengths[16];

	/* GHASH pads each of A and C with zeros to a block, as GCM wants. */
	memset(tag, 0, T13_AEAD_TAG);
	a->u.gcm.ghash(tag, a->u.gcm.h, aad, aad_len);
	a->u.gcm.ghash(tag, a->u.gcm.h, ct, len);
	put64(bit_lengths, (uint64_t)aad_len << 3);
	put64(bit_lengths + 8, (uint64_t)len << 3);
	a->u.gcm.ghash(tag, a->u.gcm.h, bit_lengths, sizeof(bit_lengths));
	(*aes)->run(aes, nonce, 1, tag, T13_AEAD_TAG);
}

/* Constant time: where a forged tag differs must not show in the timing. */
static int tags_equal(const uint8_t *x, const uint8_t *y)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < T13_AEAD_TAG; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

int t13_aead_encrypt(const struct t13_aead *a, const uint8_t nonce[T13_AEAD_NONCE],
		     const uint8_t *aad, size_t aad_len, uint8_t *data, size_t len,
		     uint8_t tag[T13_AEAD_TAG])
{
	const br_block_ctr_class *const *aes = &a->u.gcm.aes.vtable;

	if (!a->key_len)
		return -1;
	if (a->is_chacha) {
		a->u.chacha.poly(a->u.chacha.key, nonce, data, len, aad, aad_len, tag,
				 a->u.chacha.chacha, 1);
		return 0;
	}
	/* The payload's counter blocks start at 2: block 1 masks the tag. */
	(*aes)->run(aes, nonce, 2, data, len);
	gcm_tag(a, nonce, aad, aad_len, data, len, tag);
	return 0;
}

static int chacha_decrypt(const struct t13_aead *a, const uint8_t nonce[T13_AEAD_NONCE],
			  const uint8_t *aad, size_t aad_len, uint8_t *data, size_t len,
			  const uint8_t tag[T13_AEAD_TAG])
{
	uint8_t want[T13_AEAD_TAG];
	int good;

	/* BearSSL decrypts as it authenticates; undo that on a bad tag. */
	a->u.chacha.poly(a->u.chacha.key, nonce, data, len, aad, aad_len, want,
			 a->u.chacha.chacha, 0);
	good = tags_equal(want, tag);
	explicit_bzero(want, sizeof(want));
	if (!good) {
		explicit_bzero(data, len);
		return -1;
	}
	return 0;
}

static int gcm_decrypt(const struct t13_aead *a, const uint8_t nonce[T13_AEAD_NONCE],
		       const uint8_t *aad, size_t aad_len, uint8_t *data, size_t len,
		       const uint8_t tag[T13_AEAD_TAG])
{
	const br_block_ctr_class *const *aes = &a->u.gcm.aes.vtable;
	uint8_t want[T13_AEAD_TAG];
	int good;

	/* The tag covers the ciphertext: check it before decrypting anything. */
	gcm_tag(a, nonce, aad, aad_len, data, len, want);
	good = tags_equal(want, tag);
	explicit_bzero(want, sizeof(want));
	if (!good)
		return -1;
	(*aes)->run(aes, nonce, 2, data, len);
	return 0;
}

int t13_aead_decrypt(const struct t13_aead *a, const uint8_t nonce[T13_AEAD_NONCE],
		     const uint8_t *aad, size_t aad_len, uint8_t *data, size_t len,
		     const uint8_t tag[T13_AEAD_TAG])
{
	if (!a->key_len)
		return -1;
	if (a->is_chacha)
		return chacha_decrypt(a, nonce, aad, aad_len, data, len, tag);
	return gcm_decrypt(a, nonce, aad, aad_len, data, len, tag);
}

/* §5.3: the 64-bit sequence number, left-padded to 12 bytes, xor the IV. */
static void record_nonce(const struct t13_aead *a, uint8_t nonce[T13_AEAD_NONCE])
{
	uint8_t seq[8];

	memcpy(nonce, a->iv, T13_AEAD_NONCE);
	put64(seq, a->seq);
	for (int i = 0; i < 8; i++)
		nonce[T13_AEAD_NONCE - 8 + i] ^= seq[i];
}

/*
 * Keyed for TLS 1.3, and a sequence number left: it must not wrap (§5.3),
 * so the last value is never used.
 */
static int usable(const struct t13_aead *a)
{
	return a->key_len && !a->tls12 && a->seq != UINT64_MAX;
}

static void put_header(uint8_t *hdr, size_t ct_len)
{
	hdr[0] = OUTER_TYPE;
	t13_put16(hdr + 1, T13_LEGACY_VERSION);
	t13_put16(hdr + 3, (unsigned)ct_len);
}

size_t t13_aead_seal(struct t13_aead *a, uint8_t type, const uint8_t *data, size_t len,
		     size_t pad, uint8_t *out)
{
	uint8_t *body = out + T13_RECORD_HEADER;
	uint8_t nonce[T13_AEAD_NONCE];
	size_t inner;

	if (!usable(a) || len > T13_MAX_PLAINTEXT || pad > MAX_INNER - 1 - len)
		return 0;
	inner = len + 1 + pad;
	/* The body before the header: @data may be @body, sealing in place. */
	if (len)
		memmove(body, data, len);
	body[len] = type;
	memset(body + len + 1, 0, pad);
	put_header(out, inner + T13_AEAD_TAG);
	record_nonce(a, nonce);
	t13_aead_encrypt(a, nonce, out, T13_RECORD_HEADER, body, inner, body + inner);
	explicit_bzero(nonce, sizeof(nonce));
	a->seq++;
	return T13_RECORD_HEADER + inner + T13_AEAD_TAG;
}

/*
 * The offset of the last non-zero byte of @p (the content type; zeros
 * after it are padding), and whether there is one. Every byte is looked
 * at, without branching on its value, so the time taken does not tell
 * the padding's length (§5.4, "Implementation note").
 */
static int find_type(const uint8_t *p, size_t n, size_t *at)
{
	size_t last = 0, seen = 0;

	for (size_t i = 0; i < n; i++) {
		size_t nonzero = ((size_t)p[i] + 0xff) >> 8;
		size_t mask = (size_t)0 - nonzero;

		last = (last & ~mask) | (i & mask);
		seen |= nonzero;
	}
	*at = last;
	return seen != 0;
}

/* The checks that need no key, in the order the header is read. */
static int check_framing(const uint8_t *rec, size_t rec_len)
{
	size_t ct_len;

	if (rec_len < T13_RECORD_HEADER)
		return -T13_ALERT_DECODE_ERROR;
	ct_len = rec_len - T13_RECORD_HEADER;
	if (rec[0] != OUTER_TYPE)
		return -T13_ALERT_UNEXPECTED_MESSAGE;
	if (t13_get16(rec + 3) != ct_len)
		return -T13_ALERT_DECODE_ERROR;
	if (ct_len > T13_MAX_CIPHERTEXT)
		return -T13_ALERT_RECORD_OVERFLOW;
	if (ct_len < T13_AEAD_TAG)
		return -T13_ALERT_BAD_RECORD_MAC;
	if (ct_len - T13_AEAD_TAG > MAX_INNER)
		return -T13_ALERT_RECORD_OVERFLOW;
	return 0;
}

int t13_aead_open(struct t13_aead *a, uint8_t *rec, size_t rec_len, uint8_t *type,
		  size_t *len)
{
	uint8_t *body = rec + T13_RECORD_HEADER;
	uint8_t nonce[T13_AEAD_NONCE];
	size_t inner, type_at;
	int err;

	err = check_framing(rec, rec_len);
	if (err)
		return err;
	if (!usable(a))
		return -T13_ALERT_INTERNAL_ERROR;
	inner = rec_len - T13_RECORD_HEADER - T13_AEAD_TAG;
	record_nonce(a, nonce);
	err = t13_aead_decrypt(a, nonce, rec, T13_RECORD_HEADER, body, inner, body + inner);
	explicit_bzero(nonce, sizeof(nonce));
	if (err)
		return -T13_ALERT_BAD_RECORD_MAC;
	a->seq++;
	if (!find_type(body, inner, &type_at))
		return -T13_ALERT_UNEXPECTED_MESSAGE;
	*type = body[type_at];
	*len = type_at;
	return 0;
}

void t13_aead_wipe(struct t13_aead *a)
{
	explicit_bzero(a, sizeof(*a));
}

/* ---- TLS 1.2 (RFC 5246 §6.2.3.3, RFC 5288, RFC 7905) ---- */

/* GCM's implicit nonce part, from the key block (RFC 5288 §3). */
#define T12_GCM_SALT		4
/* The most a TLSCiphertext fragment may hold (RFC 5246 §6.2.3). */
#define T12_MAX_CIPHERTEXT	(T13_MAX_PLAINTEXT + 2048)
/* additional_data: seq_num(8) || type(1) || version(2) || length(2). */
#define T12_AAD_LEN		13

/* The key length AES-GCM-128/256 and ChaCha20-Poly1305 take, 0 for others. */
static size_t cipher_key_len(enum ktlsd_cipher cipher)
{
	switch (cipher) {
	case KTLSD_CIPHER_AES_GCM_128:
		return 16;
	case KTLSD_CIPHER_AES_GCM_256:
	case KTLSD_CIPHER_CHACHA20_POLY1305:
		return 32;
	default:
		return 0;
	}
}

/*
 * @suite12's description if it is a TLS 1.2 suite we can protect. The
 * table's lengths size the copies into struct t13_aead: they are checked
 * against what the cipher takes rather than trusted.
 */
static const struct ktlsd_suite_info *suite12_info(uint16_t suite12)
{
	const struct ktlsd_suite_info *info = ktlsd_suite_by_id(suite12);
	size_t iv_len;

	if (!info || info->version != T12_VERSION)
		return NULL;
	iv_len = info->cipher == KTLSD_CIPHER_CHACHA20_POLY1305 ? T13_AEAD_NONCE : T12_GCM_SALT;
	if (!info->key_len || info->key_len != cipher_key_len(info->cipher) ||
	    info->iv_len != iv_len)
		return NULL;
	return info;
}

int t13_aead_init12(struct t13_aead *a, uint16_t suite12, const uint8_t *key,
		    const uint8_t *fixed_iv)
{
	const struct ktlsd_suite_info *info = suite12_info(suite12);

	*a = (struct t13_aead){ 0 };
	if (!info)
		return -1;
	a->suite = suite12;
	a->tls12 = 1;
	a->is_chacha = info->cipher == KTLSD_CIPHER_CHACHA20_POLY1305;
	a->key_len = info->key_len;
	a->seq = 0;
	memcpy(a->iv, fixed_iv, info->iv_len);
	cipher_init(a, key, 0);
	return 0;
}

/* GCM records carry the nonce's last 8 bytes; ChaCha20 ones carry none. */
static size_t explicit_len(const struct t13_aead *a)
{
	return a->is_chacha ? 0 : T12_GCM_EXPLICIT_NONCE;
}

size_t t13_aead_overhead12(const struct t13_aead *a)
{
	if (!a->key_len || !a->tls12)
		return 0;
	return explicit_len(a) + T13_AEAD_TAG;
}

/* Keyed for TLS 1.2, and a sequence number left (§6.1: it must not wrap). */
static int usable12(const struct t13_aead *a)
{
	return a->key_len && a->tls12 && a->seq != UINT64_MAX;
}

/*
 * The record's nonce: GCM's salt || the @explicit 8 bytes the record
 * carries (RFC 5288 §3); ChaCha20's IV xor the sequence number, as in
 * TLS 1.3 (RFC 7905 §2), @explicit unused.
 */
static void record_nonce12(const struct t13_aead *a, const uint8_t *explicit,
			   uint8_t nonce[T13_AEAD_NONCE])
{
	if (a->is_chacha) {
		record_nonce(a, nonce);
		return;
	}
	memcpy(nonce, a->iv, T12_GCM_SALT);
	memcpy(nonce + T12_GCM_SALT, explicit, T12_GCM_EXPLICIT_NONCE);
}

/*
 * additional_data (RFC 5246 §6.2.3.3): the sequence number, the type and
 * version of the record header @hdr, and the plaintext's length (not the
 * record's: the explicit nonce and the tag are not in it).
 */
static void record_aad12(const struct t13_aead *a, const uint8_t *hdr, size_t plain_len,
			 uint8_t aad[T12_AAD_LEN])
{
	put64(aad, a->seq);
	memcpy(aad + 8, hdr, 3);
	t13_put16(aad + 11, (unsigned)plain_len);
}

size_t t13_aead_seal12(struct t13_aead *a, uint8_t type, const uint8_t *data, size_t len,
		       uint8_t *out)
{
	uint8_t nonce[T13_AEAD_NONCE], aad[T12_AAD_LEN];
	uint8_t *explicit = out + T13_RECORD_HEADER;
	uint8_t *body;
	size_t frag_len;

	if (!usable12(a) || len > T13_MAX_PLAINTEXT)
		return 0;
	body = explicit + explicit_len(a);
	frag_len = explicit_len(a) + len + T13_AEAD_TAG;
	/* The body before the header: @data may be @body, sealing in place. */
	if (len)
		memmove(body, data, len);
	out[0] = type;
	t13_put16(out + 1, T12_VERSION);
	t13_put16(out + 3, (unsigned)frag_len);
	/* The sequence number: unique per key, as the nonce must be. */
	if (!a->is_chacha)
		put64(explicit, a->seq);
	record_nonce12(a, explicit, nonce);
	record_aad12(a, out, len, aad);
	t13_aead_encrypt(a, nonce, aad, sizeof(aad), body, len, body + len);
	explicit_bzero(nonce, sizeof(nonce));
	a->seq++;
	return T13_RECORD_HEADER + frag_len;
}

/* The checks that need no key, in the order the header is read. */
static int check_framing12(const uint8_t *rec, size_t rec_len)
{
	size_t frag_len;

	if (rec_len < T13_RECORD_HEADER)
		return -T13_ALERT_DECODE_ERROR;
	frag_len = rec_len - T13_RECORD_HEADER;
	if (t13_get16(rec + 3) != frag_len)
		return -T13_ALERT_DECODE_ERROR;
	if (frag_len > T12_MAX_CIPHERTEXT)
		return -T13_ALERT_RECORD_OVERFLOW;
	return 0;
}

int t13_aead_open12(struct t13_aead *a, uint8_t *rec, size_t rec_len, size_t *off,
		    size_t *len)
{
	uint8_t nonce[T13_AEAD_NONCE], aad[T12_AAD_LEN];
	uint8_t *explicit = rec + T13_RECORD_HEADER;
	size_t frag_len, plain_len;
	uint8_t *body;
	int err;

	err = check_framing12(rec, rec_len);
	if (err)
		return err;
	if (!usable12(a))
		return -T13_ALERT_INTERNAL_ERROR;
	frag_len = rec_len - T13_RECORD_HEADER;
	if (frag_len < explicit_len(a) + T13_AEAD_TAG)
		return -T13_ALERT_BAD_RECORD_MAC;
	plain_len = frag_len - explicit_len(a) - T13_AEAD_TAG;
	body = explicit + explicit_len(a);
	record_nonce12(a, explicit, nonce);
	record_aad12(a, rec, plain_len, aad);
	err = t13_aead_decrypt(a, nonce, aad, sizeof(aad), body, plain_len, body + plain_len);
	explicit_bzero(nonce, sizeof(nonce));
	if (err)
		return -T13_ALERT_BAD_RECORD_MAC;
	/* Authentic but too long (§6.2.3): the peer is broken; keep none of it. */
	if (plain_len > T13_MAX_PLAINTEXT) {
		explicit_bzero(body, plain_len);
		return -T13_ALERT_RECORD_OVERFLOW;
	}
	a->seq++;
	*off = (size_t)(body - rec);
	*len = plain_len;
	return 0;
}
