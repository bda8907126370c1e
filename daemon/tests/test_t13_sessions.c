// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sessions our TLS 1.3 client keeps (daemon/tls13/sessions.c), with
 * hand-fed clocks: put, take (the newest, once: RFC 8446 §C.4) and count;
 * the lifetime (the server's, at most 7 days by §4.6.1, cut to the
 * table's max_ms; 0: not kept); exact keys (profile and name, each at its
 * length limit); the per-name limit and a full table's eviction; the
 * refusals; a clock that goes backwards. Every session has its own PSK
 * pattern, so that the table can be scanned for any byte left of a
 * session taken, evicted, cleared or wiped.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls13/sessions.h"
#include "tap.h"

#define T0		1700000000000ull	/* "now", ms */
#define SECOND_MS	1000ull
#define HOUR_MS		3600000ull
#define DAY_MS		86400000ull
#define WEEK_MS		(7 * DAY_MS)		/* §4.6.1: no ticket lives longer */

/* A session whose every field tells it apart: PSK, ticket, suite, identity. */
static void make_session(struct t13_client_session *s, unsigned tag)
{
	uint32_t x = tag * 2654435761u + 1;

	memset(s, 0, sizeof(*s));
	/* The caller's key is not the table's: put() sets its own. */
	snprintf(s->key, sizeof(s->key), "stale key %u", tag);
	s->suite = tag & 1 ? T13_AES_256_GCM_SHA384 : T13_AES_128_GCM_SHA256;
	s->psk_len = tag & 1 ? 48 : 32;
	/* xorshift32 from the tag: no two sessions share a PSK window. */
	for (size_t i = 0; i < s->psk_len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		s->psk[i] = (uint8_t)(x >> 24);
	}
	s->ticket_len = 100 + tag % 200;
	for (size_t i = 0; i < s->ticket_len; i++)
		s->ticket[i] = (uint8_t)(tag ^ (i * 13));
	s->age_add = 0x9e3779b9u * (tag + 1);
	s->peer_verified = 1;
	snprintf(s->peer_subject, sizeof(s->peer_subject), "server %u", tag);
	snprintf(s->peer_san, sizeof(s->peer_san), "san-%u.test", tag);
}

/* 1 if @s holds @psk (@len bytes) anywhere, in any slot or between them. */
static int holds_psk(const struct t13_sessions *s, const uint8_t *psk, size_t len)
{
	return memmem(s, sizeof(*s), psk, len) != NULL;
}

/* 1 if every slot is zero bytes only. */
static int slots_zero(const struct t13_sessions *s)
{
	const uint8_t *p = (const uint8_t *)s->slot;

	for (size_t i = 0; i < sizeof(s->slot); i++)
		if (p[i])
			return 0;
	return 1;
}

/* What take() gave back is what was put, with the table's key and times. */
static int same_session(const struct t13_client_session *got, const struct t13_client_session *put)
{
	return got->suite == put->suite && got->psk_len == put->psk_len &&
	       !memcmp(got->psk, put->psk, put->psk_len) && got->ticket_len == put->ticket_len &&
	       !memcmp(got->ticket, put->ticket, put->ticket_len) && got->age_add == put->age_add &&
	       got->peer_verified == put->peer_verified &&
	       !strcmp(got->peer_subject, put->peer_subject) &&
	       !strcmp(got->peer_san, put->peer_san);
}

static void test_put_take(struct t13_sessions *s)
{
	struct t13_client_session a, out;
	static const char key[] = "p\0example.com";	/* profile NUL name NUL */

	t13_sessions_init(s, DAY_MS);
	memset(&out, 0xff, sizeof(out));
	ok(t13_sessions_take(s, "p", "example.com", T0, &out) == 0 && slots_zero(s),
	   "empty: take finds nothing");
	ok(out.ticket_len == 0 && out.psk_len == 0 && out.psk[0] == 0 && out.key[0] == '\0',
	   "empty: take zeroes what it was given");
	make_session(&a, 1);
	ok(t13_sessions_put(s, "p", "example.com", &a, 3600, T0) == 0, "put: kept");
	ok(t13_sessions_count(s, "p", "example.com", T0) == 1 &&
	   t13_sessions_count(s, "p", "example.org", T0) == 0 &&
	   t13_sessions_count(s, "q", "example.com", T0) == 0,
	   "count: 1 for its profile and name, 0 for another name or profile");
	ok(t13_sessions_take(s, "p", "example.com", T0 + 5, &out) == 1 && same_session(&out, &a),
	   "take: the session put, every field");
	ok(!memcmp(out.key, key, sizeof(key)) && out.received_ms == T0 &&
	   out.expires_ms == T0 + HOUR_MS,
	   "take: the table's key (profile NUL name NUL), received at put's now, "
	   "expires an hour on");
	ok(t13_sessions_count(s, "p", "example.com", T0 + 5) == 0 &&
	   t13_sessions_take(s, "p", "example.com", T0 + 5, &out) == 0,
	   "single use (§C.4): once taken it is gone");
	ok(!holds_psk(s, a.psk, a.psk_len) && slots_zero(s),
	   "take wipes its slot: no PSK byte left");
	explicit_bzero(&out, sizeof(out));
}

/*
 * The newest is given first, wherever it sits: the slots end up holding
 * C (newest), A (oldest), B, so that neither the first nor the last match
 * of a scan is the right one. (Times only move on: the clock is monotonic.)
 */
static void test_newest_first(struct t13_sessions *s)
{
	struct t13_client_session x, a, b, c, out;

	t13_sessions_init(s, DAY_MS);
	make_session(&x, 9);
	make_session(&a, 2);
	make_session(&b, 3);
	make_session(&c, 4);
	t13_sessions_put(s, "p", "other", &x, 3600, T0);
	t13_sessions_put(s, "p", "n", &a, 3600, T0 + 1);
	t13_sessions_put(s, "p", "n", &b, 3600, T0 + 2);
	t13_sessions_take(s, "p", "other", T0 + 3, &out);
	t13_sessions_put(s, "p", "n", &c, 3600, T0 + 3);
	ok(t13_sessions_count(s, "p", "n", T0 + 20) == 3, "three kept for one name");
	ok(t13_sessions_take(s, "p", "n", T0 + 20, &out) == 1 && same_session(&out, &c),
	   "take: the newest first (received at T0+3)");
	ok(t13_sessions_take(s, "p", "n", T0 + 20, &out) == 1 && same_session(&out, &b),
	   "take: then the one received at T0+2");
	ok(t13_sessions_take(s, "p", "n", T0 + 20, &out) == 1 && same_session(&out, &a),
	   "take: then the oldest");
	ok(t13_sessions_take(s, "p", "n", T0 + 20, &out) == 0, "take: then none");
	explicit_bzero(&out, sizeof(out));
}

/*
 * Put a session living @lifetime_s under a table capped at @max_ms; 1 if it
 * lives exactly @want_ms: counted at its last millisecond, not at the next.
 */
static int lives_exactly(struct t13_sessions *s, uint64_t max_ms, uint32_t lifetime_s,
			 uint64_t want_ms)
{
	struct t13_client_session a, out;
	int good;

	t13_sessions_init(s, max_ms);
	make_session(&a, 5);
	if (t13_sessions_put(s, "p", "n", &a, lifetime_s, T0) < 0)
		return 0;
	good = t13_sessions_count(s, "p", "n", T0 + want_ms - 1) == 1 &&
	       t13_sessions_count(s, "p", "n", T0 + want_ms) == 0 &&
	       t13_sessions_take(s, "p", "n", T0 + want_ms, &out) == 0;
	explicit_bzero(&out, sizeof(out));
	return good;
}

static void test_expiry(struct t13_sessions *s)
{
	struct t13_client_session a, out;

	ok(lives_exactly(s, DAY_MS, 60, 60 * SECOND_MS),
	   "expiry: the server's lifetime (60 s) when it is the shortest");
	ok(lives_exactly(s, HOUR_MS, 86400, HOUR_MS),
	   "expiry: max_ms (1 h) when it is the shortest");
	ok(lives_exactly(s, 30 * DAY_MS, 0xffffffffu, WEEK_MS),
	   "expiry: 7 days at most (§4.6.1), whatever the server says");
	ok(lives_exactly(s, 30 * DAY_MS, 604800, WEEK_MS), "expiry: exactly 7 days is kept");
	ok(lives_exactly(s, 30 * DAY_MS, 1, SECOND_MS), "expiry: 1 s");
	/* A take at the last millisecond still finds it. */
	t13_sessions_init(s, DAY_MS);
	make_session(&a, 6);
	t13_sessions_put(s, "p", "n", &a, 10, T0);
	ok(t13_sessions_take(s, "p", "n", T0 + 10 * SECOND_MS - 1, &out) == 1 &&
	   out.expires_ms == T0 + 10 * SECOND_MS, "take: live until its last millisecond");
	t13_sessions_init(s, DAY_MS);
	ok(t13_sessions_put(s, "p", "n", &a, 0, T0) < 0 && t13_sessions_count(s, "p", "n", T0) == 0,
	   "lifetime 0: not kept (§4.6.1: discard it)");
	explicit_bzero(&out, sizeof(out));
}

/*
 * Sessions resumed from sessions keep the time of the last full handshake:
 * the chain ends max_ms after it, however long each ticket says it lives.
 */
static void test_authentication_age(struct t13_sessions *s)
{
	struct t13_client_session a, out;

	t13_sessions_init(s, 2 * HOUR_MS);
	make_session(&a, 11);
	a.authenticated_ms = T0 - HOUR_MS;
	ok(t13_sessions_put(s, "p", "n", &a, 86400, T0) == 0 &&
	   t13_sessions_take(s, "p", "n", T0, &out) == 1 && out.expires_ms == T0 + HOUR_MS &&
	   out.authenticated_ms == T0 - HOUR_MS,
	   "authenticated 1 h ago, max_ms 2 h: lives 1 h more, not the ticket's day");
	a.authenticated_ms = T0 - 2 * HOUR_MS;
	ok(t13_sessions_put(s, "p", "n", &a, 86400, T0) < 0 && t13_sessions_count(s, "p", "n", T0) == 0,
	   "authenticated max_ms ago: not kept (a full handshake is due)");
	a.authenticated_ms = 0;
	ok(t13_sessions_put(s, "p", "n", &a, 86400, T0) == 0 &&
	   t13_sessions_take(s, "p", "n", T0, &out) == 1 && out.authenticated_ms == T0 &&
	   out.expires_ms == T0 + 2 * HOUR_MS, "authenticated_ms 0: the put's time");
	t13_sessions_init(s, 0);
	a.authenticated_ms = T0 - 6 * DAY_MS;
	ok(t13_sessions_put(s, "p", "n", &a, 604800, T0) == 0 &&
	   t13_sessions_take(s, "p", "n", T0, &out) == 1 && out.expires_ms == T0 + DAY_MS,
	   "no max_ms: 7 days from the authentication at most");
	explicit_bzero(&out, sizeof(out));
}

/* A reload clears the table and moves its epoch: handshakes from before keep nothing. */
static void test_epoch(struct t13_sessions *s)
{
	uint64_t before;

	t13_sessions_init(s, DAY_MS);
	before = s->epoch;
	t13_sessions_clear(s);
	ok(s->epoch == before + 1, "clear moves the epoch on");
}

/* Fill @buf with @len letters and a NUL. */
static void fill_name(char *buf, size_t len, char c)
{
	memset(buf, c, len);
	buf[len] = '\0';
}

static void test_keys(struct t13_sessions *s)
{
	char profile[KTLSD_PROFILE_MAX + 1], name[KTLSD_SERVER_NAME_MAX + 1];
	char key[T13_SESSION_MAX_KEY];
	struct t13_client_session a, out;

	t13_sessions_init(s, DAY_MS);
	make_session(&a, 7);
	t13_sessions_put(s, "a", "bc", &a, 3600, T0);
	ok(t13_sessions_count(s, "ab", "c", T0) == 0 && t13_sessions_count(s, "a", "b", T0) == 0 &&
	   t13_sessions_count(s, "a", "bcd", T0) == 0 && t13_sessions_count(s, "a", "bc", T0) == 1,
	   "keys are exact: \"a\"+\"bc\" is not \"ab\"+\"c\", \"a\"+\"b\" nor \"a\"+\"bcd\"");
	ok(t13_sessions_take(s, "ab", "c", T0, &out) == 0 &&
	   t13_sessions_count(s, "a", "bc", T0) == 1,
	   "take for \"ab\"+\"c\" finds nothing, and leaves \"a\"+\"bc\" alone");

	ok(t13_sessions_put(s, "", "x", &a, 3600, T0) < 0 &&
	   t13_sessions_put(s, "p", "", &a, 3600, T0) < 0,
	   "an empty profile or server name is refused");
	ok(t13_sessions_take(s, "", "x", T0, &out) == 0 && t13_sessions_count(s, "p", "", T0) == 0,
	   "take and count of an empty profile or name find nothing");

	/* The longest of each: 63 and 255 bytes, then one more, refused. */
	t13_sessions_init(s, DAY_MS);
	fill_name(profile, KTLSD_PROFILE_MAX - 1, 'p');
	fill_name(name, KTLSD_SERVER_NAME_MAX - 1, 'n');
	ok(t13_sessions_put(s, profile, name, &a, 3600, T0) == 0 &&
	   t13_sessions_count(s, profile, name, T0) == 1,
	   "a %d-byte profile and a %d-byte name are kept", KTLSD_PROFILE_MAX - 1,
	   KTLSD_SERVER_NAME_MAX - 1);
	memset(key, 0, sizeof(key));
	memcpy(key, profile, KTLSD_PROFILE_MAX - 1);
	memcpy(key + KTLSD_PROFILE_MAX, name, KTLSD_SERVER_NAME_MAX - 1);
	ok(t13_sessions_take(s, profile, name, T0, &out) == 1 && !memcmp(out.key, key, sizeof(key)),
	   "... and taken, the key filling all %d bytes", T13_SESSION_MAX_KEY);
	fill_name(profile, KTLSD_PROFILE_MAX, 'p');
	ok(t13_sessions_put(s, profile, "n", &a, 3600, T0) < 0, "a %d-byte profile is refused",
	   KTLSD_PROFILE_MAX);
	fill_name(profile, KTLSD_PROFILE_MAX - 1, 'p');
	fill_name(name, KTLSD_SERVER_NAME_MAX, 'n');
	ok(t13_sessions_put(s, profile, name, &a, 3600, T0) < 0, "a %d-byte name is refused",
	   KTLSD_SERVER_NAME_MAX);
	ok(slots_zero(s), "nothing was kept of the refused ones");
	explicit_bzero(&out, sizeof(out));
}

/* What put() refuses besides keys: the ticket's and the PSK's lengths. */
static void test_refusals(struct t13_sessions *s)
{
	struct t13_client_session a, out;

	t13_sessions_init(s, DAY_MS);
	make_session(&a, 8);
	a.ticket_len = T13_SESSION_MAX_TICKET + 1;
	ok(t13_sessions_put(s, "p", "n", &a, 3600, T0) < 0 && slots_zero(s),
	   "a ticket of %d bytes is refused", T13_SESSION_MAX_TICKET + 1);
	a.ticket_len = 0;
	ok(t13_sessions_put(s, "p", "n", &a, 3600, T0) < 0, "an empty ticket is refused");
	a.ticket_len = T13_SESSION_MAX_TICKET;
	memset(a.ticket, 0x77, sizeof(a.ticket));
	ok(t13_sessions_put(s, "p", "n", &a, 3600, T0) == 0 &&
	   t13_sessions_take(s, "p", "n", T0, &out) == 1 &&
	   out.ticket_len == T13_SESSION_MAX_TICKET &&
	   !memcmp(out.ticket, a.ticket, sizeof(a.ticket)),
	   "a ticket of %d bytes is kept whole", T13_SESSION_MAX_TICKET);
	a.psk_len = 0;
	ok(t13_sessions_put(s, "p", "n", &a, 3600, T0) < 0, "an empty PSK is refused");
	a.psk_len = T13_MAX_HASH + 1;
	ok(t13_sessions_put(s, "p", "n", &a, 3600, T0) < 0, "a PSK over %d bytes is refused",
	   T13_MAX_HASH);
	explicit_bzero(&out, sizeof(out));
}

/* T13_SESSIONS_PER_NAME per profile and name: the fifth evicts that name's oldest. */
static void test_per_name(struct t13_sessions *s)
{
	struct t13_client_session other, mine[T13_SESSIONS_PER_NAME + 1], out;
	int order = 1;

	t13_sessions_init(s, DAY_MS);
	make_session(&other, 20);
	t13_sessions_put(s, "p", "other", &other, 3600, T0 - 1000);
	for (unsigned i = 0; i <= T13_SESSIONS_PER_NAME; i++) {
		make_session(&mine[i], 21 + i);
		t13_sessions_put(s, "p", "n", &mine[i], 3600, T0 + i);
	}
	ok(t13_sessions_count(s, "p", "n", T0 + 100) == T13_SESSIONS_PER_NAME,
	   "%d puts for one name keep %d", T13_SESSIONS_PER_NAME + 1, T13_SESSIONS_PER_NAME);
	ok(!holds_psk(s, mine[0].psk, mine[0].psk_len), "the name's oldest went, wiped");
	ok(t13_sessions_count(s, "p", "other", T0 + 100) == 1 &&
	   holds_psk(s, other.psk, other.psk_len),
	   "another name's session, older still, stays");
	for (unsigned i = T13_SESSIONS_PER_NAME; i >= 1; i--)
		order &= t13_sessions_take(s, "p", "n", T0 + 100, &out) == 1 &&
			 same_session(&out, &mine[i]);
	ok(order && t13_sessions_take(s, "p", "n", T0 + 100, &out) == 0,
	   "the %d left come newest first, then none", T13_SESSIONS_PER_NAME);
	explicit_bzero(&out, sizeof(out));
	explicit_bzero(mine, sizeof(mine));
}

static size_t count_host(const struct t13_sessions *s, unsigned i, uint64_t now)
{
	char name[32];

	snprintf(name, sizeof(name), "host-%u", i);
	return t13_sessions_count(s, "p", name, now);
}

/*
 * A full table: one session per name, host-i received at T0+i; host-100
 * lives 1 s only. The next put takes the expired one's slot, not the
 * oldest's; the one after evicts the oldest of all (host-0).
 */
static void test_full_table(struct t13_sessions *s)
{
	struct t13_client_session a, oldest, late, later;
	const uint64_t now = T0 + 2000;
	size_t live = 0;
	char name[32];

	t13_sessions_init(s, DAY_MS);
	for (unsigned i = 0; i < T13_SESSIONS_MAX; i++) {
		make_session(&a, 1000 + i);
		if (i == 0)
			oldest = a;
		snprintf(name, sizeof(name), "host-%u", i);
		t13_sessions_put(s, "p", name, &a, i == 100 ? 1 : 3600, T0 + i);
	}
	for (unsigned i = 0; i < T13_SESSIONS_MAX; i++)
		live += count_host(s, i, T0 + 300);
	ok(live == T13_SESSIONS_MAX, "the table holds %d sessions", T13_SESSIONS_MAX);
	make_session(&late, 2000);
	ok(t13_sessions_put(s, "p", "late", &late, 3600, now) == 0 &&
	   t13_sessions_count(s, "p", "late", now) == 1, "full table: one more is kept");
	ok(count_host(s, 0, now) == 1 && count_host(s, 101, now) == 1,
	   "... in the expired one's slot: the oldest (host-0) stays");
	make_session(&later, 2001);
	ok(t13_sessions_put(s, "p", "later", &later, 3600, now + 1) == 0 &&
	   t13_sessions_count(s, "p", "later", now + 1) == 1 &&
	   t13_sessions_count(s, "p", "late", now + 1) == 1,
	   "full table, none expired: one more is kept");
	ok(count_host(s, 0, now + 1) == 0 && count_host(s, 1, now + 1) == 1 &&
	   !holds_psk(s, oldest.psk, oldest.psk_len),
	   "... in the oldest's slot (host-0 gone, wiped; host-1 stays)");
	explicit_bzero(&oldest, sizeof(oldest));
}

/* clear() keeps the table usable, wipe() leaves nothing at all. */
static void test_clear_wipe(struct t13_sessions *s)
{
	struct t13_client_session a, b;
	const uint8_t *p = (const uint8_t *)s;
	size_t nonzero = 0;

	t13_sessions_init(s, HOUR_MS);
	make_session(&a, 30);
	make_session(&b, 31);
	t13_sessions_put(s, "p", "n", &a, 3600, T0);
	t13_sessions_put(s, "q", "m", &b, 3600, T0);
	t13_sessions_clear(s);
	ok(t13_sessions_count(s, "p", "n", T0) == 0 && t13_sessions_count(s, "q", "m", T0) == 0,
	   "clear: nothing left to count");
	ok(!holds_psk(s, a.psk, a.psk_len) && !holds_psk(s, b.psk, b.psk_len) && slots_zero(s),
	   "clear: every slot is zeros, no PSK byte left");
	ok(s->max_ms == HOUR_MS && t13_sessions_put(s, "p", "n", &a, 86400, T0) == 0 &&
	   t13_sessions_count(s, "p", "n", T0 + HOUR_MS) == 0,
	   "clear: the table stays usable, its cap kept");
	t13_sessions_put(s, "q", "m", &b, 3600, T0);
	t13_sessions_wipe(s);
	for (size_t i = 0; i < sizeof(*s); i++)
		nonzero += p[i] != 0;
	ok(nonzero == 0 && !holds_psk(s, a.psk, a.psk_len), "wipe: the whole table is zeros");
}

/* A clock going backwards (now before a session's receipt) hands nothing out. */
static void test_clock_backwards(struct t13_sessions *s)
{
	struct t13_client_session a, out;

	t13_sessions_init(s, DAY_MS);
	make_session(&a, 40);
	t13_sessions_put(s, "p", "n", &a, 3600, T0);
	ok(t13_sessions_count(s, "p", "n", T0 - 1) == 0, "clock backwards: count 0");
	ok(t13_sessions_take(s, "p", "n", T0 - 1, &out) == 0 && out.psk_len == 0,
	   "clock backwards: take gives nothing");
	explicit_bzero(&out, sizeof(out));
}

int main(void)
{
	struct t13_sessions *s = malloc(sizeof(*s));

	if (!ok(s != NULL, "a table of %zu bytes", sizeof(*s)))
		return done();
	test_put_take(s);
	test_newest_first(s);
	test_expiry(s);
	test_keys(s);
	test_refusals(s);
	test_per_name(s);
	test_full_table(s);
	test_clear_wipe(s);
	test_clock_backwards(s);
	test_authentication_age(s);
	test_epoch(s);
	t13_sessions_wipe(s);
	free(s);
	return done();
}
