// SPDX-License-Identifier: GPL-2.0-or-later
/* The daemon's counters and its handshake latency histogram. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "ec.h"
#include "hash.h"
#include "ecdsa.h"
#include "rsa.h"
#include "metrics.h"

/* Upper bound (ms) of bucket @i: 2^(i/4), rounded up. */
static uint64_t bucket_bound(int i)
{
	static const unsigned quarter[4] = { 1000, 1190, 1415, 1682 };

	return ((1ull << (i / 4)) * quarter[i % 4] + 999) / 1000;
}

static int bucket_of(uint64_t ms)
{
	int i = 0;

	while (i < METRICS_BUCKETS - 1 && ms > bucket_bound(i))
		i++;
	return i;
}

void metrics_init(struct metrics *m, uint64_t now_ms)
{
	memset(m, 0, sizeof(*m));
	m->started_ms = now_ms;
}

/* The counter called @name in @table, made if there is room; NULL if not. */
static struct metrics_count *reason_slot(struct metrics *m, const char *name)
{
	for (size_t i = 0; i < m->reason_count; i++)
		if (!strcmp(m->reasons[i].name, name))
			return &m->reasons[i];
	if (m->reason_count == METRICS_MAX_REASONS)
		return NULL;
	snprintf(m->reasons[m->reason_count].name, sizeof(m->reasons[0].name), "%s", name);
	return &m->reasons[m->reason_count++];
}

static struct metrics_profile *profile_slot(struct metrics *m, const char *name)
{
	for (size_t i = 0; i < m->profile_count; i++)
		if (!strcmp(m->profiles[i].name, name))
			return &m->profiles[i];
	if (m->profile_count == METRICS_MAX_PROFILES)
		return NULL;
	snprintf(m->profiles[m->profile_count].name, sizeof(m->profiles[0].name), "%s", name);
	return &m->profiles[m->profile_count++];
}

void metrics_handshake(struct metrics *m, const char *profile, int status,
		       const char *reason, uint64_t elapsed_ms)
{
	struct metrics_profile *p = profile_slot(m, profile);
	struct metrics_count *r;

	m->latency[bucket_of(elapsed_ms)]++;
	m->latency_samples++;
	if (!status) {
		m->ok++;
		if (p)
			p->ok++;
		return;
	}
	m->failed++;
	if (p)
		p->failed++;
	r = reason_slot(m, reason && *reason ? reason : "unknown");
	if (r)
		r->count++;
}

void metrics_refused(struct metrics *m, int status)
{
	const char *name = strerrorname_np(status);
	char key[48];
	struct metrics_count *r;

	m->refused++;
	snprintf(key, sizeof(key), "refused:%s", name ? name : "unknown");
	r = reason_slot(m, key);
	if (r)
		r->count++;
}

void metrics_merge(struct metrics *into, const struct metrics *from)
{
	size_t reasons = from->reason_count < METRICS_MAX_REASONS ? from->reason_count :
			 METRICS_MAX_REASONS;
	size_t profiles = from->profile_count < METRICS_MAX_PROFILES ? from->profile_count :
			  METRICS_MAX_PROFILES;
	char name[sizeof(from->profiles[0].name)];

	into->ok += from->ok;
	into->failed += from->failed;
	into->refused += from->refused;
	for (size_t i = 0; i < reasons; i++) {
		struct metrics_count *r;

		/* From another process's memory: terminated here, whatever it holds. */
		snprintf(name, sizeof(from->reasons[0].name), "%.*s",
			 (int)sizeof(from->reasons[0].name) - 1, from->reasons[i].name);
		r = reason_slot(into, name);
		if (r)
			r->count += from->reasons[i].count;
	}
	for (size_t i = 0; i < profiles; i++) {
		struct metrics_profile *p;

		snprintf(name, sizeof(name), "%.*s", (int)sizeof(name) - 1, from->profiles[i].name);
		p = profile_slot(into, name);
		if (p) {
			p->ok += from->profiles[i].ok;
			p->failed += from->profiles[i].failed;
		}
	}
	for (int i = 0; i < METRICS_BUCKETS; i++)
		into->latency[i] += from->latency[i];
	into->latency_samples += from->latency_samples;
}

uint64_t metrics_percentile(const struct metrics *m, double fraction)
{
	uint64_t want = (uint64_t)(fraction * (double)m->latency_samples + 0.5), seen = 0;

	if (!m->latency_samples)
		return 0;
	if (want < 1)
		want = 1;
	for (int i = 0; i < METRICS_BUCKETS; i++) {
		seen += m->latency[i];
		if (seen >= want)
			return bucket_bound(i);
	}
	return bucket_bound(METRICS_BUCKETS - 1);
}

json_object *metrics_json(const struct metrics *m, size_t in_flight, uint64_t now_ms)
{
	json_object *o = json_object_new_object(), *hs = json_object_new_object();
	json_object *reasons = json_object_new_object(), *lat = json_object_new_object();
	json_object *profiles = json_object_new_object();

	json_object_object_add(o, "uptime_s", json_object_new_uint64((now_ms - m->started_ms) / 1000));
	json_object_object_add(o, "elliptic_curves", json_object_new_string(ec_impl_name()));
	json_object_object_add(o, "rsa", json_object_new_string(rsa_impl_name()));
	json_object_object_add(o, "ecdsa", json_object_new_string(ecdsa_impl_name()));
	json_object_object_add(o, "sha256", json_object_new_string(hash_sha256_impl_name()));
	json_object_object_add(o, "in_flight", json_object_new_uint64(in_flight));
	json_object_object_add(hs, "ok", json_object_new_uint64(m->ok));
	json_object_object_add(hs, "failed", json_object_new_uint64(m->failed));
	json_object_object_add(hs, "refused", json_object_new_uint64(m->refused));
	json_object_object_add(o, "handshakes", hs);
	for (size_t i = 0; i < m->reason_count; i++)
		json_object_object_add(reasons, m->reasons[i].name,
				       json_object_new_uint64(m->reasons[i].count));
	json_object_object_add(o, "failures", reasons);
	json_object_object_add(lat, "samples", json_object_new_uint64(m->latency_samples));
	json_object_object_add(lat, "p50", json_object_new_uint64(metrics_percentile(m, 0.50)));
	json_object_object_add(lat, "p90", json_object_new_uint64(metrics_percentile(m, 0.90)));
	json_object_object_add(lat, "p99", json_object_new_uint64(metrics_percentile(m, 0.99)));
	json_object_object_add(o, "latency_ms", lat);
	for (size_t i = 0; i < m->profile_count; i++) {
		json_object *p = json_object_new_object();

		json_object_object_add(p, "ok", json_object_new_uint64(m->profiles[i].ok));
		json_object_object_add(p, "failed", json_object_new_uint64(m->profiles[i].failed));
		json_object_object_add(profiles, m->profiles[i].name, p);
	}
	json_object_object_add(o, "profiles", profiles);
	json_object_object_add(o, "reloads", json_object_new_uint64(m->reloads));
	json_object_object_add(o, "reloads_refused", json_object_new_uint64(m->reloads_refused));
	return o;
}
