// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming AES-GCM for ktls_nsim, built on the kernel's AES library and
 * its GF(2^128) multiplication: usable in atomic context, no allocation
 * per record, any split of a record into pieces gives the same result.
 */
#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <asm/simd.h>
#include <crypto/internal/simd.h>
#include <linux/moduleparam.h>
#include <linux/scatterlist.h>
#include <asm/unaligned.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gcm.h"

/*
 * The synchronous SIMD implementation of gcm(aes): registered internal,
 * under the "__" name, for the crypto API's simd wrappers (crypto/simd.c),
 * and reached here the same way. It may only run where the FPU is usable,
 * which nsim_gcm_whole() checks. Without one, or on any error, records go
 * through the library stream alone.
 */
static void simd_init(struct nsim_gcm_key *key, const u8 *aes_key, unsigned int key_len)
{
	key->simd = crypto_alloc_aead("__gcm(aes)", CRYPTO_ALG_INTERNAL,
				      CRYPTO_ALG_INTERNAL | CRYPTO_ALG_ASYNC);
	if (IS_ERR(key->simd)) {
		key->simd = NULL;
		return;
	}
	key->req = aead_request_alloc(key->simd, GFP_KERNEL);
	if (!key->req || crypto_aead_setkey(key->simd, aes_key, key_len) ||
	    crypto_aead_setauthsize(key->simd, NSIM_GCM_TAG_SIZE)) {
		aead_request_free(key->req);
		key->req = NULL;
		crypto_free_aead(key->simd);
		key->simd = NULL;
	}
}

/* Off: every record through the portable stream (how the tests reach it). */
static bool simd = true;
module_param(simd, bool, 0644);
MODULE_PARM_DESC(simd, "use the CPU's AES-GCM for whole records (default on)");

static int run_aead(struct nsim_gcm_key *key, bool encrypt, const u8 *explicit_iv,
		    const u8 *aad, unsigned int aad_len, struct scatterlist *src,
		    struct scatterlist *dst, unsigned int len)
{
	if (!READ_ONCE(simd) || !key->simd || !crypto_simd_usable() || aad_len > sizeof(key->aad))
		return -EAGAIN;
	memcpy(key->aad, aad, aad_len);
	memcpy(key->iv, key->salt, NSIM_GCM_SALT_SIZE);
	memcpy(key->iv + NSIM_GCM_SALT_SIZE, explicit_iv, NSIM_GCM_IV_SIZE);
	sg_set_buf(&src[0], key->aad, aad_len);
	sg_set_buf(&dst[0], key->aad, aad_len);
	aead_request_set_callback(key->req, 0, NULL, NULL);
	aead_request_set_ad(key->req, aad_len);
	aead_request_set_crypt(key->req, src, dst, len, key->iv);
	return encrypt ? crypto_aead_encrypt(key->req) : crypto_aead_decrypt(key->req);
}

int nsim_gcm_whole(struct nsim_gcm_key *key, bool encrypt, const u8 *explicit_iv,
		   const u8 *aad, unsigned int aad_len, struct scatterlist *src,
		   u8 *text, unsigned int text_len)
{
	struct scatterlist dst[2];

	sg_init_table(dst, 2);
	sg_set_buf(&dst[1], text, text_len + NSIM_GCM_TAG_SIZE);
	return run_aead(key, encrypt, explicit_iv, aad, aad_len, src ? src : dst, dst,
			text_len + (encrypt ? 0 : NSIM_GCM_TAG_SIZE));
}

int nsim_gcm_seal_sg(struct nsim_gcm_key *key, const u8 *explicit_iv, const u8 *aad,
		     unsigned int aad_len, struct scatterlist *src, struct scatterlist *dst,
		     unsigned int text_len)
{
	return run_aead(key, true, explicit_iv, aad, aad_len, src, dst, text_len);
}

int nsim_gcm_key_init(struct nsim_gcm_key *key, const u8 *aes_key,
		      unsigned int key_len, const u8 *salt)
{
	u8 h[AES_BLOCK_SIZE] = {};
	int err;

	err = aes_expandkey(&key->aes, aes_key, key_len);
	if (err)
		return err;
	aes_encrypt(&key->aes, h, h);
	key->ghash = gf128mul_init_4k_lle((be128 *)h);
	memzero_explicit(h, sizeof(h));
	if (!key->ghash)
		return -ENOMEM;
	memcpy(key->salt, salt, NSIM_GCM_SALT_SIZE);
	simd_init(key, aes_key, key_len);
	return 0;
}

void nsim_gcm_key_free(struct nsim_gcm_key *key)
{
	aead_request_free(key->req);
	key->req = NULL;
	if (key->simd)
		crypto_free_aead(key->simd);
	key->simd = NULL;
	if (key->ghash)
		kfree_sensitive(key->ghash);
	key->ghash = NULL;
	memzero_explicit(&key->aes, sizeof(key->aes));
}

static void ghash_block(struct nsim_gcm *st, const struct nsim_gcm_key *key,
			const u8 *block)
{
	crypto_xor((u8 *)&st->hash, block, AES_BLOCK_SIZE);
	gf128mul_4k_lle(&st->hash, key->ghash);
}

/* Hash ciphertext as it streams by, whole blocks at a time. */
static void ghash_stream(struct nsim_gcm *st, const struct nsim_gcm_key *key,
			 const u8 *data, unsigned int len)
{
	st->text_len += len;
	if (st->partial_len) {
		unsigned int take = min_t(unsigned int, len,
					  AES_BLOCK_SIZE - st->partial_len);

		memcpy(st->partial + st->partial_len, data, take);
		st->partial_len += take;
		data += take;
		len -= take;
		if (st->partial_len < AES_BLOCK_SIZE)
			return;
		ghash_block(st, key, st->partial);
		st->partial_len = 0;
	}
	while (len >= AES_BLOCK_SIZE) {
		ghash_block(st, key, data);
		data += AES_BLOCK_SIZE;
		len -= AES_BLOCK_SIZE;
	}
	memcpy(st->partial, data, len);
	st->partial_len = len;
}

static void next_keystream(struct nsim_gcm *st, const struct nsim_gcm_key *key)
{
	u8 block[AES_BLOCK_SIZE];

	memcpy(block, st->j0, 12);
	put_unaligned_be32(st->counter++, block + 12);
	aes_encrypt(&key->aes, st->keystream, block);
	st->keystream_used = 0;
}

static void ctr_xor(struct nsim_gcm *st, const struct nsim_gcm_key *key,
		    const u8 *in, u8 *out, unsigned int len)
{
	while (len) {
		unsigned int take;

		if (st->keystream_used == AES_BLOCK_SIZE)
			next_keystream(st, key);
		take = min_t(unsigned int, len, AES_BLOCK_SIZE - st->keystream_used);
		crypto_xor_cpy(out, in, st->keystream + st->keystream_used, take);
		st->keystream_used += take;
		in += take;
		out += take;
		len -= take;
	}
}

void nsim_gcm_begin(struct nsim_gcm *st, const struct nsim_gcm_key *key,
		    const u8 *explicit_iv, const u8 *aad, unsigned int aad_len)
{
	u8 block[AES_BLOCK_SIZE] = {};

	memset(st, 0, sizeof(*st));
	memcpy(st->j0, key->salt, NSIM_GCM_SALT_SIZE);
	memcpy(st->j0 + NSIM_GCM_SALT_SIZE, explicit_iv, NSIM_GCM_IV_SIZE);
	put_unaligned_be32(1, st->j0 + 12);
	st->counter = 2;
	st->keystream_used = AES_BLOCK_SIZE;
	/* TLS 1.2's additional data (13 bytes) fits one block. */
	memcpy(block, aad, min_t(unsigned int, aad_len, AES_BLOCK_SIZE));
	ghash_block(st, key, block);
	st->aad_len = aad_len;
}

void nsim_gcm_encrypt(struct nsim_gcm *st, const struct nsim_gcm_key *key,
		      const u8 *in, u8 *out, unsigned int len)
{
	ctr_xor(st, key, in, out, len);
	ghash_stream(st, key, out, len);
}

void nsim_gcm_decrypt(struct nsim_gcm *st, const struct nsim_gcm_key *key,
		      const u8 *in, u8 *out, unsigned int len)
{
	/* Hash first: @in and @out may be the same bytes. */
	ghash_stream(st, key, in, len);
	ctr_xor(st, key, in, out, len);
}

void nsim_gcm_tag(struct nsim_gcm *st, const struct nsim_gcm_key *key,
		  u8 tag[NSIM_GCM_TAG_SIZE])
{
	u8 block[AES_BLOCK_SIZE] = {};

	if (st->partial_len) {
		memset(st->partial + st->partial_len, 0,
		       AES_BLOCK_SIZE - st->partial_len);
		ghash_block(st, key, st->partial);
	}
	put_unaligned_be64((u64)st->aad_len * 8, block);
	put_unaligned_be64(st->text_len * 8, block + 8);
	ghash_block(st, key, block);
	aes_encrypt(&key->aes, block, st->j0);
	crypto_xor_cpy(tag, block, (u8 *)&st->hash, NSIM_GCM_TAG_SIZE);
}
