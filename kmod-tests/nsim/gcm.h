/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AES-GCM as a stream: a TLS record may reach the "hardware" in many
 * pieces, so the counter, the unused keystream and the running GHASH are
 * kept between calls, and a record is processed exactly once, in order.
 */
#ifndef KTLS_NSIM_GCM_H
#define KTLS_NSIM_GCM_H

#include <crypto/aes.h>
#include <crypto/b128ops.h>
#include <crypto/gf128mul.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#define NSIM_GCM_SALT_SIZE	4
#define NSIM_GCM_IV_SIZE	8
#define NSIM_GCM_TAG_SIZE	16

/*
 * A connection's key: expanded AES key, GHASH table, implicit salt; and,
 * where the CPU has them, its AES-GCM instructions for records that are
 * whole in one piece (used only where the FPU is usable).
 */
struct nsim_gcm_key {
	struct crypto_aes_ctx aes;
	struct gf128mul_4k *ghash;
	u8 salt[NSIM_GCM_SALT_SIZE];
	struct crypto_aead *simd;
	struct aead_request *req;
	u8 aad[16];		/* the request's AAD: must not live on the stack */
	u8 iv[12];
};

/* One record's progress. */
struct nsim_gcm {
	u8 j0[AES_BLOCK_SIZE];		/* salt | explicit IV | 1 */
	u32 counter;			/* next keystream block */
	u8 keystream[AES_BLOCK_SIZE];
	u8 keystream_used;		/* bytes of keystream[] already used */
	be128 hash;			/* GHASH so far */
	u8 partial[AES_BLOCK_SIZE];	/* ciphertext not yet hashed */
	u8 partial_len;
	u64 text_len;
	unsigned int aad_len;
};

/* Set up @key; 0, or -EINVAL for a bad key length, -ENOMEM. Sleeps. */
int nsim_gcm_key_init(struct nsim_gcm_key *key, const u8 *aes_key,
		      unsigned int key_len, const u8 *salt);
void nsim_gcm_key_free(struct nsim_gcm_key *key);

/*
 * Encrypt (tag written after the text) or decrypt (tag checked) one whole
 * record into @text with the CPU's instructions: 0, -EBADMSG for a bad
 * tag, or -EAGAIN when they cannot be used here (use the stream instead).
 * The input is @text itself, or, if @src is given, @src[1..] (text and
 * tag room; @src[0] is left for the AAD) — read once, written once.
 */
int nsim_gcm_whole(struct nsim_gcm_key *key, bool encrypt, const u8 *explicit_iv,
		   const u8 *aad, unsigned int aad_len, struct scatterlist *src,
		   u8 *text, unsigned int text_len);

/*
 * Encrypt one whole record from @src[1..] into @dst[1..] (text, then the
 * tag; entry 0 of each is left for the AAD). 0, or -EAGAIN as above.
 */
int nsim_gcm_seal_sg(struct nsim_gcm_key *key, const u8 *explicit_iv, const u8 *aad,
		     unsigned int aad_len, struct scatterlist *src, struct scatterlist *dst,
		     unsigned int text_len);

/* Start a TLS 1.2 record: its explicit IV and its 13-byte additional data. */
void nsim_gcm_begin(struct nsim_gcm *st, const struct nsim_gcm_key *key,
		    const u8 *explicit_iv, const u8 *aad, unsigned int aad_len);

/* Encrypt @len bytes from @in to @out (they may be the same). */
void nsim_gcm_encrypt(struct nsim_gcm *st, const struct nsim_gcm_key *key,
		      const u8 *in, u8 *out, unsigned int len);

/* Decrypt @len bytes from @in to @out (they may be the same). */
void nsim_gcm_decrypt(struct nsim_gcm *st, const struct nsim_gcm_key *key,
		      const u8 *in, u8 *out, unsigned int len);

/* The record's tag, once all of its text has gone through. */
void nsim_gcm_tag(struct nsim_gcm *st, const struct nsim_gcm_key *key,
		  u8 tag[NSIM_GCM_TAG_SIZE]);

#endif
