// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EMSA-PSS encoding and verification (RFC 8017 §9.1.1, §9.1.2) with MGF1
 * (§B.2.1), around BearSSL's raw RSA private and public operations.
 */
#define _GNU_SOURCE
#include <string.h>

#include "pss.h"
#include "../hash.h"
#include "../rsa.h"
#include "t13.h"

#define PSS_TRAILER		0xbc

/* Where the parts of an encoded message lie, for a modulus and a hash. */
struct pss_layout {
	size_t k;		/* modulus length in bytes: the signature's length */
	size_t em_len;		/* EM length: k, or k - 1 when modBits - 1 is a multiple of 8 */
	size_t db_len;		/* maskedDB: em_len - hlen - 1 */
	uint8_t top_mask;	/* the bits of EM's first byte below emBits = modBits - 1 */
};

static size_t hash_output_len(const br_hash_class *h)
{
	return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

static int pss_layout(uint32_t mod_bits, size_t hlen, struct pss_layout *l)
{
	uint32_t em_bits;

	if (!hlen || hlen > T13_MAX_DIGEST || mod_bits < 2 || mod_bits > 8 * T13_PSS_MAX_MODULUS)
		return -1;
	em_bits = mod_bits - 1;
	l->k = (mod_bits + 7) / 8;
	l->em_len = (em_bits + 7) / 8;
	/* §9.1.1 step 3, with sLen = hLen: room for PS's 0x01, salt, H and 0xbc. */
	if (l->em_len < 2 * hlen + 2)
		return -1;
	l->db_len = l->em_len - hlen - 1;
	l->top_mask = (uint8_t)(0xff >> (8 * l->em_len - em_bits));
	return 0;
}

/* XOR MGF1(@seed) over @out (§B.2.1): Hash(seed || C) for C = 0, 1, ... big-endian. */
static void mgf1_xor(const br_hash_class *h, size_t hlen, const uint8_t *seed,
		     uint8_t *out, size_t out_len)
{
	br_hash_compat_context ctx;
	uint8_t block[T13_MAX_DIGEST], counter[4];
	uint32_t c = 0;
	size_t off, n;

	h = hash_fast(h);
	for (off = 0; off < out_len; off += n, c++) {
		counter[0] = (uint8_t)(c >> 24);
		counter[1] = (uint8_t)(c >> 16);
		counter[2] = (uint8_t)(c >> 8);
		counter[3] = (uint8_t)c;
		h->init(&ctx.vtable);
		h->update(&ctx.vtable, seed, hlen);
		h->update(&ctx.vtable, counter, sizeof(counter));
		h->out(&ctx.vtable, block);
		n = out_len - off < hlen ? out_len - off : hlen;
		for (size_t i = 0; i < n; i++)
			out[off + i] ^= block[i];
	}
}

/* H = Hash(M'), M' = 8 zero bytes || mHash || salt (§9.1.1 steps 5-6). */
static void pss_digest(const br_hash_class *h, size_t hlen, const uint8_t *mhash,
		       const uint8_t *salt, uint8_t *out)
{
	static const uint8_t zeros[8];
	br_hash_compat_context ctx;

	h = hash_fast(h);
	h->init(&ctx.vtable);
	h->update(&ctx.vtable, zeros, sizeof(zeros));
	h->update(&ctx.vtable, mhash, hlen);
	h->update(&ctx.vtable, salt, hlen);
	h->out(&ctx.vtable, out);
}

/* EM = maskedDB || H || 0xbc, DB = PS || 0x01 || salt (§9.1.1 steps 7-12). */
static void pss_encode(const br_hash_class *h, size_t hlen, const struct pss_layout *l,
		       const uint8_t *mhash, const uint8_t *salt, uint8_t *em)
{
	uint8_t *db = em, *hash = em + l->db_len;

	memset(db, 0, l->db_len - hlen - 1);
	db[l->db_len - hlen - 1] = 0x01;
	memcpy(db + l->db_len - hlen, salt, hlen);
	pss_digest(h, hlen, mhash, salt, hash);
	mgf1_xor(h, hlen, hash, db, l->db_len);
	db[0] &= l->top_mask;
	em[l->em_len - 1] = PSS_TRAILER;
}

int t13_pss_key_fits(uint32_t mod_bits, const br_hash_class *h)
{
	struct pss_layout l;

	return pss_layout(mod_bits, hash_output_len(h), &l) == 0;
}

int t13_pss_sign(const br_rsa_private_key *sk, const struct rsa_fast *fast,
		 const br_rsa_public_key *pk, const br_hash_class *h, const uint8_t *hash,
		 const uint8_t *salt, uint8_t *sig, size_t *sig_len)
{
	uint8_t em[T13_PSS_MAX_MODULUS];
	struct pss_layout l;
	size_t hlen = hash_output_len(h);

	if (pss_layout(sk->n_bitlen, hlen, &l) < 0)
		return -1;
	/* I2OSP to k bytes: a leading zero when EM is one byte shorter. */
	memset(em, 0, l.k - l.em_len);
	pss_encode(h, hlen, &l, hash, salt, em + l.k - l.em_len);
	memcpy(sig, em, l.k);
	/* Checked before it is given out: rsa.h. */
	if (!rsa_private_op(fast, sk, pk, sig))
		return -1;
	*sig_len = l.k;
	return 0;
}

/* The modulus' length in bits, leading zero bytes skipped; 0 for zero. */
static uint32_t modulus_bits(const uint8_t *n, size_t nlen)
{
	uint32_t bits;

	while (nlen && !*n)
		n++, nlen--;
	if (!nlen || nlen > T13_PSS_MAX_MODULUS)
		return 0;
	bits = (uint32_t)(nlen - 1) * 8;
	for (uint8_t top = *n; top; top >>= 1)
		bits++;
	return bits;
}

/* §9.1.2 steps 4-14 on EM, unmasked in place; sLen = hLen only. */
static int pss_check_encoding(const br_hash_class *h, size_t hlen, const struct pss_layout *l,
			      const uint8_t *mhash, uint8_t *em)
{
	uint8_t *db = em, *hash = em + l->db_len, want[T13_MAX_DIGEST];
	size_t ps_len = l->db_len - hlen - 1;

	if (em[l->em_len - 1] != PSS_TRAILER || (db[0] & ~l->top_mask))
		return 0;
	mgf1_xor(h, hlen, hash, db, l->db_len);
	db[0] &= l->top_mask;
	for (size_t i = 0; i < ps_len; i++)
		if (db[i])
			return 0;
	/* The 0x01 right after PS pins the salt length to hLen. */
	if (db[ps_len] != 0x01)
		return 0;
	pss_digest(h, hlen, mhash, db + ps_len + 1, want);
	return !memcmp(want, hash, hlen);
}

int t13_pss_verify(const br_rsa_public_key *pk, const br_hash_class *h, const uint8_t *hash,
		   const uint8_t *sig, size_t sig_len)
{
	uint8_t x[T13_PSS_MAX_MODULUS];
	struct pss_layout l;
	size_t hlen = hash_output_len(h);

	if (pss_layout(modulus_bits(pk->n, pk->nlen), hlen, &l) < 0 || sig_len != l.k)
		return 0;
	memcpy(x, sig, l.k);
	/* BearSSL refuses a value not below the modulus (RSAVP1 step 1). */
	if (!br_rsa_public_get_default()(x, l.k, pk))
		return 0;
	if (l.k > l.em_len && x[0])
		return 0;
	return pss_check_encoding(h, hlen, &l, hash, x + l.k - l.em_len);
}
