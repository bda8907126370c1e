// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stateless session tickets: the session state serialised field by field
 * (never a struct's memory: its padding and layout would leak, and change
 * with the compiler), then sealed with AES-256-GCM.
 *
 * The AEAD is t13_aead_encrypt()/t13_aead_decrypt() (aead.h) keyed for
 * T13_AES_256_GCM_SHA384 rather than BearSSL's br_gcm_context: it already
 * picks the fastest constant-time AES and GHASH this CPU has, it is tested
 * against the GCM vectors, its tag comparison is constant-time, and it
 * checks the tag before decrypting, so a forged ticket never yields
 * plaintext. Its keyed state is a plain value on our stack, wiped after use.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <string.h>

#include "aead.h"
#include "ticket.h"
#include "../entropy.h"

/* Where the parts of a sealed ticket start. */
#define NONCE_AT	T13_TICKET_NAME_LEN
#define STATE_AT	(T13_TICKET_NAME_LEN + T13_TICKET_NONCE_LEN)

/* ---- keys ---- */

/* A new key made at @now_ms into @key (the caller's local: a failure leaves its keys as they were). */
static int make_key(struct t13_ticket_key *key, uint64_t now_ms)
{
	*key = (struct t13_ticket_key){ .created_ms = now_ms, .valid = 1 };
	if (entropy_fill(key->name, sizeof(key->name)) < 0 ||
	    entropy_fill(key->key, sizeof(key->key)) < 0) {
		explicit_bzero(key, sizeof(*key));
		return -1;
	}
	return 0;
}

int t13_ticket_keys_init(struct t13_ticket_keys *k, uint64_t now_ms, uint64_t rotate_ms)
{
	struct t13_ticket_key fresh;
	int r = make_key(&fresh, now_ms);

	/* Zeroed by assignment, as in aead.c: gcc 12's -Wnonnull under
	 * -fsanitize=undefined cannot see that @k is not NULL. */
	*k = (struct t13_ticket_keys){ .rotate_ms = rotate_ms };
	if (r == 0)
		k->current = fresh;
	explicit_bzero(&fresh, sizeof(fresh));
	return r;
}

int t13_ticket_keys_rotate(struct t13_ticket_keys *k, uint64_t now_ms)
{
	struct t13_ticket_key fresh;

	/* Made aside first: a failure must not cost the keys we have. */
	if (make_key(&fresh, now_ms) < 0)
		return -1;
	explicit_bzero(&k->previous, sizeof(k->previous));
	k->previous = k->current;
	k->current = fresh;
	explicit_bzero(&fresh, sizeof(fresh));
	return 0;
}

int t13_ticket_keys_tick(struct t13_ticket_keys *k, uint64_t now_ms)
{
	uint64_t created = k->current.created_ms;

	if (!k->rotate_ms || k->rotated_elsewhere || now_ms < created || now_ms - created < k->rotate_ms)
		return 0;
	return t13_ticket_keys_rotate(k, now_ms) < 0 ? -1 : 1;
}

void t13_ticket_keys_wipe(struct t13_ticket_keys *k)
{
	explicit_bzero(k, sizeof(*k));
}

/* ---- the state's fields ---- */

static size_t suite_hash_len(uint16_t suite)
{
	switch (suite) {
	case T13_AES_128_GCM_SHA256:
	case T13_CHACHA20_POLY1305_SHA256:
		return 32;
	case T13_AES_256_GCM_SHA384:
		return 48;
	default:
		return 0;
	}
}

/* The checks that do not depend on the time, shared by seal and open. */
static int session_in_range(const struct t13_session *s)
{
	size_t hash_len = suite_hash_len(s->suite);

	return hash_len && s->psk_len == hash_len && s->lifetime_s <= T13_TICKET_MAX_LIFETIME &&
	       s->peer_verified <= 1;
}

/*
 * A sticky writer into a buffer of T13_TICKET_MAX_STATE bytes: the caller
 * bounds every field first (session_in_range(), string_len()), so it never
 * runs out; the check is there all the same.
 */
struct writer {
	uint8_t *p;
	size_t len, cap;
	int overflow;
};

static void put_bytes(struct writer *w, const void *data, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	memcpy(w->p + w->len, data, n);
	w->len += n;
}

static void put_uint(struct writer *w, uint64_t v, size_t n)
{
	uint8_t be[8];

	for (size_t i = 0; i < n; i++)
		be[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put_bytes(w, be, n);
}

static void put_string(struct writer *w, const char *str, size_t len)
{
	put_uint(w, len, 1);
	put_bytes(w, str, len);
}

/* A string's length if it is terminated within its @size-byte array, else -1. */
static long string_len(const char *str, size_t size)
{
	size_t n = strnlen(str, size);

	return n < size ? (long)n : -1;
}

/* The strings, in the order they are serialised: where each lies in the struct, its array's size. */
#define STRING_FIELD(f) { offsetof(struct t13_session, f), sizeof(((struct t13_session *)0)->f) }
static const struct {
	size_t offset, size;
} string_fields[] = {
	STRING_FIELD(profile), STRING_FIELD(alpn), STRING_FIELD(server_name),
	STRING_FIELD(peer_subject), STRING_FIELD(peer_san),
};
#define N_STRINGS (sizeof(string_fields) / sizeof(string_fields[0]))

/* Serialise @s into @state (T13_TICKET_MAX_STATE bytes). Returns the length, or 0 if @s is out of range. */
static size_t serialise(const struct t13_session *s, uint8_t *state)
{
	struct writer w = { .p = state, .cap = T13_TICKET_MAX_STATE };
	long lens[N_STRINGS];

	if (!session_in_range(s))
		return 0;
	for (size_t i = 0; i < N_STRINGS; i++) {
		lens[i] = string_len((const char *)s + string_fields[i].offset, string_fields[i].size);
		if (lens[i] < 0)
			return 0;
	}
	put_uint(&w, T13_TICKET_VERSION, 1);
	put_uint(&w, s->suite, 2);
	put_uint(&w, s->psk_len, 1);
	put_bytes(&w, s->psk, s->psk_len);
	put_uint(&w, s->issued_ms, 8);
	put_uint(&w, s->lifetime_s, 4);
	put_uint(&w, s->age_add, 4);
	put_uint(&w, s->peer_verified, 1);
	for (size_t i = 0; i < N_STRINGS; i++)
		put_string(&w, (const char *)s + string_fields[i].offset, (size_t)lens[i]);
	if (w.overflow) {
		explicit_bzero(state, T13_TICKET_MAX_STATE);
		return 0;
	}
	return w.len;
}

/* A sticky reader over the decrypted state: a field running past the end sets @bad. */
struct reader {
	const uint8_t *p;
	size_t left;
	int bad;
};

static const uint8_t *take(struct reader *r, size_t n)
{
	const uint8_t *at = r->p;

	if (r->bad || n > r->left) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return at;
}

static uint64_t get_uint(struct reader *r, size_t n)
{
	const uint8_t *p = take(r, n);
	uint64_t v = 0;

	for (size_t i = 0; p && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* A length-prefixed string into @str: shorter than its @size-byte array, no NUL inside. */
static void get_string(struct reader *r, char *str, size_t size)
{
	size_t len = (size_t)get_uint(r, 1);
	const uint8_t *p;

	if (len >= size) {
		r->bad = 1;
		return;
	}
	p = take(r, len);
	if (!p || memchr(p, 0, len)) {
		r->bad = 1;
		return;
	}
	memcpy(str, p, len);
	str[len] = '\0';
}

/* Parse the decrypted @state into @s (zeroed first). Returns 0, or -1 (@s then partly filled). */
static int parse(const uint8_t *state, size_t len, struct t13_session *s)
{
	struct reader r = { .p = state, .left = len };
	const uint8_t *psk;

	memset(s, 0, sizeof(*s));
	if (get_uint(&r, 1) != T13_TICKET_VERSION)
		return -1;
	s->suite = (uint16_t)get_uint(&r, 2);
	s->psk_len = (size_t)get_uint(&r, 1);
	/* Bounded before the copy: the array holds T13_MAX_HASH bytes. */
	if (s->psk_len > sizeof(s->psk))
		return -1;
	psk = take(&r, s->psk_len);
	if (psk)
		memcpy(s->psk, psk, s->psk_len);
	s->issued_ms = get_uint(&r, 8);
	s->lifetime_s = (uint32_t)get_uint(&r, 4);
	s->age_add = (uint32_t)get_uint(&r, 4);
	s->peer_verified = (uint8_t)get_uint(&r, 1);
	for (size_t i = 0; i < N_STRINGS; i++)
		get_string(&r, (char *)s + string_fields[i].offset, string_fields[i].size);
	if (r.bad || r.left)
		return -1;
	return session_in_range(s) ? 0 : -1;
}

/* ---- sealing and opening ---- */

static const uint8_t no_iv[T13_AEAD_NONCE];

size_t t13_ticket_seal_state(const struct t13_ticket_key *key,
			     const uint8_t nonce[T13_TICKET_NONCE_LEN], const uint8_t *state,
			     size_t state_len, uint8_t *out, size_t cap)
{
	struct t13_aead aead;
	uint8_t *ct = out + STATE_AT;

	if (!key->valid || cap < T13_TICKET_OVERHEAD || state_len > cap - T13_TICKET_OVERHEAD)
		return 0;
	/* The state first: it may already lie in @out. */
	if (state_len)
		memmove(ct, state, state_len);
	memcpy(out, key->name, T13_TICKET_NAME_LEN);
	memcpy(out + NONCE_AT, nonce, T13_TICKET_NONCE_LEN);
	/* The record IV is unused: the bare AEAD takes our nonce. */
	t13_aead_init(&aead, T13_AES_256_GCM_SHA384, key->key, no_iv);
	t13_aead_encrypt(&aead, nonce, key->name, T13_TICKET_NAME_LEN, ct, state_len,
			 ct + state_len);
	t13_aead_wipe(&aead);
	return T13_TICKET_OVERHEAD + state_len;
}

size_t t13_ticket_seal(const struct t13_ticket_keys *k, const struct t13_session *s,
		       const br_prng_class **rng, uint8_t *out, size_t cap)
{
	uint8_t state[T13_TICKET_MAX_STATE];
	uint8_t nonce[T13_TICKET_NONCE_LEN];
	size_t state_len, len = 0;

	if (!k->current.valid)
		return 0;
	state_len = serialise(s, state);
	if (!state_len || cap < T13_TICKET_OVERHEAD + state_len)
		goto out;
	(*rng)->generate(rng, nonce, sizeof(nonce));
	len = t13_ticket_seal_state(&k->current, nonce, state, state_len, out, cap);
out:
	explicit_bzero(state, sizeof(state));
	return len;
}

/* The valid key named by the ticket's first bytes, or NULL. Names are public: no need for constant time. */
static const struct t13_ticket_key *find_key(const struct t13_ticket_keys *k, const uint8_t *name)
{
	if (k->current.valid && !memcmp(k->current.name, name, T13_TICKET_NAME_LEN))
		return &k->current;
	if (k->previous.valid && !memcmp(k->previous.name, name, T13_TICKET_NAME_LEN))
		return &k->previous;
	return NULL;
}

/* Issued no later than @now_ms, and not past its lifetime (which is at most 7 days: no overflow). */
static int in_lifetime(const struct t13_session *s, uint64_t now_ms)
{
	return s->issued_ms <= now_ms && now_ms - s->issued_ms <= (uint64_t)s->lifetime_s * 1000;
}

/* Authenticate and decrypt @ticket (its length already checked) into @state. */
static int decrypt(const struct t13_ticket_key *key, const uint8_t *ticket, size_t len,
		   uint8_t *state)
{
	size_t state_len = len - T13_TICKET_OVERHEAD;
	struct t13_aead aead;
	int r;

	memcpy(state, ticket + STATE_AT, state_len);
	t13_aead_init(&aead, T13_AES_256_GCM_SHA384, key->key, no_iv);
	r = t13_aead_decrypt(&aead, ticket + NONCE_AT, ticket, T13_TICKET_NAME_LEN, state,
			     state_len, ticket + STATE_AT + state_len);
	t13_aead_wipe(&aead);
	return r;
}

int t13_ticket_open(const struct t13_ticket_keys *k, const uint8_t *ticket, size_t len,
		    uint64_t now_ms, struct t13_session *s)
{
	uint8_t state[T13_TICKET_MAX_STATE];
	const struct t13_ticket_key *key;
	int r = -1;

	/* The length is public: refuse what cannot be ours before any work. */
	if (len < T13_TICKET_MIN_LEN || len > T13_TICKET_MAX_LEN)
		goto fail;
	key = find_key(k, ticket);
	if (!key || decrypt(key, ticket, len, state) < 0)
		goto fail;
	if (parse(state, len - T13_TICKET_OVERHEAD, s) < 0 || !in_lifetime(s, now_ms))
		goto fail;
	r = 0;
	goto out;
fail:
	explicit_bzero(s, sizeof(*s));
out:
	explicit_bzero(state, sizeof(state));
	return r;
}

int t13_ticket_age_ok(const struct t13_session *s, uint32_t obfuscated_age, uint64_t now_ms,
		      uint32_t window_ms)
{
	/* §4.2.11.1: the client adds age_add modulo 2^32. */
	uint64_t client_age = (uint32_t)(obfuscated_age - s->age_add);
	uint64_t server_age;

	if (now_ms < s->issued_ms)
		return 0;
	server_age = now_ms - s->issued_ms;
	if (server_age >= client_age)
		return server_age - client_age <= window_ms;
	return client_age - server_age <= window_ms;
}
