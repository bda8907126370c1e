/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal TAP 13 producer for the host unit tests: ok(cond, name...)
 * prints one result line; done() prints the plan and returns the exit code.
 * Each test program is one process, so the counters may be file-static.
 */
#ifndef KTLSD_TAP_H
#define KTLSD_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3)))
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	if (tap_count == 0)
		printf("TAP version 13\n");
	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

/* A diagnostic line, shown under the result it explains. */
__attribute__((format(printf, 1, 2)))
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
