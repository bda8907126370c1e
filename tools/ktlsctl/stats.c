// SPDX-License-Identifier: GPL-2.0
/* ktlsctl stats: the kernel's TLS counters, /proc/net/tls_stat, and their rates. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ktlsctl.h"
#include "ktlsd.h"

#define TLS_STAT "/proc/net/tls_stat"

static void stats_help(FILE *out)
{
	fputs("usage: ktlsctl stats [--delta SECONDS] [-s SOCKET]\n"
	      "\n"
	      "The kernel's TLS counters (" TLS_STAT ", this network namespace):\n"
	      "sockets now in software and on a NIC, totals, decrypt errors, RX resyncs;\n"
	      "then ktlsd's handshake counters, if it answers on its control socket\n"
	      "(-s, default " KTLSD_CONTROL_PATH ").\n"
	      "--delta: read twice, SECONDS apart, and show the change and the rate.\n", out);
}

static json_object *read_tls_stat(int *err)
{
	FILE *f = fopen(TLS_STAT, "r");
	json_object *obj;
	char name[64];
	long long v;

	if (!f) {
		*err = errno;
		return NULL;
	}
	obj = json_object_new_object();
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		json_object_object_add(obj, name, json_object_new_int64(v));
	fclose(f);
	return obj;
}

static void print_kernel(json_object *s, FILE *out)
{
	json_object *counters = s, *delta = NULL, *interval = NULL, *nested;

	/* With --delta the counters are nested (get_ex clears its output when
	 * the key is missing, so it gets a variable of its own). */
	if (json_object_object_get_ex(s, "counters", &nested)) {
		counters = nested;
		json_object_object_get_ex(s, "delta", &delta);
		json_object_object_get_ex(s, "interval_s", &interval);
		fprintf(out, "%-24s %14s %12s %12s\n", "counter", "value",
			"change", "per second");
	}
	json_object_object_foreach(counters, name, value) {
		json_object *d;

		if (delta && json_object_object_get_ex(delta, name, &d))
			fprintf(out, "%-24s %14lld %12lld %12.1f\n", name,
				(long long)json_object_get_int64(value),
				(long long)json_object_get_int64(d),
				json_object_get_int64(d) / json_object_get_double(interval));
		else
			fprintf(out, "%-24s %lld\n", name, (long long)json_object_get_int64(value));
	}
}

/* ktlsd's handshake counters, when it answers: {"ktlsd": {...}}. */
static void add_daemon(json_object *answer, const char *ctl)
{
	json_object *status = daemon_ask_quietly(ctl, "status"), *hs, *d;

	if (!status)
		return;
	if (json_object_object_get_ex(status, "handshakes", &hs)) {
		d = json_object_new_object();
		json_object_object_foreach(hs, name, value)
			json_object_object_add(d, name, json_object_get(value));
		json_object_object_add(d, "in_flight", json_object_new_int64(
			json_object_object_get_ex(status, "in_flight", &hs) ? json_object_get_int64(hs) : 0));
		json_object_object_add(answer, "ktlsd", d);
	}
	json_object_put(status);
}

static void print_stats(json_object *s, FILE *out)
{
	json_object *daemon;

	if (json_object_object_get_ex(s, "ktlsd", &daemon)) {
		json_object_get(daemon);
		json_object_object_del(s, "ktlsd");
	} else {
		daemon = NULL;
	}
	print_kernel(s, out);
	if (daemon) {
		fputs("ktlsd handshakes:", out);
		json_object_object_foreach(daemon, name, value)
			fprintf(out, " %s %s", name, json_object_get_string(value));
		fputc('\n', out);
		json_object_put(daemon);
	}
}

int cmd_stats(int argc, char **argv, const struct ktlsctl_opts *o)
{
	const char *ctl = KTLSD_CONTROL_PATH;
	double interval = 0;
	json_object *first, *second, *answer, *delta;
	int err = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "help") || !strcmp(argv[i], "--help")) {
			stats_help(stdout);
			return EXIT_OK;
		} else if (i + 1 == argc) {
			return usage_error("stats", "unknown argument \"%s\"", argv[i]);
		} else if (!strcmp(argv[i], "--delta")) {
			char *end;

			interval = strtod(argv[++i], &end);
			if (*end || interval <= 0 || interval > 3600)
				return usage_error("stats", "--delta: \"%s\" is not a number of seconds (0-3600)",
						   argv[i]);
		} else if (!strcmp(argv[i], "-s")) {
			ctl = argv[++i];
		} else {
			return usage_error("stats", "unknown argument \"%s\"", argv[i]);
		}
	}
	first = read_tls_stat(&err);
	if (!first)
		return fail("stats", "%s: %s%s", TLS_STAT, strerror(err),
			    err == ENOENT ? " (is the tls module loaded?)" : "");
	if (!interval) {
		add_daemon(first, ctl);
		emit(first, o, print_stats);
		return EXIT_OK;
	}
	nanosleep(&(struct timespec){ .tv_sec = (time_t)interval,
				      .tv_nsec = (long)((interval - (time_t)interval) * 1e9) }, NULL);
	second = read_tls_stat(&err);
	if (!second) {
		json_object_put(first);
		return fail("stats", "%s: %s", TLS_STAT, strerror(err));
	}
	delta = json_object_new_object();
	json_object_object_foreach(second, name, value) {
		json_object *before;
		long long was = json_object_object_get_ex(first, name, &before) ?
				json_object_get_int64(before) : 0;

		json_object_object_add(delta, name,
				       json_object_new_int64(json_object_get_int64(value) - was));
	}
	json_object_put(first);
	answer = json_object_new_object();
	json_object_object_add(answer, "interval_s", json_object_new_double(interval));
	json_object_object_add(answer, "counters", second);
	json_object_object_add(answer, "delta", delta);
	add_daemon(answer, ctl);
	emit(answer, o, print_stats);
	return EXIT_OK;
}
