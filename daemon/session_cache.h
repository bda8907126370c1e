/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS 1.2 session IDs (RFC 5246 §7.4.1.2), resumed by whichever worker a
 * client lands on: one cache in memory the supervisor maps before it forks
 * and every worker shares, behind a process-shared, robust mutex (a worker
 * that dies holding it costs the cached sessions, never a deadlock).
 *
 * Bounded: SESSION_CACHE_BUCKETS buckets of SESSION_CACHE_WAYS entries,
 * chosen by the session ID's first bytes (our server makes them random; a
 * client's made-up ID only costs one bucket's scan); a full bucket drops
 * its oldest entry. Each entry expires lifetime_ms after it was saved, and
 * resumes only under the profile that saved it, for the server name it was
 * made for (RFC 6066 §3: another name gets a full handshake; kept as its
 * SHA-256). Master secrets are wiped
 * when an entry is replaced, cleared or the cache is destroyed.
 *
 * Every worker can read every cached master secret: the price of sharing,
 * which the lifetime bounds. Profiles that check client certificates are
 * not cached (a resumed TLS 1.2 session would carry no client chain).
 */
#ifndef KTLSD_SESSION_CACHE_H
#define KTLSD_SESSION_CACHE_H

#include <pthread.h>
#include <stdint.h>

#include <bearssl.h>

#include "ktlsd.h"

#define SESSION_CACHE_BUCKETS	2048
#define SESSION_CACHE_WAYS	8

struct session_entry {
	uint8_t id[32];
	uint8_t used;
	uint16_t version;
	uint16_t suite;
	uint8_t extended_master_secret;	/* made with RFC 7627's: resumes only with it */
	uint8_t name_hash[32];		/* SHA-256 of the server name it was made for ("" none) */
	uint8_t master_secret[48];
	uint64_t saved_ms;		/* CLOCK_MONOTONIC: one clock for every process */
	char profile[KTLSD_PROFILE_MAX];
};

struct session_cache {
	pthread_mutex_t lock;
	uint64_t lifetime_ms;
	struct session_entry entries[SESSION_CACHE_BUCKETS][SESSION_CACHE_WAYS];
};

/*
 * Map a new, empty cache, shared with the processes forked from now on;
 * sessions live @lifetime_ms. Returns it, or NULL with errno.
 */
struct session_cache *session_cache_create(uint64_t lifetime_ms);

/* Wipe and unmap it (in this process). */
void session_cache_destroy(struct session_cache *c);

/* Forget every session (a reload: the profiles may have changed), and take a new lifetime. */
void session_cache_clear(struct session_cache *c, uint64_t lifetime_ms);

/*
 * Keep @params (a 32-byte session ID), whose master secret is RFC 7627's
 * extended one if @extended_master_secret, for @profile and @server_name
 * (the client's SNI, "" for none), at @now_ms. 0, or -1: the lock is lost.
 */
int session_cache_save(struct session_cache *c, const char *profile, const char *server_name,
		       const br_ssl_session_parameters *params, int extended_master_secret,
		       uint64_t now_ms);

/*
 * The session with @params' ID for @profile and @server_name, unexpired at
 * @now_ms, into @params and *@extended_master_secret: 1; 0 if there is
 * none.
 */
int session_cache_load(struct session_cache *c, const char *profile, const char *server_name,
		       br_ssl_session_parameters *params, int *extended_master_secret,
		       uint64_t now_ms);

/* Forget the session with ID @id (32 bytes), if kept: its connection ended with a fatal alert. */
void session_cache_drop(struct session_cache *c, const uint8_t id[32]);

#endif
