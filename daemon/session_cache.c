// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "session_cache.h"
#include "shm.h"

struct session_cache *session_cache_create(uint64_t lifetime_ms)
{
	struct session_cache *c = shm_create(sizeof(*c));
	int rc;

	if (!c)
		return NULL;
	c->lifetime_ms = lifetime_ms;
	rc = shm_mutex_init(&c->lock);
	if (rc) {
		munmap(c, sizeof(*c));
		errno = rc;
		return NULL;
	}
	return c;
}

void session_cache_destroy(struct session_cache *c)
{
	if (!c)
		return;
	explicit_bzero(c->entries, sizeof(c->entries));
	munmap(c, sizeof(*c));
}

/*
 * Take the lock. A process that died holding it may have left an entry
 * half-written: everything is dropped then. 0, or -1 if the lock is lost
 * for good.
 */
static int lock(struct session_cache *c)
{
	int rc = pthread_mutex_lock(&c->lock);

	if (rc == EOWNERDEAD) {
		explicit_bzero(c->entries, sizeof(c->entries));
		rc = pthread_mutex_consistent(&c->lock);
	}
	return rc ? -1 : 0;
}

void session_cache_clear(struct session_cache *c, uint64_t lifetime_ms)
{
	if (lock(c) < 0)
		return;
	explicit_bzero(c->entries, sizeof(c->entries));
	c->lifetime_ms = lifetime_ms;
	pthread_mutex_unlock(&c->lock);
}

static struct session_entry *bucket_of(struct session_cache *c, const uint8_t id[32])
{
	uint32_t h = (uint32_t)id[0] | (uint32_t)id[1] << 8 | (uint32_t)id[2] << 16;

	return c->entries[h % SESSION_CACHE_BUCKETS];
}

static int live(const struct session_cache *c, const struct session_entry *e, uint64_t now_ms)
{
	return e->used && now_ms >= e->saved_ms && now_ms - e->saved_ms < c->lifetime_ms;
}

/* The entry of @id in bucket @b, live or not; NULL if none. */
static struct session_entry *find(struct session_entry *b, const uint8_t id[32])
{
	for (int i = 0; i < SESSION_CACHE_WAYS; i++)
		if (b[i].used && !memcmp(b[i].id, id, 32))
			return &b[i];
	return NULL;
}

/* SHA-256 of @name: what an entry keeps of its server name. */
static void name_hash(const char *name, uint8_t out[32])
{
	br_sha256_context h;

	br_sha256_init(&h);
	br_sha256_update(&h, name, strlen(name));
	br_sha256_out(&h, out);
}

int session_cache_save(struct session_cache *c, const char *profile, const char *server_name,
		       const br_ssl_session_parameters *params, int extended_master_secret,
		       uint64_t now_ms)
{
	struct session_entry *b, *slot;
	uint8_t name[32];

	if (params->session_id_len != 32 || strlen(profile) >= KTLSD_PROFILE_MAX)
		return -1;
	name_hash(server_name, name);
	if (lock(c) < 0)
		return -1;
	b = bucket_of(c, params->session_id);
	slot = find(b, params->session_id);
	/* Else a free or expired entry, else the oldest. */
	for (int i = 0; i < SESSION_CACHE_WAYS && !slot; i++)
		if (!live(c, &b[i], now_ms))
			slot = &b[i];
	if (!slot) {
		slot = &b[0];
		for (int i = 1; i < SESSION_CACHE_WAYS; i++)
			if (b[i].saved_ms < slot->saved_ms)
				slot = &b[i];
	}
	explicit_bzero(slot, sizeof(*slot));
	memcpy(slot->id, params->session_id, 32);
	slot->version = params->version;
	slot->suite = params->cipher_suite;
	slot->extended_master_secret = extended_master_secret != 0;
	memcpy(slot->name_hash, name, sizeof(name));
	memcpy(slot->master_secret, params->master_secret, 48);
	slot->saved_ms = now_ms;
	strcpy(slot->profile, profile);
	slot->used = 1;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int session_cache_load(struct session_cache *c, const char *profile, const char *server_name,
		       br_ssl_session_parameters *params, int *extended_master_secret,
		       uint64_t now_ms)
{
	struct session_entry *e;
	uint8_t name[32];
	int found = 0;

	if (params->session_id_len != 32)
		return 0;
	name_hash(server_name, name);
	if (lock(c) < 0)
		return 0;
	e = find(bucket_of(c, params->session_id), params->session_id);
	if (e && live(c, e, now_ms) && !strncmp(e->profile, profile, KTLSD_PROFILE_MAX) &&
	    !memcmp(e->name_hash, name, sizeof(name))) {
		params->version = e->version;
		params->cipher_suite = e->suite;
		*extended_master_secret = e->extended_master_secret;
		memcpy(params->master_secret, e->master_secret, 48);
		found = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

void session_cache_drop(struct session_cache *c, const uint8_t id[32])
{
	struct session_entry *e;

	if (lock(c) < 0)
		return;
	e = find(bucket_of(c, id), id);
	if (e)
		explicit_bzero(e, sizeof(*e));
	pthread_mutex_unlock(&c->lock);
}
