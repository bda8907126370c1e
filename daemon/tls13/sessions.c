// SPDX-License-Identifier: GPL-2.0-or-later
/* The sessions our TLS 1.3 client keeps: a bounded table, searched linearly. */
#define _GNU_SOURCE
#include <string.h>

#include "sessions.h"

/* One week: no ticket may live longer (RFC 8446 4.6.1). */
#define MAX_LIFETIME_S	604800u

void t13_sessions_init(struct t13_sessions *s, uint64_t max_ms)
{
	memset(s, 0, sizeof(*s));
	s->max_ms = max_ms;
}

/* profile NUL name NUL into @key: its length, or 0 if either does not fit or is empty. */
static size_t make_key(char key[T13_SESSION_MAX_KEY], const char *profile, const char *name)
{
	size_t p = strnlen(profile, KTLSD_PROFILE_MAX), n = strnlen(name, KTLSD_SERVER_NAME_MAX);

	if (!p || !n || p == KTLSD_PROFILE_MAX || n == KTLSD_SERVER_NAME_MAX)
		return 0;
	memset(key, 0, T13_SESSION_MAX_KEY);
	memcpy(key, profile, p);
	memcpy(key + p + 1, name, n);
	return p + 1 + n + 1;
}

static int used(const struct t13_client_session *e)
{
	return e->key[0] != '\0';
}

static int live(const struct t13_client_session *e, uint64_t now_ms)
{
	return used(e) && now_ms < e->expires_ms && now_ms >= e->received_ms;
}

static int same_key(const struct t13_client_session *e, const char *key, size_t len)
{
	return used(e) && !memcmp(e->key, key, len);
}

static void drop(struct t13_client_session *e)
{
	explicit_bzero(e, sizeof(*e));
}

/* The slot to fill: a free one, an expired one, else the oldest of @key's or of all. */
static struct t13_client_session *slot_for(struct t13_sessions *s, const char *key, size_t len,
					   uint64_t now_ms)
{
	struct t13_client_session *free_slot = NULL, *oldest = NULL, *oldest_mine = NULL;
	size_t mine = 0;

	for (size_t i = 0; i < T13_SESSIONS_MAX; i++) {
		struct t13_client_session *e = &s->slot[i];

		if (used(e) && !live(e, now_ms))
			drop(e);
		if (!used(e)) {
			if (!free_slot)
				free_slot = e;
			continue;
		}
		if (!oldest || e->received_ms < oldest->received_ms)
			oldest = e;
		if (same_key(e, key, len)) {
			mine++;
			if (!oldest_mine || e->received_ms < oldest_mine->received_ms)
				oldest_mine = e;
		}
	}
	if (mine >= T13_SESSIONS_PER_NAME)
		return oldest_mine;
	return free_slot ? free_slot : oldest;
}

int t13_sessions_put(struct t13_sessions *s, const char *profile, const char *server_name,
		     const struct t13_client_session *sess, uint32_t lifetime_s, uint64_t now_ms)
{
	char key[T13_SESSION_MAX_KEY];
	size_t len = make_key(key, profile, server_name);
	struct t13_client_session *e;
	uint64_t life_ms, auth_ms, auth_end;

	if (!len || !lifetime_s || !sess->ticket_len || sess->ticket_len > T13_SESSION_MAX_TICKET ||
	    !sess->psk_len || sess->psk_len > T13_MAX_HASH)
		return -1;
	life_ms = 1000ull * (lifetime_s < MAX_LIFETIME_S ? lifetime_s : MAX_LIFETIME_S);
	if (s->max_ms && life_ms > s->max_ms)
		life_ms = s->max_ms;
	auth_ms = sess->authenticated_ms ? sess->authenticated_ms : now_ms;
	auth_end = auth_ms + (s->max_ms ? s->max_ms : 1000ull * MAX_LIFETIME_S);
	if (auth_end <= now_ms)
		return -1;
	e = slot_for(s, key, len, now_ms);
	drop(e);
	*e = *sess;
	memcpy(e->key, key, sizeof(key));
	e->received_ms = now_ms;
	e->authenticated_ms = auth_ms;
	e->expires_ms = now_ms + life_ms < auth_end ? now_ms + life_ms : auth_end;
	return 0;
}

int t13_sessions_take(struct t13_sessions *s, const char *profile, const char *server_name,
		      uint64_t now_ms, struct t13_client_session *out)
{
	char key[T13_SESSION_MAX_KEY];
	size_t len = make_key(key, profile, server_name);
	struct t13_client_session *best = NULL;

	memset(out, 0, sizeof(*out));
	if (!len)
		return 0;
	for (size_t i = 0; i < T13_SESSIONS_MAX; i++) {
		struct t13_client_session *e = &s->slot[i];

		if (!same_key(e, key, len))
			continue;
		if (!live(e, now_ms))
			drop(e);
		else if (!best || e->received_ms > best->received_ms)
			best = e;
	}
	if (!best)
		return 0;
	*out = *best;
	drop(best);
	return 1;
}

size_t t13_sessions_count(const struct t13_sessions *s, const char *profile, const char *server_name,
			  uint64_t now_ms)
{
	char key[T13_SESSION_MAX_KEY];
	size_t len = make_key(key, profile, server_name), n = 0;

	for (size_t i = 0; len && i < T13_SESSIONS_MAX; i++)
		n += same_key(&s->slot[i], key, len) && live(&s->slot[i], now_ms);
	return n;
}

void t13_sessions_forget(struct t13_sessions *s, const char *profile, const char *server_name)
{
	char key[T13_SESSION_MAX_KEY];
	size_t len = make_key(key, profile, server_name);

	for (size_t i = 0; len && i < T13_SESSIONS_MAX; i++)
		if (same_key(&s->slot[i], key, len))
			drop(&s->slot[i]);
}

void t13_sessions_clear(struct t13_sessions *s)
{
	for (size_t i = 0; i < T13_SESSIONS_MAX; i++)
		drop(&s->slot[i]);
	s->epoch++;
}

void t13_sessions_wipe(struct t13_sessions *s)
{
	explicit_bzero(s, sizeof(*s));
}
