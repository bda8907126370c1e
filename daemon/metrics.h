/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the daemon has done, for its control socket: handshakes by outcome
 * and by failure reason, per profile, and how long they took (a histogram
 * with buckets a quarter-octave wide, so percentiles are within 19%).
 */
#ifndef KTLSD_METRICS_H
#define KTLSD_METRICS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "ktlsd.h"

#define METRICS_MAX_REASONS	64
#define METRICS_MAX_PROFILES	128
#define METRICS_BUCKETS		64

struct metrics_count {
	char name[48];
	uint64_t count;
};

struct metrics_profile {
	char name[KTLSD_PROFILE_MAX];
	uint64_t ok, failed;
};

struct metrics {
	uint64_t started_ms;			/* CLOCK_MONOTONIC */
	uint64_t ok, failed, refused;
	struct metrics_count reasons[METRICS_MAX_REASONS];
	size_t reason_count;
	struct metrics_profile profiles[METRICS_MAX_PROFILES];
	size_t profile_count;
	uint64_t latency[METRICS_BUCKETS];	/* handshakes by duration */
	uint64_t latency_samples;
	unsigned reloads, reloads_refused;
};

void metrics_init(struct metrics *m, uint64_t now_ms);

/*
 * A handshake ended: @status 0 or an errno; @reason names the failure
 * (BearSSL's error name, or the errno's); @elapsed_ms since the request.
 */
void metrics_handshake(struct metrics *m, const char *profile, int status,
		       const char *reason, uint64_t elapsed_ms);

/* A request refused before any handshake (EACCES, ESRCH, EBUSY...). */
void metrics_refused(struct metrics *m, int status);

/*
 * Add @from's handshake counts (outcomes, reasons, profiles, latencies) to
 * @into; its start time and reload counts are left alone. @from may be a
 * copy of a worker's shared slot: its counts and names are bounded here.
 */
void metrics_merge(struct metrics *into, const struct metrics *from);

/* The duration (ms) under which @fraction of handshakes ended; 0 if none. */
uint64_t metrics_percentile(const struct metrics *m, double fraction);

/* Everything, for `ktlsctl daemon status`. */
json_object *metrics_json(const struct metrics *m, size_t in_flight, uint64_t now_ms);

#endif
