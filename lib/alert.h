/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sending an alert, for libktlsd's own use (not exported). */
#ifndef KTLSD_ALERT_H
#define KTLSD_ALERT_H

/*
 * ktlsd_send_alert() with sendmsg @flags added (MSG_DONTWAIT: an event
 * loop's caller must not block). Returns 0, or -1 with errno.
 */
__attribute__((visibility("hidden")))
int ktlsd_send_alert_flags(int fd, int level, int description, int flags);

#endif
