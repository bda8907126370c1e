// SPDX-License-Identifier: GPL-2.0-or-later
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

void log_after_fork(void)
{
	if (to_stderr)
		return;
	/* Lazily connected again (no LOG_NDELAY): the caller may close every inherited descriptor. */
	closelog();
	openlog("ktlsd", LOG_PID, LOG_DAEMON);
}

void log_connect(void)
{
	if (!to_stderr)
		openlog("ktlsd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	if (priority == LOG_DEBUG && !keep_debug)
		return;
	va_start(ap, fmt);
	if (to_stderr) {
		char line[1024] = "ktlsd: ";
		ssize_t written;
		size_t prefix = strlen(line);
		int n = vsnprintf(line + prefix, sizeof(line) - prefix - 1, fmt, ap);

		/* One write per line: the workers share stderr. */
		if (n >= 0) {
			size_t len = strlen(line);

			line[len] = '\n';
			/* A failed write has nowhere to be reported. */
			written = write(STDERR_FILENO, line, len + 1);
			(void)written;
		}
	} else {
		vsyslog(priority, fmt, ap);
	}
	va_end(ap);
}

static void flush_repeats(struct log_repeat_slot *slot)
{
	if (slot->suppressed)
		log_msg(LOG_NOTICE, "%s: %u more like it in %u s, not logged", slot->key,
			slot->suppressed, LOG_REPEAT_WINDOW_MS / 1000);
	slot->suppressed = 0;
}

/* The slot of @key, or the oldest one given to it. */
static struct log_repeat_slot *slot_for(struct log_repeat *r, const char *key)
{
	struct log_repeat_slot *oldest = &r->slots[0];

	for (size_t i = 0; i < LOG_REPEAT_KEYS; i++) {
		struct log_repeat_slot *s = &r->slots[i];

		if (!strcmp(s->key, key))
			return s;
		if (s->window_start_ms < oldest->window_start_ms)
			oldest = s;
	}
	flush_repeats(oldest);
	snprintf(oldest->key, sizeof(oldest->key), "%s", key);
	oldest->window_start_ms = 0;
	oldest->seen = 0;
	return oldest;
}

void log_limited(struct log_repeat *r, uint64_t now_ms, const char *key, int priority,
		 const char *fmt, ...)
{
	struct log_repeat_slot *slot = slot_for(r, key);
	va_list ap;
	char line[512];

	if (!slot->seen || now_ms - slot->window_start_ms >= LOG_REPEAT_WINDOW_MS) {
		flush_repeats(slot);
		slot->window_start_ms = now_ms;
		slot->seen = 0;
	}
	if (++slot->seen > LOG_REPEAT_BURST) {
		slot->suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_msg(priority, "%s", line);
}
