// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TLS 1.2 session cache the workers share (session_cache.h): kept and
 * found across processes, per profile, until its lifetime ends; a full
 * bucket drops its oldest entry; dropped and cleared sessions are gone; a
 * process that dies holding the lock costs the sessions, not a deadlock.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session_cache.h"
#include "tap.h"

#define LIFETIME 1000
/* Every session here is saved as made with the extended master secret, but one. */
#define EMS 1

/* Session parameters with ID @id (its first bytes choose the bucket) and a master secret of @fill. */
static br_ssl_session_parameters session(uint8_t b0, uint8_t b3, uint8_t fill)
{
	br_ssl_session_parameters p;

	memset(&p, 0, sizeof(p));
	memset(p.session_id, 0x11, 32);
	p.session_id[0] = b0;
	p.session_id[3] = b3;
	p.session_id_len = 32;
	p.version = 0x0303;
	p.cipher_suite = 0xc02b;
	memset(p.master_secret, fill, 48);
	return p;
}

/* 1 if @c holds @want for @profile at @now, as saved. */
static int holds(struct session_cache *c, const char *profile, const br_ssl_session_parameters *want,
		 uint64_t now)
{
	br_ssl_session_parameters got;
	int ems = -1;

	memset(&got, 0, sizeof(got));
	memcpy(got.session_id, want->session_id, 32);
	got.session_id_len = 32;
	return session_cache_load(c, profile, "www.example", &got, &ems, now) == 1 && ems == EMS &&
	       got.version == want->version &&
	       got.cipher_suite == want->cipher_suite &&
	       !memcmp(got.master_secret, want->master_secret, 48);
}

static void test_save_load(struct session_cache *c)
{
	br_ssl_session_parameters a = session(1, 0, 0xaa), b = session(2, 0, 0xbb);
	br_ssl_session_parameters unknown = session(3, 0, 0);
	br_ssl_session_parameters short_id = session(4, 0, 0xcc);

	ok(session_cache_save(c, "web", "www.example", &a, EMS, 100) == 0 && holds(c, "web", &a, 100),
	   "a saved session is found, with its version, suite and master secret");
	ok(!holds(c, "other", &a, 100), "only under the profile that saved it");
	{
		br_ssl_session_parameters got = a;
		int ems;

		ok(session_cache_load(c, "web", "other.example", &got, &ems, 100) == 0 &&
		   session_cache_load(c, "web", "", &got, &ems, 100) == 0,
		   "only for the server name it was made for (RFC 6066 3): not another, not none");
	}
	ok(session_cache_save(c, "web", "www.example", &b, 0, 100) == 0 && !holds(c, "web", &b, 100) &&
	   session_cache_save(c, "web", "www.example", &b, EMS, 100) == 0 && holds(c, "web", &b, 100),
	   "whether its master secret is the extended one (RFC 7627) is kept with it");
	ok(!holds(c, "web", &unknown, 100), "an unknown ID is not found");
	ok(holds(c, "web", &a, 100 + LIFETIME - 1) && !holds(c, "web", &a, 100 + LIFETIME),
	   "found until its lifetime ends, not after");
	ok(!holds(c, "web", &a, 99), "nor before it was saved (a clock that went back)");
	short_id.session_id_len = 16;
	ok(session_cache_save(c, "web", "www.example", &short_id, EMS, 100) < 0, "an ID of other than 32 bytes is refused");
	session_cache_save(c, "web", "www.example", &b, EMS, 100);
	session_cache_drop(c, b.session_id);
	ok(!holds(c, "web", &b, 100) && holds(c, "web", &a, 100), "a dropped session is gone, the others stay");
	session_cache_clear(c, LIFETIME);
	ok(!holds(c, "web", &a, 100), "clear forgets every session");
}

static void test_bucket_eviction(struct session_cache *c)
{
	br_ssl_session_parameters s[SESSION_CACHE_WAYS + 1];
	int kept = 0;

	/* Same first three bytes: one bucket. Saved one ms apart, the first is the oldest. */
	for (int i = 0; i <= SESSION_CACHE_WAYS; i++) {
		s[i] = session(9, (uint8_t)i, (uint8_t)(0x40 + i));
		session_cache_save(c, "web", "www.example", &s[i], EMS, 200 + (uint64_t)i);
	}
	for (int i = 1; i <= SESSION_CACHE_WAYS; i++)
		kept += holds(c, "web", &s[i], 300);
	ok(!holds(c, "web", &s[0], 300) && kept == SESSION_CACHE_WAYS,
	   "a full bucket drops its oldest session for a new one (%d of %d kept)", kept,
	   SESSION_CACHE_WAYS);
	session_cache_clear(c, LIFETIME);
}

static void test_across_processes(struct session_cache *c)
{
	br_ssl_session_parameters a = session(5, 0, 0x55);
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(session_cache_save(c, "web", "www.example", &a, EMS, 400) == 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && !WEXITSTATUS(status) && holds(c, "web", &a, 400),
	   "a session one process saved is found by another");
	/* A child takes the lock and dies holding it. */
	pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(&c->lock);
		raise(SIGKILL);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && !holds(c, "web", &a, 400),
	   "a process killed holding the lock: the next caller takes it, and drops the sessions");
	ok(session_cache_save(c, "web", "www.example", &a, EMS, 500) == 0 && holds(c, "web", &a, 500),
	   "then the cache works again");
}

int main(void)
{
	struct session_cache *c = session_cache_create(LIFETIME);

	if (!ok(c != NULL, "a shared cache is made"))
		return done();
	test_save_load(c);
	test_bucket_eviction(c);
	test_across_processes(c);
	session_cache_destroy(c);
	return done();
}
