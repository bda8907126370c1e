/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ktlsd's log: stderr in the foreground, syslog otherwise. */
#ifndef KTLSD_LOG_H
#define KTLSD_LOG_H

#include <stdint.h>
#include <syslog.h>

/* Where messages go, and whether LOG_DEBUG ones are kept. */
void log_init(int foreground, int verbose);

/*
 * In a new process: syslog's socket is let go of, to be connected again at
 * the next message, so that the caller may close every descriptor it
 * inherited.
 */
void log_after_fork(void);

/*
 * Connect to syslog now rather than at the first line (nothing when logging
 * to stderr): a worker does it before its system call filter is loaded.
 */
void log_connect(void);

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Repeated messages of one kind (a caller that retries in a loop, perhaps
 * varying its request) must not flood the log: of the messages with the same
 * key (e.g. a uid and an errno), the first LOG_REPEAT_BURST in a window of
 * LOG_REPEAT_WINDOW_MS are logged, the rest counted, and the count logged
 * when the window has passed and the key comes again. LOG_REPEAT_KEYS keys
 * are tracked at once; a new one takes the slot of the oldest, logging its
 * count first.
 */
#define LOG_REPEAT_BURST	3
#define LOG_REPEAT_WINDOW_MS	10000
#define LOG_REPEAT_KEYS		16

struct log_repeat_slot {
	char key[64];
	uint64_t window_start_ms;
	unsigned seen, suppressed;
};

struct log_repeat {
	struct log_repeat_slot slots[LOG_REPEAT_KEYS];
};

void log_limited(struct log_repeat *r, uint64_t now_ms, const char *key, int priority,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
