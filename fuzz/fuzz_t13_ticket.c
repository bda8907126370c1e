// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_t13_ticket: t13_ticket_open() (daemon/tls13/ticket.c), which reads a
 * session ticket a client sends back: hostile bytes of any length.
 *
 * Input: byte 0, the mode; then
 *   bit 0 clear: a ticket, opened as it is;
 *   bit 0 set:   a session state (the plaintext of ticket.h's layout),
 *		  first sealed by t13_ticket_seal_state() under one of the
 *		  fuzzer's keys (bit 1: the previous one, else the current
 *		  one), so that it authenticates and the fuzzer reaches the
 *		  parser, which a forged tag would never let it do;
 *   bits 0 and 2 set: the same, but the state's five strings come at its
 *		  end separated by NULs, without their length bytes: the
 *		  harness writes those (up to 255), so that growing a string
 *		  past its limit is one mutation, not two that must agree.
 * The keys are fixed and the clock stands still (FUZZ_NOW_MS): the seeds
 * stay valid from run to run.
 *
 * Checked: a refused ticket leaves the session zeroed; an opened one has
 * its strings terminated and every field in range, is within its lifetime,
 * and seals again into a ticket that opens to the very same session.
 *
 * Seeds: committed in fuzz/corpus/t13_ticket/, written by this program:
 *   KTLSD_FUZZ_T13_TICKET_SEEDS=fuzz/corpus/t13_ticket build/fuzz/fuzz_t13_ticket
 * (it writes them and exits; rerun it after a change of the ticket format).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tls13/aead.h"
#include "tls13/ticket.h"

#define FUZZ_NOW_MS	1700000000000ull
#define MODE_STATE	0x1	/* the input is a state to seal, not a ticket */
#define MODE_PREVIOUS	0x2	/* seal it under the previous key */
#define MODE_STRINGS	0x4	/* with MODE_STATE: the harness frames the strings */
#define N_STRINGS	5
/* The state before its strings: version, suite, psk_len, the PSK, 8 + 4 + 4 + 1 bytes. */
#define FIXED_LEN(psk_len) (4 + (size_t)(psk_len) + 17)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fixed_key(struct t13_ticket_key *key, uint8_t seed, uint64_t created_ms)
{
	for (size_t i = 0; i < sizeof(key->name); i++)
		key->name[i] = (uint8_t)(seed ^ (i * 17));
	for (size_t i = 0; i < sizeof(key->key); i++)
		key->key[i] = (uint8_t)(seed + i * 29);
	key->created_ms = created_ms;
	key->valid = 1;
}

static void fixed_keys(struct t13_ticket_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->rotate_ms = 3600000;
	fixed_key(&k->current, 0xc1, FUZZ_NOW_MS - 1000);
	fixed_key(&k->previous, 0x9e, FUZZ_NOW_MS - 1000 - k->rotate_ms);
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void check_session(const struct t13_session *s)
{
	size_t hash_len = s->suite == T13_AES_256_GCM_SHA384 ? 48 : 32;

	FUZZ_CHECK(s->suite == T13_AES_128_GCM_SHA256 || s->suite == T13_AES_256_GCM_SHA384 ||
		   s->suite == T13_CHACHA20_POLY1305_SHA256);
	FUZZ_CHECK(s->psk_len == hash_len);
	FUZZ_CHECK(s->lifetime_s <= T13_TICKET_MAX_LIFETIME);
	FUZZ_CHECK(s->peer_verified <= 1);
	FUZZ_CHECK(s->issued_ms <= FUZZ_NOW_MS &&
		   FUZZ_NOW_MS - s->issued_ms <= (uint64_t)s->lifetime_s * 1000);
	FUZZ_CHECK(fuzz_bounded(s->profile, sizeof(s->profile)));
	FUZZ_CHECK(fuzz_bounded(s->alpn, sizeof(s->alpn)));
	FUZZ_CHECK(fuzz_bounded(s->server_name, sizeof(s->server_name)));
	FUZZ_CHECK(fuzz_bounded(s->peer_subject, sizeof(s->peer_subject)));
	FUZZ_CHECK(fuzz_bounded(s->peer_san, sizeof(s->peer_san)));
	(void)t13_ticket_age_ok(s, s->age_add, FUZZ_NOW_MS, 10000);
}

/* What opened seals again, and opens to the same session, byte for byte. */
static void check_reseal(const struct t13_ticket_keys *k, const struct t13_session *s)
{
	static const char seed[] = "fuzz_t13_ticket reseal";
	br_hmac_drbg_context drbg;
	struct t13_session again;
	uint8_t ticket[T13_TICKET_MAX_LEN];
	size_t len;

	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof(seed));
	len = t13_ticket_seal(k, s, &drbg.vtable, ticket, sizeof(ticket));
	FUZZ_CHECK(len >= T13_TICKET_MIN_LEN && len <= T13_TICKET_MAX_LEN);
	FUZZ_CHECK(t13_ticket_open(k, ticket, len, FUZZ_NOW_MS, &again) == 0);
	FUZZ_CHECK(memcmp(&again, s, sizeof(again)) == 0);
}

/*
 * MODE_STRINGS: @in's fixed fields as they are, then each of the five
 * NUL-separated strings after its length byte (at most 255 bytes of it;
 * missing ones empty); anything after the fifth NUL follows as it is.
 * Returns the state's length.
 */
static size_t frame_strings(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t fixed = n >= 4 ? FIXED_LEN(in[3]) : n, at, len = 0;

	if (fixed > n)
		fixed = n;
	memcpy(out, in, fixed);
	len = fixed;
	at = fixed;
	/* A missing string is an empty one. */
	for (int i = 0; i < N_STRINGS; i++) {
		const uint8_t *end = memchr(in + at, 0, n - at);
		size_t piece = end ? (size_t)(end - (in + at)) : n - at;
		size_t kept = piece > 255 ? 255 : piece;

		out[len++] = (uint8_t)kept;
		memcpy(out + len, in + at, kept);
		len += kept;
		at += piece + (end != NULL);
	}
	memcpy(out + len, in + at, n - at);
	return len + n - at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t framed[2 * 65536];
	static const uint8_t nonce[T13_TICKET_NONCE_LEN] = "fuzz nonce!";
	static uint8_t sealed[T13_TICKET_OVERHEAD + 65536];
	struct t13_ticket_keys keys;
	struct t13_session s;
	const uint8_t *ticket = data + 1;
	size_t len = size - 1;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	fixed_keys(&keys);
	if (mode & MODE_STATE) {
		const struct t13_ticket_key *key = mode & MODE_PREVIOUS ? &keys.previous : &keys.current;
		const uint8_t *state = data + 1;
		size_t state_len = size - 1;

		if (size > 65536)
			return 0;
		if (mode & MODE_STRINGS) {
			state_len = frame_strings(state, state_len, framed);
			state = framed;
		}
		len = t13_ticket_seal_state(key, nonce, state, state_len, sealed, sizeof(sealed));
		if (!len)
			return 0;
		ticket = sealed;
	}
	memset(&s, 0xa5, sizeof(s));
	if (t13_ticket_open(&keys, ticket, len, FUZZ_NOW_MS, &s) < 0) {
		FUZZ_CHECK(all_zero(&s, sizeof(s)));
		return 0;
	}
	check_session(&s);
	check_reseal(&keys, &s);
	return 0;
}

/* ---- the seeds ---- */

static void write_seed(const char *dir, const char *name, uint8_t mode, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fputc(mode, f) == EOF || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void sample(struct t13_session *s, int longest)
{
	memset(s, 0, sizeof(*s));
	s->suite = longest ? T13_AES_256_GCM_SHA384 : T13_AES_128_GCM_SHA256;
	s->psk_len = longest ? 48 : 32;
	for (size_t i = 0; i < s->psk_len; i++)
		s->psk[i] = (uint8_t)(i * 5 + 1);
	s->issued_ms = FUZZ_NOW_MS - 60000;
	s->lifetime_s = longest ? T13_TICKET_MAX_LIFETIME : 7200;
	s->age_add = 0x31415926;
	s->peer_verified = (uint8_t)longest;
	if (longest) {
		memset(s->profile, 'p', sizeof(s->profile) - 1);
		memset(s->alpn, 'a', sizeof(s->alpn) - 1);
		memset(s->server_name, 's', sizeof(s->server_name) - 1);
		memset(s->peer_subject, 'c', sizeof(s->peer_subject) - 1);
		memset(s->peer_san, 'd', sizeof(s->peer_san) - 1);
	} else {
		strcpy(s->profile, "default");
		strcpy(s->alpn, "http/1.1");
		strcpy(s->server_name, "www.example.com");
	}
}

/* The plaintext of a sealed ticket: decrypted back with the key the fuzzer holds. */
static size_t state_of(const struct t13_ticket_keys *k, const struct t13_session *s,
		       br_hmac_drbg_context *drbg, uint8_t *state)
{
	static const uint8_t no_iv[T13_AEAD_NONCE];
	uint8_t ticket[T13_TICKET_MAX_LEN];
	size_t len = t13_ticket_seal(k, s, &drbg->vtable, ticket, sizeof(ticket));
	size_t n = len - T13_TICKET_OVERHEAD;
	struct t13_aead aead;

	FUZZ_CHECK(len);
	t13_aead_init(&aead, T13_AES_256_GCM_SHA384, k->current.key, no_iv);
	FUZZ_CHECK(t13_aead_decrypt(&aead, ticket + T13_TICKET_NAME_LEN, ticket, T13_TICKET_NAME_LEN,
				    ticket + T13_TICKET_NAME_LEN + T13_TICKET_NONCE_LEN, n,
				    ticket + len - T13_TICKET_TAG_LEN) == 0);
	memcpy(state, ticket + T13_TICKET_NAME_LEN + T13_TICKET_NONCE_LEN, n);
	return n;
}

/* A state in MODE_STRINGS's form: the length bytes dropped, the strings NUL-separated. */
static size_t unframe(const uint8_t *state, size_t n, uint8_t *out)
{
	size_t at = FIXED_LEN(state[3]), len = at;

	memcpy(out, state, at);
	for (int i = 0; i < N_STRINGS; i++) {
		size_t piece = state[at++];

		memcpy(out + len, state + at, piece);
		len += piece;
		at += piece;
		if (i < N_STRINGS - 1)
			out[len++] = 0;
	}
	FUZZ_CHECK(at == n);
	return len;
}

static void write_seeds(const char *dir)
{
	static const char seed[] = "fuzz_t13_ticket seeds";
	struct t13_ticket_keys keys, old;
	struct t13_session s;
	br_hmac_drbg_context drbg;
	uint8_t buf[T13_TICKET_MAX_LEN], strings[T13_TICKET_MAX_LEN];
	size_t n;

	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof(seed));
	fixed_keys(&keys);
	old = keys;
	old.current = keys.previous;
	sample(&s, 0);
	n = t13_ticket_seal(&keys, &s, &drbg.vtable, buf, sizeof(buf));
	write_seed(dir, "ticket-typical", 0, buf, n);
	n = state_of(&keys, &s, &drbg, buf);
	write_seed(dir, "state-typical", MODE_STATE, buf, n);
	write_seed(dir, "strings-typical", MODE_STATE | MODE_STRINGS, strings, unframe(buf, n, strings));
	sample(&s, 1);
	n = t13_ticket_seal(&old, &s, &drbg.vtable, buf, sizeof(buf));
	write_seed(dir, "ticket-longest-previous-key", 0, buf, n);
	n = state_of(&keys, &s, &drbg, buf);
	write_seed(dir, "state-longest-previous-key", MODE_STATE | MODE_PREVIOUS, buf, n);
	write_seed(dir, "strings-longest", MODE_STATE | MODE_STRINGS, strings, unframe(buf, n, strings));
	sample(&s, 0);
	s.issued_ms = FUZZ_NOW_MS - 7200001;
	n = t13_ticket_seal(&keys, &s, &drbg.vtable, buf, sizeof(buf));
	write_seed(dir, "ticket-expired", 0, buf, n);
	n = state_of(&keys, &s, &drbg, buf);
	write_seed(dir, "state-expired", MODE_STATE, buf, n);
	t13_ticket_keys_wipe(&keys);
	t13_ticket_keys_wipe(&old);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("KTLSD_FUZZ_T13_TICKET_SEEDS");

	(void)argc;
	(void)argv;
	if (dir && *dir) {
		write_seeds(dir);
		fprintf(stderr, "fuzz_t13_ticket: seeds written to %s\n", dir);
		exit(0);
	}
	return 0;
}
