// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stateless session tickets (daemon/tls13/ticket.c): every field through a
 * seal and an open, the documented layout checked by decrypting a ticket
 * by hand, key rotation (by hand-fed clocks), and the refusals: other keys,
 * every bit flipped, every length, expired and future tickets, and
 * malformed states sealed under a known key so that they authenticate.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls13/aead.h"
#include "tls13/ticket.h"
#include "tap.h"

#define T0		1700000000000ull	/* an issue time, ms */
#define HOUR_MS		3600000ull

static br_hmac_drbg_context drbg;
static const br_prng_class **rng = &drbg.vtable;

/* Keys with known bytes, so that the tests can seal states by hand. */
static void fixed_keys(struct t13_ticket_keys *k, uint8_t seed)
{
	memset(k, 0, sizeof(*k));
	for (int i = 0; i < T13_TICKET_NAME_LEN; i++)
		k->current.name[i] = (uint8_t)(seed + i);
	for (int i = 0; i < T13_TICKET_KEY_LEN; i++)
		k->current.key[i] = (uint8_t)(seed * 7 + i * 3);
	k->current.created_ms = T0;
	k->current.valid = 1;
	k->rotate_ms = HOUR_MS;
}

static void fill_string(char *s, size_t len, char first)
{
	for (size_t i = 0; i < len; i++)
		s[i] = (char)(first + i % 26);
	s[len] = '\0';
}

/* Every field set, none to a default; @longest: each string at its longest. */
static void sample_session(struct t13_session *s, int longest)
{
	memset(s, 0, sizeof(*s));
	s->suite = T13_AES_256_GCM_SHA384;
	s->psk_len = 48;
	for (int i = 0; i < 48; i++)
		s->psk[i] = (uint8_t)(0xa0 ^ i);
	s->issued_ms = T0;
	s->lifetime_s = 86400;
	s->age_add = 0xdeadbeef;
	s->peer_verified = 1;
	if (longest) {
		fill_string(s->profile, sizeof(s->profile) - 1, 'a');
		fill_string(s->alpn, sizeof(s->alpn) - 1, 'b');
		fill_string(s->server_name, sizeof(s->server_name) - 1, 'c');
		fill_string(s->peer_subject, sizeof(s->peer_subject) - 1, 'd');
		fill_string(s->peer_san, sizeof(s->peer_san) - 1, 'e');
	} else {
		strcpy(s->profile, "web");
		strcpy(s->alpn, "h2");
		strcpy(s->server_name, "www.example.com");
		strcpy(s->peer_subject, "client one");
		strcpy(s->peer_san, "client1.example.com");
	}
}

/* A state as the header documents it, field by field, with any value in any field. */
struct raw_state {
	uint8_t version;
	uint16_t suite;
	uint8_t psk_len;
	uint64_t issued_ms;
	uint32_t lifetime_s;
	uint32_t age_add;
	uint8_t peer_verified;
	const char *str[5];
	size_t str_len[5];
};

static void raw_from_session(struct raw_state *r, const struct t13_session *s)
{
	const char *strs[5] = { s->profile, s->alpn, s->server_name, s->peer_subject, s->peer_san };

	*r = (struct raw_state){ .version = T13_TICKET_VERSION, .suite = s->suite,
				 .psk_len = (uint8_t)s->psk_len, .issued_ms = s->issued_ms,
				 .lifetime_s = s->lifetime_s, .age_add = s->age_add,
				 .peer_verified = s->peer_verified };
	for (int i = 0; i < 5; i++) {
		r->str[i] = strs[i];
		r->str_len[i] = strlen(strs[i]);
	}
}

static size_t put_be(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return n;
}

static size_t build_state(const struct raw_state *r, uint8_t *out)
{
	size_t n = 0;

	out[n++] = r->version;
	n += put_be(out + n, r->suite, 2);
	out[n++] = r->psk_len;
	for (int i = 0; i < r->psk_len; i++)
		out[n++] = (uint8_t)(0xa0 ^ i);
	n += put_be(out + n, r->issued_ms, 8);
	n += put_be(out + n, r->lifetime_s, 4);
	n += put_be(out + n, r->age_add, 4);
	out[n++] = r->peer_verified;
	for (int i = 0; i < 5; i++) {
		out[n++] = (uint8_t)r->str_len[i];
		memcpy(out + n, r->str[i], r->str_len[i]);
		n += r->str_len[i];
	}
	return n;
}

/* Seal a hand-made state under @k's current key; open it at @now. */
static int open_state(const struct t13_ticket_keys *k, const uint8_t *state, size_t len,
		      uint64_t now, struct t13_session *s)
{
	static const uint8_t nonce[T13_TICKET_NONCE_LEN] = { 1, 2, 3 };
	uint8_t ticket[2048];
	size_t n = t13_ticket_seal_state(&k->current, nonce, state, len, ticket, sizeof(ticket));

	if (n != T13_TICKET_OVERHEAD + len)
		return -2;
	return t13_ticket_open(k, ticket, n, now, s);
}

static int open_raw(const struct t13_ticket_keys *k, const struct raw_state *r, uint64_t now)
{
	uint8_t state[2048];
	struct t13_session s;

	return open_state(k, state, build_state(r, state), now, &s);
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* The string, and the rest of its array zero. */
static int string_field_ok(const char *got, const char *want, size_t size)
{
	size_t n = strlen(want);

	return !memcmp(got, want, n + 1) && all_zero(got + n + 1, size - n - 1);
}

static void check_round_trip(const char *what, int longest)
{
	struct t13_ticket_keys k;
	struct t13_session in, out;
	uint8_t ticket[T13_TICKET_MAX_LEN];
	size_t len;

	fixed_keys(&k, 1);
	sample_session(&in, longest);
	len = t13_ticket_seal(&k, &in, rng, ticket, sizeof(ticket));
	ok(len > T13_TICKET_OVERHEAD && len <= T13_TICKET_MAX_LEN, "%s: sealed, %zu bytes", what, len);
	memset(&out, 0x55, sizeof(out));
	ok(t13_ticket_open(&k, ticket, len, T0 + 1000, &out) == 0, "%s: opens", what);
	ok(out.suite == in.suite, "%s: suite", what);
	ok(out.psk_len == 48 && !memcmp(out.psk, in.psk, 48), "%s: psk", what);
	ok(out.issued_ms == in.issued_ms, "%s: issued_ms", what);
	ok(out.lifetime_s == in.lifetime_s, "%s: lifetime_s", what);
	ok(out.age_add == in.age_add, "%s: age_add", what);
	ok(out.peer_verified == 1, "%s: peer_verified", what);
	ok(string_field_ok(out.profile, in.profile, sizeof(out.profile)), "%s: profile", what);
	ok(string_field_ok(out.alpn, in.alpn, sizeof(out.alpn)), "%s: alpn", what);
	ok(string_field_ok(out.server_name, in.server_name, sizeof(out.server_name)),
	   "%s: server_name", what);
	ok(string_field_ok(out.peer_subject, in.peer_subject, sizeof(out.peer_subject)),
	   "%s: peer_subject", what);
	ok(string_field_ok(out.peer_san, in.peer_san, sizeof(out.peer_san)), "%s: peer_san", what);
}

/* A SHA-256 suite, a 32-byte PSK, empty strings, peer_verified 0: the smallest ticket. */
static void test_smallest(void)
{
	struct t13_ticket_keys k;
	struct t13_session in, out;
	uint8_t ticket[T13_TICKET_MAX_LEN];
	size_t len;

	fixed_keys(&k, 2);
	memset(&in, 0, sizeof(in));
	in.suite = T13_CHACHA20_POLY1305_SHA256;
	in.psk_len = 32;
	memset(in.psk, 0x11, 32);
	in.issued_ms = T0;
	in.lifetime_s = T13_TICKET_MAX_LIFETIME;
	len = t13_ticket_seal(&k, &in, rng, ticket, sizeof(ticket));
	ok(len == T13_TICKET_MIN_LEN && len == 102, "smallest ticket: %zu bytes (44 + 58)", len);
	ok(t13_ticket_open(&k, ticket, len, T0, &out) == 0 && !memcmp(&in, &out, sizeof(in)),
	   "smallest ticket: opens to the same session (every byte, padding zero)");
}

/* Decrypt a sealed ticket with the known key and compare with the documented layout. */
static void test_layout(void)
{
	struct t13_ticket_keys k;
	struct t13_session s;
	struct raw_state r;
	struct t13_aead aead;
	uint8_t ticket[T13_TICKET_MAX_LEN], want[T13_TICKET_MAX_STATE];
	static const uint8_t zero_iv[T13_AEAD_NONCE];
	size_t len, want_len, state_len;
	int r_dec;

	fixed_keys(&k, 3);
	sample_session(&s, 0);
	raw_from_session(&r, &s);
	want_len = build_state(&r, want);
	len = t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket));
	ok(len == T13_TICKET_OVERHEAD + want_len, "layout: 44 bytes around the state (%zu)", len);
	ok(!memcmp(ticket, k.current.name, T13_TICKET_NAME_LEN), "layout: starts with the key name");
	state_len = len - T13_TICKET_OVERHEAD;
	t13_aead_init(&aead, T13_AES_256_GCM_SHA384, k.current.key, zero_iv);
	r_dec = t13_aead_decrypt(&aead, ticket + 16, ticket, 16, ticket + 28, state_len,
				 ticket + 28 + state_len);
	t13_aead_wipe(&aead);
	ok(r_dec == 0, "layout: AES-256-GCM, nonce at 16, name as AAD, tag last");
	ok(r_dec == 0 && !memcmp(ticket + 28, want, want_len),
	   "layout: the state is the documented serialisation, nothing else");
}

static void test_seal_refusals(void)
{
	struct t13_ticket_keys k;
	struct t13_session s, bad;
	uint8_t ticket[T13_TICKET_MAX_LEN + 1];
	size_t len;

	fixed_keys(&k, 4);
	sample_session(&s, 0);
	len = t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket));
	memset(ticket, 0xee, sizeof(ticket));
	ok(t13_ticket_seal(&k, &s, rng, ticket, len - 1) == 0 && ticket[0] == 0xee,
	   "seal: a buffer one byte short refused, nothing written");
	ok(t13_ticket_seal(&k, &s, rng, ticket, len) == len, "seal: an exact buffer is enough");

	bad = s;
	memset(bad.profile, 'x', sizeof(bad.profile));
	ok(!t13_ticket_seal(&k, &bad, rng, ticket, sizeof(ticket)), "seal: unterminated profile refused");
	bad = s;
	memset(bad.peer_san, 'x', sizeof(bad.peer_san));
	ok(!t13_ticket_seal(&k, &bad, rng, ticket, sizeof(ticket)), "seal: unterminated peer_san refused");
	bad = s;
	bad.lifetime_s = T13_TICKET_MAX_LIFETIME + 1;
	ok(!t13_ticket_seal(&k, &bad, rng, ticket, sizeof(ticket)), "seal: lifetime over 7 days refused");
	bad = s;
	bad.suite = 0x1304;
	ok(!t13_ticket_seal(&k, &bad, rng, ticket, sizeof(ticket)), "seal: unknown suite refused");
	bad = s;
	bad.psk_len = 32;
	ok(!t13_ticket_seal(&k, &bad, rng, ticket, sizeof(ticket)),
	   "seal: psk_len other than the suite's hash refused");
	bad = s;
	bad.peer_verified = 2;
	ok(!t13_ticket_seal(&k, &bad, rng, ticket, sizeof(ticket)), "seal: peer_verified 2 refused");
	k.current.valid = 0;
	ok(!t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket)), "seal: no current key, nothing sealed");
}

static void test_two_seals_differ(void)
{
	struct t13_ticket_keys k;
	struct t13_session s, out;
	uint8_t a[T13_TICKET_MAX_LEN], b[T13_TICKET_MAX_LEN];
	size_t la, lb;

	fixed_keys(&k, 5);
	sample_session(&s, 0);
	la = t13_ticket_seal(&k, &s, rng, a, sizeof(a));
	lb = t13_ticket_seal(&k, &s, rng, b, sizeof(b));
	ok(la == lb && memcmp(a + 16, b + 16, 12) != 0, "two seals of one session: different nonces");
	ok(memcmp(a + 28, b + 28, la - 28) != 0, "two seals of one session: different ciphertexts");
	ok(t13_ticket_open(&k, a, la, T0, &out) == 0 && t13_ticket_open(&k, b, lb, T0, &out) == 0,
	   "two seals of one session: both open");
}

static void test_keys_real(void)
{
	struct t13_ticket_keys k1, k2;
	struct t13_session s, out;
	uint8_t ticket[T13_TICKET_MAX_LEN];
	size_t len;

	ok(t13_ticket_keys_init(&k1, T0, HOUR_MS) == 0 && t13_ticket_keys_init(&k2, T0, HOUR_MS) == 0,
	   "keys_init: fresh keys from getrandom");
	ok(k1.current.valid && !k1.previous.valid && k1.current.created_ms == T0 && k1.rotate_ms == HOUR_MS,
	   "keys_init: a current key made now, no previous one");
	ok(memcmp(k1.current.name, k2.current.name, 16) && memcmp(k1.current.key, k2.current.key, 32),
	   "keys_init: two key sets share neither name nor key");
	sample_session(&s, 0);
	len = t13_ticket_seal(&k1, &s, rng, ticket, sizeof(ticket));
	ok(t13_ticket_open(&k1, ticket, len, T0, &out) == 0, "random keys: a ticket opens");
	ok(t13_ticket_open(&k2, ticket, len, T0, &out) == -1, "random keys: not under another key set");
	t13_ticket_keys_wipe(&k1);
	ok(all_zero(&k1, sizeof(k1)), "keys_wipe: every byte zero");
	ok(t13_ticket_open(&k1, ticket, len, T0, &out) == -1, "keys_wipe: nothing opens any more");
	t13_ticket_keys_wipe(&k2);
}

static void test_rotation(void)
{
	struct t13_ticket_keys k;
	struct t13_session s, out;
	uint8_t t1[T13_TICKET_MAX_LEN], t2[T13_TICKET_MAX_LEN];
	uint8_t name0[16], name1[16];
	size_t l1, l2;

	sample_session(&s, 0);
	ok(t13_ticket_keys_init(&k, T0, HOUR_MS) == 0, "rotation: keys made");
	memcpy(name0, k.current.name, 16);
	l1 = t13_ticket_seal(&k, &s, rng, t1, sizeof(t1));
	ok(t13_ticket_keys_tick(&k, T0 + HOUR_MS - 1) == 0 && !memcmp(k.current.name, name0, 16),
	   "tick: no rotation 1 ms before the period");
	ok(t13_ticket_keys_tick(&k, T0 - 5) == 0 && !memcmp(k.current.name, name0, 16),
	   "tick: no rotation when the clock went backwards");
	ok(t13_ticket_keys_tick(&k, T0 + HOUR_MS) == 1, "tick: rotates at the period");
	ok(k.previous.valid && !memcmp(k.previous.name, name0, 16) && memcmp(k.current.name, name0, 16) &&
	   k.current.created_ms == T0 + HOUR_MS,
	   "tick: current became previous; a new current made now");
	memcpy(name1, k.current.name, 16);
	ok(t13_ticket_open(&k, t1, l1, T0 + HOUR_MS, &out) == 0,
	   "rotation: a ticket of the previous key opens");
	l2 = t13_ticket_seal(&k, &s, rng, t2, sizeof(t2));
	ok(!memcmp(t2, name1, 16) && t13_ticket_open(&k, t2, l2, T0 + HOUR_MS, &out) == 0,
	   "rotation: the new current key seals, and its tickets open");
	ok(t13_ticket_keys_tick(&k, T0 + 2 * HOUR_MS - 1) == 0, "tick: not again before the next period");
	ok(t13_ticket_keys_tick(&k, T0 + 2 * HOUR_MS) == 1 && !memcmp(k.previous.name, name1, 16),
	   "tick: rotates at the next period");
	ok(t13_ticket_open(&k, t1, l1, T0 + 2 * HOUR_MS, &out) == -1,
	   "rotation: a ticket two rotations old does not open");
	ok(t13_ticket_open(&k, t2, l2, T0 + 2 * HOUR_MS, &out) == 0,
	   "rotation: one rotation old still opens");
	ok(t13_ticket_keys_rotate(&k, T0 + 2 * HOUR_MS + 5) == 0 &&
	   k.current.created_ms == T0 + 2 * HOUR_MS + 5 && t13_ticket_open(&k, t2, l2, T0, &out) == -1,
	   "rotate: on demand, the oldest key dropped");
	k.rotate_ms = 0;
	ok(t13_ticket_keys_tick(&k, UINT64_MAX) == 0, "tick: a period of 0 never rotates");
	t13_ticket_keys_wipe(&k);
}

static void test_bit_flips(void)
{
	struct t13_ticket_keys k;
	struct t13_session s, out;
	uint8_t ticket[T13_TICKET_MAX_LEN];
	size_t len, accepted = 0, not_zeroed = 0;

	fixed_keys(&k, 6);
	sample_session(&s, 1);
	len = t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket));
	ok(len == T13_TICKET_MAX_LEN, "bit flips: the largest ticket, %zu bytes", len);
	for (size_t bit = 0; bit < 8 * len; bit++) {
		ticket[bit / 8] ^= (uint8_t)(1u << bit % 8);
		memset(&out, 0x5a, sizeof(out));
		if (t13_ticket_open(&k, ticket, len, T0, &out) != -1) {
			if (!accepted++)
				diag("bit %zu flipped: accepted", bit);
		} else if (!all_zero(&out, sizeof(out))) {
			not_zeroed++;
		}
		ticket[bit / 8] ^= (uint8_t)(1u << bit % 8);
	}
	ok(accepted == 0, "bit flips: each of the %zu single-bit flips refused (%zu accepted)", 8 * len,
	   accepted);
	ok(not_zeroed == 0, "bit flips: the session zeroed on each refusal");
	ok(t13_ticket_open(&k, ticket, len, T0, &out) == 0, "bit flips: the ticket restored opens");
}

static void test_lengths(void)
{
	struct t13_ticket_keys k;
	struct t13_session s, out;
	uint8_t ticket[T13_TICKET_MAX_LEN + 1];
	size_t len, accepted = 0;

	fixed_keys(&k, 7);
	sample_session(&s, 0);
	len = t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket));
	for (size_t n = 0; n < len; n++)
		if (t13_ticket_open(&k, ticket, n, T0, &out) != -1)
			accepted++;
	ok(accepted == 0, "every truncation (0..%zu bytes) refused", len - 1);
	ticket[len] = 0;
	ok(t13_ticket_open(&k, ticket, len + 1, T0, &out) == -1, "one byte more (00) refused");
	ticket[len] = 0xff;
	ok(t13_ticket_open(&k, ticket, len + 1, T0, &out) == -1, "one byte more (ff) refused");
	sample_session(&s, 1);
	len = t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket));
	ticket[len] = 0;
	ok(t13_ticket_open(&k, ticket, len + 1, T0, &out) == -1,
	   "one byte more than the largest ticket refused");
}

static void test_keys_unknown(void)
{
	struct t13_ticket_keys k, other;
	struct t13_session s, out;
	uint8_t ticket[T13_TICKET_MAX_LEN];
	size_t len;

	fixed_keys(&k, 8);
	fixed_keys(&other, 9);
	sample_session(&s, 0);
	len = t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket));
	ok(t13_ticket_open(&other, ticket, len, T0, &out) == -1, "unknown key name refused");
	/* The right name on the wrong key: the tag decides. */
	memcpy(other.current.name, k.current.name, 16);
	ok(t13_ticket_open(&other, ticket, len, T0, &out) == -1, "a known name with another key refused");
	/* The key moved to the previous slot, marked empty. */
	other = k;
	other.previous = k.current;
	other.previous.valid = 0;
	other.current.name[0] ^= 1;
	ok(t13_ticket_open(&other, ticket, len, T0, &out) == -1, "an empty previous slot opens nothing");
	other.previous.valid = 1;
	ok(t13_ticket_open(&other, ticket, len, T0, &out) == 0, "the previous slot, valid, opens");
}

static void test_time(void)
{
	struct t13_ticket_keys k;
	struct t13_session s, out;
	uint8_t ticket[T13_TICKET_MAX_LEN];
	size_t len;

	fixed_keys(&k, 10);
	sample_session(&s, 0);
	s.lifetime_s = 100;
	len = t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket));
	ok(t13_ticket_open(&k, ticket, len, T0, &out) == 0, "time: opens at its issue");
	ok(t13_ticket_open(&k, ticket, len, T0 + 100000, &out) == 0, "time: opens at the end of its lifetime");
	ok(t13_ticket_open(&k, ticket, len, T0 + 100001, &out) == -1, "time: expired 1 ms later");
	ok(t13_ticket_open(&k, ticket, len, T0 - 1, &out) == -1, "time: issued in the future refused");
	ok(t13_ticket_open(&k, ticket, len, UINT64_MAX, &out) == -1, "time: far future refused");
	s.lifetime_s = T13_TICKET_MAX_LIFETIME;
	s.issued_ms = UINT64_MAX - 1000;
	len = t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket));
	ok(t13_ticket_open(&k, ticket, len, UINT64_MAX, &out) == 0,
	   "time: an issue near the clock's end does not overflow");
	s.issued_ms = T0;
	len = t13_ticket_seal(&k, &s, rng, ticket, sizeof(ticket));
	ok(t13_ticket_open(&k, ticket, len, T0 + 604800000ull, &out) == 0 &&
	   t13_ticket_open(&k, ticket, len, T0 + 604800001ull, &out) == -1,
	   "time: a 7-day ticket lasts 7 days to the ms");
}

/* Hand-made states, authenticated under the key: only the parser stands in the way. */
static void test_states(void)
{
	struct t13_ticket_keys k;
	struct t13_session s, out;
	struct raw_state good, r;
	uint8_t state[2048];
	char long_str[300], with_nul[8] = "ab\0cd";
	size_t len;

	fixed_keys(&k, 11);
	sample_session(&s, 0);
	raw_from_session(&good, &s);
	memset(long_str, 'q', sizeof(long_str));
	ok(open_raw(&k, &good, T0) == 0, "states: the hand-made state of a good session opens");

	r = good, r.version = 0;
	ok(open_raw(&k, &r, T0) == -1, "states: version 0 refused");
	r = good, r.version = 2;
	ok(open_raw(&k, &r, T0) == -1, "states: version 2 refused");
	r = good, r.suite = 0x1304;
	ok(open_raw(&k, &r, T0) == -1, "states: unknown suite 0x1304 refused");
	r = good, r.suite = 0;
	ok(open_raw(&k, &r, T0) == -1, "states: suite 0 refused");
	r = good, r.suite = T13_AES_128_GCM_SHA256;
	ok(open_raw(&k, &r, T0) == -1, "states: a 48-byte PSK with a SHA-256 suite refused");
	r = good, r.psk_len = 32;
	ok(open_raw(&k, &r, T0) == -1, "states: a 32-byte PSK with the SHA-384 suite refused");
	r = good, r.suite = T13_AES_128_GCM_SHA256, r.psk_len = 32;
	ok(open_raw(&k, &r, T0) == 0, "states: a 32-byte PSK with a SHA-256 suite opens");
	{
		static const uint8_t bad_psk_lens[] = { 0, 1, 31, 33, 47, 49, 64, 255 };

		for (size_t i = 0; i < sizeof(bad_psk_lens); i++) {
			r = good, r.psk_len = bad_psk_lens[i];
			ok(open_raw(&k, &r, T0) == -1, "states: psk_len %u refused", bad_psk_lens[i]);
		}
	}
	r = good, r.lifetime_s = T13_TICKET_MAX_LIFETIME;
	ok(open_raw(&k, &r, T0) == 0, "states: lifetime of 7 days opens");
	r = good, r.lifetime_s = T13_TICKET_MAX_LIFETIME + 1;
	ok(open_raw(&k, &r, T0) == -1, "states: lifetime of 7 days + 1 s refused");
	r = good, r.lifetime_s = UINT32_MAX;
	ok(open_raw(&k, &r, T0) == -1, "states: lifetime 2^32 - 1 refused");
	r = good, r.peer_verified = 2;
	ok(open_raw(&k, &r, T0) == -1, "states: peer_verified 2 refused");
	r = good, r.str[0] = long_str, r.str_len[0] = 63;
	ok(open_raw(&k, &r, T0) == 0, "states: a 63-byte profile opens");
	r = good, r.str[0] = long_str, r.str_len[0] = 64;
	ok(open_raw(&k, &r, T0) == -1, "states: a 64-byte profile (no room for its NUL) refused");
	r = good, r.str[1] = long_str, r.str_len[1] = 64;
	ok(open_raw(&k, &r, T0) == -1, "states: a 64-byte alpn refused");
	r = good, r.str[1] = long_str, r.str_len[1] = 255;
	ok(open_raw(&k, &r, T0) == -1, "states: a 255-byte alpn refused");
	r = good, r.str[2] = long_str, r.str_len[2] = 255;
	ok(open_raw(&k, &r, T0) == 0, "states: a 255-byte server_name opens");
	for (int i = 0; i < 5; i++) {
		r = good, r.str[i] = with_nul, r.str_len[i] = 5;
		ok(open_raw(&k, &r, T0) == -1, "states: a NUL inside string %d refused", i);
	}
	r = good, r.issued_ms = T0 + 1;
	ok(open_raw(&k, &r, T0) == -1, "states: issued in the future refused");

	len = build_state(&good, state);
	state[len] = 0;
	ok(open_state(&k, state, len + 1, T0, &out) == -1, "states: a byte after the last field refused");
	ok(open_state(&k, state, len - 1, T0, &out) == -1, "states: the last byte missing refused");
	/* A string length running past the end of the state. */
	r = good, r.str_len[4] = 0;
	len = build_state(&r, state);
	state[len - 1] = 1;
	ok(open_state(&k, state, len, T0, &out) == -1, "states: a string running past the end refused");
	memset(state, 0, sizeof(state));
	ok(open_state(&k, state, T13_TICKET_MIN_STATE, T0, &out) == -1, "states: all zeros refused");
	ok(open_state(&k, state, 0, T0, &out) == -1, "states: an empty state refused");
	len = build_state(&good, state);
	memset(state + len, 0, sizeof(state) - len);
	ok(open_state(&k, state, T13_TICKET_MAX_STATE + 1, T0, &out) == -1,
	   "states: a state longer than the largest refused");
}

static void test_age(void)
{
	struct t13_session s;
	uint32_t add = 0xfffffff0;	/* so that obfuscation wraps */

	memset(&s, 0, sizeof(s));
	s.issued_ms = T0;
	s.age_add = add;
	/* The server's age is 5000 ms; the window 1000 ms. */
	ok(t13_ticket_age_ok(&s, 5000 + add, T0 + 5000, 1000), "age: the exact age");
	ok(t13_ticket_age_ok(&s, 4000 + add, T0 + 5000, 1000), "age: 1000 ms less, at the window");
	ok(!t13_ticket_age_ok(&s, 3999 + add, T0 + 5000, 1000), "age: 1001 ms less, outside");
	ok(t13_ticket_age_ok(&s, 6000 + add, T0 + 5000, 1000), "age: 1000 ms more, at the window");
	ok(!t13_ticket_age_ok(&s, 6001 + add, T0 + 5000, 1000), "age: 1001 ms more, outside");
	s.age_add = 0x12345678;
	ok(!t13_ticket_age_ok(&s, 5000, T0 + 5000, 1000), "age: age_add left in, outside");
	ok(t13_ticket_age_ok(&s, 5000 + 0x12345678, T0 + 5000, 1000), "age: age_add taken out, inside");
	s.age_add = add;
	ok(t13_ticket_age_ok(&s, add, T0, 0), "age: 0 at the issue, window 0");
	ok(!t13_ticket_age_ok(&s, add, T0 - 1, 1000), "age: before the issue (server clock), refused");
	ok(!t13_ticket_age_ok(&s, add + 10, T0 + (1ull << 32) + 10, 1000),
	   "age: a server age past 2^32 ms does not wrap onto the client's");
	ok(t13_ticket_age_ok(&s, add + UINT32_MAX, T0 + UINT32_MAX, 0),
	   "age: the largest client age");
}

int main(void)
{
	static const char seed[] = "test_t13_ticket nonces";

	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof(seed));
	check_round_trip("typical session", 0);
	check_round_trip("longest strings", 1);
	test_smallest();
	test_layout();
	test_seal_refusals();
	test_two_seals_differ();
	test_keys_real();
	test_rotation();
	test_bit_flips();
	test_lengths();
	test_keys_unknown();
	test_time();
	test_states();
	test_age();
	return done();
}
