// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS 1.3 key schedule and transcript hash. BearSSL's br_hkdf cannot
 * start from a PRK we already hold (it only expands what it extracted
 * itself), so Extract and Expand are written here on br_hmac directly.
 */
#define _GNU_SOURCE
#include <string.h>

#include "keysched.h"
#include "../hash.h"

/* HkdfLabel's largest encoding: uint16 length, label<7..255>, context<0..255>. */
#define HKDF_LABEL_MAX	(2 + 1 + 255 + 1 + 255)

void t13_hkdf_extract(const br_hash_class *h, const void *salt, size_t salt_len,
		      const void *ikm, size_t ikm_len, uint8_t *prk)
{
	static const uint8_t zeros[T13_MAX_DIGEST];
	br_hmac_key_context kc;
	br_hmac_context hc;

	h = hash_fast(h);
	if (!salt || !salt_len) {
		salt = zeros;
		salt_len = t13_hash_len(h);
	}
	br_hmac_key_init(&kc, h, salt, salt_len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, ikm, ikm_len);
	br_hmac_out(&hc, prk);
	explicit_bzero(&kc, sizeof(kc));
	explicit_bzero(&hc, sizeof(hc));
}

/* HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(PRK, T(i-1) | info | i). */
int t13_hkdf_expand(const br_hash_class *h, const uint8_t *prk, const void *info,
		    size_t info_len, uint8_t *out, size_t out_len)
{
	size_t hash_len = t13_hash_len(h);
	uint8_t block[T13_MAX_DIGEST];
	br_hmac_key_context kc;
	br_hmac_context hc;
	uint8_t counter;
	size_t done, n;

	/* The counter is one byte: at most 255 blocks. */
	if (out_len > 255 * hash_len)
		return -1;
	br_hmac_key_init(&kc, hash_fast(h), prk, hash_len);
	for (done = 0, counter = 1; done < out_len; done += n, counter++) {
		br_hmac_init(&hc, &kc, 0);
		if (done)
			br_hmac_update(&hc, block, hash_len);
		br_hmac_update(&hc, info, info_len);
		br_hmac_update(&hc, &counter, 1);
		br_hmac_out(&hc, block);
		n = out_len - done < hash_len ? out_len - done : hash_len;
		memcpy(out + done, block, n);
	}
	explicit_bzero(block, sizeof(block));
	explicit_bzero(&kc, sizeof(kc));
	explicit_bzero(&hc, sizeof(hc));
	return 0;
}

int t13_hkdf_expand_label(const br_hash_class *h, const uint8_t *secret, const char *label,
			  const void *context, size_t context_len, uint8_t *out, size_t out_len)
{
	size_t prefix_len = sizeof(T13_LABEL_PREFIX) - 1;
	size_t label_len = strlen(label);
	uint8_t info[HKDF_LABEL_MAX];
	size_t pos = 0;

	if (!label_len || label_len > T13_MAX_LABEL || context_len > T13_MAX_CONTEXT ||
	    out_len > 255 * t13_hash_len(h))
		return -1;
	t13_put16(info, (unsigned)out_len);
	pos += 2;
	info[pos++] = (uint8_t)(prefix_len + label_len);
	memcpy(info + pos, T13_LABEL_PREFIX, prefix_len);
	pos += prefix_len;
	memcpy(info + pos, label, label_len);
	pos += label_len;
	info[pos++] = (uint8_t)context_len;
	if (context_len)
		memcpy(info + pos, context, context_len);
	pos += context_len;
	return t13_hkdf_expand(h, secret, info, pos, out, out_len);
}

void t13_derive_secret(const br_hash_class *h, const uint8_t *secret, const char *label,
		       const uint8_t *transcript_hash, uint8_t *out)
{
	size_t hash_len = t13_hash_len(h);

	if (t13_hkdf_expand_label(h, secret, label, transcript_hash, hash_len, out, hash_len) < 0)
		explicit_bzero(out, hash_len);
}

/* Hash("") of @h: Derive-Secret(., "derived", "") takes it as its transcript hash. */
static void empty_hash(const br_hash_class *h, uint8_t *out)
{
	br_hash_compat_context hc;

	h = hash_fast(h);
	h->init(&hc.vtable);
	h->out(&hc.vtable, out);
}

/* The transcript's SHA-256 runs on the fast class (hash.h). */
static const br_hash_class *sha256(void)
{
	return hash_fast(&br_sha256_vtable);
}

void t13_transcript_init(struct t13_transcript *t)
{
	sha256()->init(&t->sha256.vtable);
	br_sha384_init(&t->sha384);
	t->hash = NULL;
}

void t13_transcript_select(struct t13_transcript *t, const br_hash_class *h)
{
	if (!h)
		return;
	t->hash = h;
	if (h != &br_sha256_vtable)
		explicit_bzero(&t->sha256, sizeof(t->sha256));
	if (h != &br_sha384_vtable)
		explicit_bzero(&t->sha384, sizeof(t->sha384));
}

/* Whether the transcript (still) runs @h's hash. */
static int runs(const struct t13_transcript *t, const br_hash_class *h)
{
	return !t->hash || t->hash == h;
}

void t13_transcript_update(struct t13_transcript *t, const void *data, size_t len)
{
	if (runs(t, &br_sha256_vtable))
		sha256()->update(&t->sha256.vtable, data, len);
	if (runs(t, &br_sha384_vtable))
		br_sha384_update(&t->sha384, data, len);
}

size_t t13_transcript_hash_as(const struct t13_transcript *t, const br_hash_class *h,
			      uint8_t *out)
{
	/* out() reads the context without changing it: the transcript goes on. */
	if (h == &br_sha256_vtable && runs(t, h)) {
		sha256()->out(&t->sha256.vtable, out);
		return br_sha256_SIZE;
	}
	if (h == &br_sha384_vtable && runs(t, h)) {
		br_sha384_out(&t->sha384, out);
		return br_sha384_SIZE;
	}
	return 0;
}

size_t t13_transcript_hash(const struct t13_transcript *t, uint8_t *out)
{
	if (!t->hash)
		return 0;
	return t13_transcript_hash_as(t, t->hash, out);
}

/* message_hash's header (§4.4.1): type 254, a 24-bit length of Hash.length. */
static void message_hash_header(uint8_t hdr[4], size_t hash_len)
{
	hdr[0] = T13_HS_MESSAGE_HASH;
	t13_put24(hdr + 1, (uint32_t)hash_len);
}

void t13_transcript_restart_after_hrr(struct t13_transcript *t)
{
	uint8_t digest[T13_MAX_DIGEST], hdr[4];

	if (runs(t, &br_sha256_vtable)) {
		const br_hash_class *h = sha256();

		h->out(&t->sha256.vtable, digest);
		h->init(&t->sha256.vtable);
		message_hash_header(hdr, br_sha256_SIZE);
		h->update(&t->sha256.vtable, hdr, sizeof(hdr));
		h->update(&t->sha256.vtable, digest, br_sha256_SIZE);
	}
	if (runs(t, &br_sha384_vtable)) {
		br_sha384_out(&t->sha384, digest);
		br_sha384_init(&t->sha384);
		message_hash_header(hdr, br_sha384_SIZE);
		br_sha384_update(&t->sha384, hdr, sizeof(hdr));
		br_sha384_update(&t->sha384, digest, br_sha384_SIZE);
	}
	explicit_bzero(digest, sizeof(digest));
}

void t13_transcript_wipe(struct t13_transcript *t)
{
	explicit_bzero(t, sizeof(*t));
}

void t13_schedule_init(struct t13_schedule *ks, const br_hash_class *h, const uint8_t *psk,
		       size_t psk_len)
{
	static const uint8_t zeros[T13_MAX_HASH];

	explicit_bzero(ks, sizeof(*ks));
	ks->hash = h;
	ks->hash_len = t13_hash_len(h);
	if (!psk) {
		psk = zeros;
		psk_len = ks->hash_len;
	}
	t13_hkdf_extract(h, NULL, 0, psk, psk_len, ks->secret);
}

void t13_schedule_binder_key(const struct t13_schedule *ks, int external, uint8_t *out)
{
	uint8_t empty[T13_MAX_DIGEST];

	empty_hash(ks->hash, empty);
	t13_derive_secret(ks->hash, ks->secret, external ? "ext binder" : "res binder", empty, out);
}

/*
 * The step between two stages: HKDF-Extract(Derive-Secret(current,
 * "derived", ""), @ikm), which replaces ks->secret.
 */
static void schedule_next_stage(struct t13_schedule *ks, const uint8_t *ikm, size_t ikm_len)
{
	static const uint8_t zeros[T13_MAX_HASH];
	uint8_t empty[T13_MAX_DIGEST], derived[T13_MAX_DIGEST];

	if (!ikm) {
		ikm = zeros;
		ikm_len = ks->hash_len;
	}
	empty_hash(ks->hash, empty);
	t13_derive_secret(ks->hash, ks->secret, "derived", empty, derived);
	t13_hkdf_extract(ks->hash, derived, ks->hash_len, ikm, ikm_len, ks->secret);
	explicit_bzero(derived, sizeof(derived));
}

void t13_schedule_handshake(struct t13_schedule *ks, const uint8_t *dhe, size_t dhe_len,
			    const uint8_t *hash_to_server_hello)
{
	schedule_next_stage(ks, dhe, dhe_len);
	t13_derive_secret(ks->hash, ks->secret, "c hs traffic", hash_to_server_hello, ks->client_hs);
	t13_derive_secret(ks->hash, ks->secret, "s hs traffic", hash_to_server_hello, ks->server_hs);
}

void t13_schedule_application(struct t13_schedule *ks, const uint8_t *hash_to_server_finished)
{
	const uint8_t *th = hash_to_server_finished;

	schedule_next_stage(ks, NULL, 0);
	t13_derive_secret(ks->hash, ks->secret, "c ap traffic", th, ks->client_ap);
	t13_derive_secret(ks->hash, ks->secret, "s ap traffic", th, ks->server_ap);
	t13_derive_secret(ks->hash, ks->secret, "exp master", th, ks->exporter);
}

void t13_schedule_resumption(struct t13_schedule *ks, const uint8_t *hash_to_client_finished)
{
	t13_derive_secret(ks->hash, ks->secret, "res master", hash_to_client_finished,
			  ks->resumption);
}

void t13_schedule_wipe(struct t13_schedule *ks)
{
	explicit_bzero(ks, sizeof(*ks));
}

void t13_traffic_keys(const br_hash_class *h, const uint8_t *traffic_secret, size_t key_len,
		      uint8_t *key, uint8_t iv[T13_IV_LEN])
{
	if (t13_hkdf_expand_label(h, traffic_secret, "key", NULL, 0, key, key_len) < 0)
		explicit_bzero(key, key_len);
	t13_hkdf_expand_label(h, traffic_secret, "iv", NULL, 0, iv, T13_IV_LEN);
}

void t13_finished_mac(const br_hash_class *h, const uint8_t *base_key,
		      const uint8_t *transcript_hash, uint8_t *out)
{
	size_t hash_len = t13_hash_len(h);
	uint8_t finished_key[T13_MAX_DIGEST];
	br_hmac_key_context kc;
	br_hmac_context hc;

	t13_hkdf_expand_label(h, base_key, "finished", NULL, 0, finished_key, hash_len);
	br_hmac_key_init(&kc, h, finished_key, hash_len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, transcript_hash, hash_len);
	br_hmac_out(&hc, out);
	explicit_bzero(finished_key, sizeof(finished_key));
	explicit_bzero(&kc, sizeof(kc));
	explicit_bzero(&hc, sizeof(hc));
}

int t13_finished_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	volatile uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

void t13_next_traffic_secret(const br_hash_class *h, const uint8_t *secret, uint8_t *out)
{
	t13_hkdf_expand_label(h, secret, "traffic upd", NULL, 0, out, t13_hash_len(h));
}

void t13_resumption_psk(const br_hash_class *h, const uint8_t *resumption, const uint8_t *nonce,
			size_t nonce_len, uint8_t *out)
{
	size_t hash_len = t13_hash_len(h);

	if (t13_hkdf_expand_label(h, resumption, "resumption", nonce, nonce_len, out, hash_len) < 0)
		explicit_bzero(out, hash_len);
}
