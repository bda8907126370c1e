/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What arrives on an application's connection, taken in without trusting
 * any of it: who is calling (SO_PEERCRED, every supplementary group), the
 * request datagram with every descriptor attached to it, whatever else was
 * queued behind it. Every descriptor that arrives goes to the closer unless
 * the caller of these functions keeps it.
 */
#ifndef KTLSD_INTAKE_H
#define KTLSD_INTAKE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "closer.h"
#include "wire.h"

/* The kernel passes at most this many descriptors in one message (SCM_MAX_FD). */
#define INTAKE_MAX_FDS 253
struct caller {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* supplementary groups, all of them */
	size_t group_count;
	char who[48];		/* "pid 123 uid 1000", for the log */
};

/*
 * Fill @c from SO_PEERCRED and SO_PEERGROUPS of @fd (growing the group list
 * as the kernel asks). Returns 0, or -errno.
 */
int caller_identify(struct caller *c, int fd);
void caller_free(struct caller *c);

struct intake_msg {
	unsigned char data[sizeof(struct ktlsd_wire_request) + 1];
	size_t len;		/* what the message really held (MSG_TRUNC) */
	int fds[INTAKE_MAX_FDS];
	size_t fd_count;
	int fds_truncated;	/* MSG_CTRUNC: some could not be received */
};

/*
 * One message from @fd without blocking: its bytes and every descriptor
 * attached to it (also to a message of zero bytes). Returns 1 with a message
 * in @m, 0 at the end of the connection (nothing received), or -errno
 * (-EAGAIN: nothing yet).
 */
int intake_read(int fd, struct intake_msg *m);

/*
 * Hand every descriptor of @m, except @keep (-1: none), to @closer on behalf
 * of @owner. Returns how many were queued.
 */
size_t intake_release(struct intake_msg *m, int keep, struct closer *closer, uint32_t owner);

/*
 * Read and discard one message still queued on @fd, handing its descriptors
 * to @closer for @owner: a unix socket closed with an unread message makes
 * its peer's recv() fail with ECONNRESET before it reads our answer. Only
 * the one a well-behaved caller may have queued (its request) is read; what
 * a hostile one adds stays in the socket, and the kernel releases it when
 * the closer closes the connection. Returns how many descriptors it queued.
 */
size_t intake_drain(int fd, struct closer *closer, uint32_t owner);

#endif
