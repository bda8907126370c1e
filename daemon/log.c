// SPDX-License-Identifier: GPL-2.0-or-later
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* The process has one log; main() sets it once before anything logs. */
static int to_stderr = 1;
static int keep_debug;

void log_init(int foreground, int verbose)
{
	to_stderr = foreground;
	keep_debug = verbose;
	if (!foreground)
		openlog("ktlsd", LOG_PID, LOG_DAEMON);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	if (priority == LOG_DEBUG && !keep_debug)
		return;
	va_start(ap, fmt);
	if (to_stderr) {
		fputs("ktlsd: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(priority, fmt, ap);
	}
	va_end(ap);
}
