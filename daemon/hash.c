// SPDX-License-Identifier: GPL-2.0-or-later
/* SHA-256 behind BearSSL's br_hash_class, from nettle (hash.h). */
#define _GNU_SOURCE
#include <string.h>

#include "hash.h"

#ifdef KTLSD_SHA_NETTLE
#include <nettle/sha2.h>

/* BearSSL's br_hash_class contract: a context starts with its class pointer. */
struct sha256_nettle {
	const br_hash_class *vtable;
	struct sha256_ctx n;
};

/* br_hmac_context and br_hkdf_context hold the hash context in a br_hash_compat_context. */
_Static_assert(sizeof(struct sha256_nettle) <= sizeof(br_hash_compat_context),
	       "nettle's SHA-256 context fits where BearSSL keeps a hash context");

static struct sha256_nettle *ctx_of(const br_hash_class **ctx)
{
	return (struct sha256_nettle *)(void *)ctx;
}

static void sha256_nettle_init(const br_hash_class **ctx);

static void sha256_nettle_update(const br_hash_class **ctx, const void *data, size_t len)
{
	/* BearSSL's callers may pass NULL with 0; nettle would memcpy from it. */
	if (len)
		sha256_update(&ctx_of(ctx)->n, len, data);
}

/* BearSSL's out() leaves the context as it was: digest a copy (nettle's resets it). */
static void sha256_nettle_out(const br_hash_class *const *ctx, void *dst)
{
	struct sha256_ctx copy = ((const struct sha256_nettle *)(const void *)ctx)->n;

	sha256_digest(&copy, SHA256_DIGEST_SIZE, dst);
	explicit_bzero(&copy, sizeof(copy));
}

/* The chaining value as BearSSL writes it (big-endian words), and the bytes hashed so far. */
static uint64_t sha256_nettle_state(const br_hash_class *const *ctx, void *dst)
{
	const struct sha256_ctx *n = &((const struct sha256_nettle *)(const void *)ctx)->n;
	uint8_t *out = dst;

	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(n->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(n->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(n->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)n->state[i];
	}
	return n->count * SHA256_BLOCK_SIZE + n->index;
}

/* @count is a multiple of the block size (BearSSL's HMAC gives only those). */
static void sha256_nettle_set_state(const br_hash_class **ctx, const void *stb, uint64_t count)
{
	struct sha256_ctx *n = &ctx_of(ctx)->n;
	const uint8_t *in = stb;

	for (int i = 0; i < 8; i++)
		n->state[i] = (uint32_t)in[4 * i] << 24 | (uint32_t)in[4 * i + 1] << 16 |
			      (uint32_t)in[4 * i + 2] << 8 | in[4 * i + 3];
	n->count = count / SHA256_BLOCK_SIZE;
	n->index = 0;
}

static const br_hash_class sha256_nettle_vtable = {
	.context_size = sizeof(struct sha256_nettle),
	.desc = BR_HASHDESC_ID(br_sha256_ID) | BR_HASHDESC_OUT(32) | BR_HASHDESC_STATE(32) |
		BR_HASHDESC_LBLEN(6) | BR_HASHDESC_MD_PADDING | BR_HASHDESC_MD_PADDING_BE,
	.init = sha256_nettle_init,
	.update = sha256_nettle_update,
	.out = sha256_nettle_out,
	.state = sha256_nettle_state,
	.set_state = sha256_nettle_set_state,
};

static void sha256_nettle_init(const br_hash_class **ctx)
{
	struct sha256_nettle *c = ctx_of(ctx);

	c->vtable = &sha256_nettle_vtable;
	sha256_init(&c->n);
}

const br_hash_class *hash_fast(const br_hash_class *h)
{
	return h == &br_sha256_vtable ? &sha256_nettle_vtable : h;
}

const char *hash_sha256_impl_name(void)
{
	return "nettle";
}

#else

const br_hash_class *hash_fast(const br_hash_class *h)
{
	return h;
}

const char *hash_sha256_impl_name(void)
{
	return "BearSSL";
}

#endif
