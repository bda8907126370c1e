/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ktlsd's log: stderr in the foreground, syslog otherwise. */
#ifndef KTLSD_LOG_H
#define KTLSD_LOG_H

#include <syslog.h>

/* Where messages go, and whether LOG_DEBUG ones are kept. */
void log_init(int foreground, int verbose);

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
