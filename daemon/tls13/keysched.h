/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS 1.3 key schedule (RFC 8446 §7) and the running transcript hash
 * (§4.4.1), on BearSSL's HMAC and SHA-2. Suites hash with SHA-256 or
 * SHA-384: pass &br_sha256_vtable or &br_sha384_vtable as the hash class.
 * The hash classes must be those two (the schedule's buffers hold 48
 * bytes). Everything here works in caller-allocated memory; nothing allocates.
 * Secrets that pass through a function's own stack are wiped before it
 * returns; the caller wipes what it keeps (t13_schedule_wipe(),
 * t13_transcript_wipe(), explicit_bzero() for the rest).
 */
#ifndef KTLSD_T13_KEYSCHED_H
#define KTLSD_T13_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "t13.h"

/* HkdfLabel (§7.1): label<7..255> with its "tls13 " prefix, context<0..255>. */
#define T13_LABEL_PREFIX	"tls13 "
#define T13_MAX_LABEL		(255 - 6)
#define T13_MAX_CONTEXT		255
#define T13_IV_LEN		12

/* Output length of @h in bytes (32 for SHA-256, 48 for SHA-384). */
static inline size_t t13_hash_len(const br_hash_class *h)
{
	return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

/*
 * HKDF-Extract (RFC 5869): @prk = HMAC-Hash(salt, IKM). A NULL or empty
 * @salt means hash_len zero bytes, as §7.1 uses it. @prk gets hash_len
 * bytes and may alias neither input.
 */
void t13_hkdf_extract(const br_hash_class *h, const void *salt, size_t salt_len,
		      const void *ikm, size_t ikm_len, uint8_t *prk);

/*
 * HKDF-Expand (RFC 5869): @out_len bytes from @prk (hash_len bytes) and
 * @info. @out may alias @prk. Returns 0, or -1 (nothing written) when
 * @out_len > 255 * hash_len.
 */
int t13_hkdf_expand(const br_hash_class *h, const uint8_t *prk, const void *info,
		    size_t info_len, uint8_t *out, size_t out_len);

/*
 * HKDF-Expand-Label (§7.1): HKDF-Expand(@secret, HkdfLabel, @out_len) with
 * HkdfLabel = { out_len, "tls13 " + @label, @context }. @label is a C
 * string without the prefix; @secret is hash_len bytes. @out may alias
 * @secret (the key is taken in before anything is written).
 * Returns 0, or -1 (and writes nothing) when the encoding cannot carry
 * the request: @label empty or longer than 249 bytes, @context_len > 255,
 * or @out_len > 255 * hash_len.
 */
int t13_hkdf_expand_label(const br_hash_class *h, const uint8_t *secret, const char *label,
			  const void *context, size_t context_len, uint8_t *out, size_t out_len);

/*
 * Derive-Secret(Secret, Label, Messages) (§7.1) given Transcript-Hash(Messages)
 * in @transcript_hash (hash_len bytes). @out gets hash_len bytes and may
 * alias @secret. @label must be one of the fixed labels of §7 (it is not
 * checked beyond what t13_hkdf_expand_label() checks; an invalid one
 * leaves @out zeroed).
 */
void t13_derive_secret(const br_hash_class *h, const uint8_t *secret, const char *label,
		       const uint8_t *transcript_hash, uint8_t *out);

/*
 * The running transcript hash (§4.4.1). Until the suite is known (a client
 * before ServerHello or HelloRetryRequest) it runs SHA-256 and SHA-384 side
 * by side; t13_transcript_select() then keeps the suite's one.
 */
struct t13_transcript {
	br_hash_compat_context sha256;	/* of hash_fast(&br_sha256_vtable)'s class */
	br_sha384_context sha384;
	const br_hash_class *hash;	/* NULL: both still run */
};

/* Starts an empty transcript running both hashes. */
void t13_transcript_init(struct t13_transcript *t);

/*
 * Keeps only @h's hash (&br_sha256_vtable or &br_sha384_vtable) and clears
 * the other. Any other class leaves a transcript that hashes nothing:
 * t13_transcript_hash() then returns 0. NULL changes nothing.
 */
void t13_transcript_select(struct t13_transcript *t, const br_hash_class *h);

/* Adds @len bytes of whole handshake messages (with their 4-byte headers). */
void t13_transcript_update(struct t13_transcript *t, const void *data, size_t len);

/*
 * Writes the hash of everything added so far to @out, without ending the
 * transcript. Returns hash_len, or 0 (nothing written) before select.
 */
size_t t13_transcript_hash(const struct t13_transcript *t, uint8_t *out);

/*
 * The same with @h's hash, selected or not: a client offering a PSK needs
 * the hash of its ticket's suite over the truncated ClientHello (§4.2.11.2)
 * while both hashes still run. Returns hash_len, or 0 (nothing written)
 * when @h is not a hash the transcript runs.
 */
size_t t13_transcript_hash_as(const struct t13_transcript *t, const br_hash_class *h,
			      uint8_t *out);

/*
 * After a HelloRetryRequest (§4.4.1): replaces ClientHello1 by the
 * synthetic message_hash = 254 00 00 Hash.length Hash(ClientHello1). Call
 * after ClientHello1 was added and (normally) after select, before the HRR
 * is added. Called before select, it restarts both hashes, each with its
 * own message_hash, so a later select still finds the right one.
 */
void t13_transcript_restart_after_hrr(struct t13_transcript *t);

/* Clears the transcript (it hashes handshake secrets' inputs). */
void t13_transcript_wipe(struct t13_transcript *t);

/* The key schedule (§7.1), for one suite's hash. */
struct t13_schedule {
	const br_hash_class *hash;
	size_t hash_len;
	uint8_t secret[T13_MAX_HASH];		/* the current stage's: early, handshake, then master */
	uint8_t client_hs[T13_MAX_HASH], server_hs[T13_MAX_HASH];
	uint8_t client_ap[T13_MAX_HASH], server_ap[T13_MAX_HASH];
	uint8_t exporter[T13_MAX_HASH], resumption[T13_MAX_HASH];
};

/*
 * Early Secret = HKDF-Extract(0, PSK), with hash_len zeros for the PSK
 * when @psk is NULL (a full handshake). Clears every other field.
 */
void t13_schedule_init(struct t13_schedule *ks, const br_hash_class *h, const uint8_t *psk,
		       size_t psk_len);

/*
 * binder_key = Derive-Secret(Early Secret, "res binder" for a resumption
 * PSK, "ext binder" when @external, ""). Call between init and handshake.
 * @out gets hash_len bytes.
 */
void t13_schedule_binder_key(const struct t13_schedule *ks, int external, uint8_t *out);

/*
 * Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""), DHE),
 * with hash_len zeros for a NULL @dhe (psk_ke); then client_hs/server_hs
 * ("c hs traffic", "s hs traffic") from @hash_to_server_hello =
 * Hash(ClientHello..ServerHello). ks->secret becomes the Handshake Secret.
 */
void t13_schedule_handshake(struct t13_schedule *ks, const uint8_t *dhe, size_t dhe_len,
			    const uint8_t *hash_to_server_hello);

/*
 * Master Secret = HKDF-Extract(Derive-Secret(Handshake, "derived", ""), 0);
 * then client_ap, server_ap and exporter ("c ap traffic", "s ap traffic",
 * "exp master") from Hash(ClientHello..server Finished). ks->secret becomes
 * the Master Secret; client_hs/server_hs stay until wiped.
 */
void t13_schedule_application(struct t13_schedule *ks, const uint8_t *hash_to_server_finished);

/* resumption = Derive-Secret(Master, "res master", Hash(ClientHello..client Finished)). */
void t13_schedule_resumption(struct t13_schedule *ks, const uint8_t *hash_to_client_finished);

/* Clears every secret in @ks. */
void t13_schedule_wipe(struct t13_schedule *ks);

/*
 * [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", @key_len) and
 * [sender]_write_iv = HKDF-Expand-Label(Secret, "iv", "", 12) (§7.3).
 * @key_len is the AEAD's (16 or 32).
 */
void t13_traffic_keys(const br_hash_class *h, const uint8_t *traffic_secret, size_t key_len,
		      uint8_t *key, uint8_t iv[T13_IV_LEN]);

/*
 * Finished verify_data (§4.4.4) = HMAC(finished_key, @transcript_hash), with
 * finished_key = HKDF-Expand-Label(@base_key, "finished", "", Hash.length).
 * Also the PSK binder (§4.2.11.2) with @base_key = binder_key and the hash
 * of the truncated ClientHello. @out gets hash_len bytes.
 */
void t13_finished_mac(const br_hash_class *h, const uint8_t *base_key,
		      const uint8_t *transcript_hash, uint8_t *out);

/* Compares two verify_data (or binders) in constant time. Returns 1 if equal, else 0. */
int t13_finished_equal(const uint8_t *a, const uint8_t *b, size_t len);

/*
 * application_traffic_secret_N+1 = HKDF-Expand-Label(@secret, "traffic upd",
 * "", Hash.length) (§7.2). @out may be @secret itself.
 */
void t13_next_traffic_secret(const br_hash_class *h, const uint8_t *secret, uint8_t *out);

/*
 * The PSK of a ticket (§4.6.1) = HKDF-Expand-Label(@resumption,
 * "resumption", @nonce, Hash.length). @nonce_len is at most 255 (its
 * wire length is one byte); a longer one leaves @out zeroed.
 */
void t13_resumption_psk(const br_hash_class *h, const uint8_t *resumption, const uint8_t *nonce,
			size_t nonce_len, uint8_t *out);

#endif
