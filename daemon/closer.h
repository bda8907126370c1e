/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Closing descriptors that came from outside, off the event loop.
 *
 * close() of a TCP socket whose last reference we hold waits for its
 * SO_LINGER time when data is unsent; close() of a file on FUSE waits for its
 * flush; close() of a unix socket with descriptors in flight may do either for
 * each of them. The caller chooses all of that. So every descriptor another
 * process gave us, and every connection an application made to us, is closed
 * by closer threads: one waits for work, more are started while every one is
 * blocked in a close (up to CLOSER_MAX_THREADS), and the extra ones end once
 * idle. The event loop only queues.
 */
#ifndef KTLSD_CLOSER_H
#define KTLSD_CLOSER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define CLOSER_MAX_THREADS	256

struct closer_state;

/*
 * The threads share a state block with the caller's handle: whoever lets go
 * of it last frees it, so a thread still blocked in a close when the daemon
 * stops never touches freed memory.
 */
struct closer {
	struct closer_state *state;
};

/*
 * Prepare @c for at most @capacity descriptors queued at once (a bound the
 * caller derives from RLIMIT_NOFILE: a queued descriptor is an open one) and
 * start its first thread. Returns 0, or -1 with errno.
 */
int closer_init(struct closer *c, size_t capacity);

/*
 * Queue @fd to be closed on behalf of @owner (the uid it came from: each
 * completed close is reported with it, so the caller can bound what one
 * owner has pending). Never blocks on the descriptor. Returns 1 when queued;
 * 0 if @fd < 0 (ignored), or if the queue is full — a caller's bug, as
 * @capacity bounds descriptors open at once: the descriptor is then closed
 * here rather than leaked, and no completion is reported.
 */
int closer_close(struct closer *c, int fd, uint32_t owner);

/*
 * A descriptor readable once closes have completed; closer_collect() takes
 * up to @max of their owners (and leaves the descriptor readable if more
 * are left). The event loop uses it to account per owner, and to resume
 * work that waited for descriptors. closer_collect() makes no system call
 * unless the descriptor was made readable.
 */
int closer_event_fd(const struct closer *c);
size_t closer_collect(struct closer *c, uint32_t *owners, size_t max);

/*
 * Whether completed closes make closer_event_fd() readable: yes (@on, the
 * default), or not (0): then only closer_collect() finds them, which an
 * event loop that calls it at every turn does, saving a write, a read and
 * a wake-up per close; it turns them on while something waits for a
 * close. Turned on with closes completed and not collected, the
 * descriptor is readable at once.
 */
void closer_set_events(struct closer *c, int on);

/* Descriptors queued or being closed now. */
size_t closer_pending(struct closer *c);

/*
 * Let the threads close what is queued and end; release @c without waiting
 * for a thread blocked in a close (it frees the state when it is done).
 */
void closer_stop(struct closer *c);

#endif
