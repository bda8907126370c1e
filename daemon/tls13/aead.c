// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS 1.3 record protection: the per-record nonce (§5.3), the record
 * header as AAD, TLSInnerPlaintext's content type and padding (§5.4), and
 * the length limits (§5.2). GCM (NIST SP 800-38D) is assembled from
 * BearSSL's AES-CTR and GHASH so that the keyed state is a plain value
 * (br_gcm_context would point into the struct); ChaCha20-Poly1305 is
 * BearSSL's br_poly1305_run.
 */
#define _GNU_SOURCE
#include <string.h>

#include "aead.h"

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

/* BearSSL's getters return 0 when the CPU lacks the instructions. */
static const br_block_ctr_class *pick_aes(unsigned flags)
{
	const br_block_ctr_class *vt = NULL;

	if (!(flags & T13_AEAD_PORTABLE_CIPHER))
		vt = br_aes_x86ni_ctr_get_vtable();
	return vt ? vt : &br_aes_ct64_ctr_vtable;
}

static br_ghash pick_ghash(unsigned flags)
{
	br_ghash gh = 0;

	if (!(flags & T13_AEAD_PORTABLE_MAC))
		gh = br_ghash_pclmul_get();
	return gh ? gh : &br_ghash_ctmul64;
}

static br_chacha20_run pick_chacha(unsigned flags)
{
	br_chacha20_run run = 0;

	if (!(flags & T13_AEAD_PORTABLE_CIPHER))
		run = br_chacha20_sse2_get();
	return run ? run : &br_chacha20_ct_run;
}

static br_poly1305_run pick_poly(unsigned flags)
{
	br_poly1305_run run = 0;

	if (!(flags & T13_AEAD_PORTABLE_MAC))
		run = br_poly1305_ctmulq_get();
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
	a->key_len = key_len;
	a->seq = 0;
	memcpy(a->iv, iv, T13_AEAD_NONCE);
	if (suite == T13_CHACHA20_POLY1305_SHA256) {
		memcpy(a->u.chacha.key, key, key_len);
		a->u.chacha.chacha = pick_chacha(flags);
		a->u.chacha.poly = pick_poly(flags);
	} else {
		gcm_init(a, key, flags);
	}
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
	if (a->suite == T13_CHACHA20_POLY1305_SHA256) {
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
	if (a->suite == T13_CHACHA20_POLY1305_SHA256)
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

/* The sequence number must not wrap (§5.3): the last value is never used. */
static int usable(const struct t13_aead *a)
{
	return a->key_len && a->seq != UINT64_MAX;
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
