// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "intake.h"

int caller_identify(struct caller *c, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	socklen_t glen = 64 * sizeof(gid_t);

	memset(c, 0, sizeof(*c));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->gid = cred.gid;
	snprintf(c->who, sizeof(c->who), "pid %d uid %u", (int)cred.pid, (unsigned)cred.uid);
	/* The kernel says how much room the whole list needs: ERANGE, retry. */
	for (int tries = 0; tries < 4; tries++) {
		gid_t *groups = realloc(c->groups, glen ? glen : sizeof(gid_t));

		if (!groups)
			break;
		c->groups = groups;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &glen) == 0) {
			c->group_count = glen / sizeof(gid_t);
			return 0;
		}
		if (errno != ERANGE)
			break;
	}
	/* Without the list the caller is judged by uid and primary gid only. */
	free(c->groups);
	c->groups = NULL;
	c->group_count = 0;
	return 0;
}

void caller_free(struct caller *c)
{
	free(c->groups);
	c->groups = NULL;
	c->group_count = 0;
}

int intake_read(int fd, struct intake_msg *m)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(INTAKE_MAX_FDS * sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = m->data, .iov_len = sizeof(m->data) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	m->len = 0;
	m->fd_count = 0;
	m->fds_truncated = 0;
	do
		n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* Descriptors first: they are ours now, whatever the bytes say. */
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		size_t count;

		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < count && m->fd_count < INTAKE_MAX_FDS; i++)
			memcpy(&m->fds[m->fd_count++], CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
	}
	m->fds_truncated = !!(msg.msg_flags & MSG_CTRUNC);
	m->len = (size_t)n;
	/* SEQPACKET: 0 bytes is a message only if something came with it. */
	if (n == 0 && !m->fd_count && !m->fds_truncated)
		return 0;
	return 1;
}

size_t intake_release(struct intake_msg *m, int keep, struct closer *closer, uint32_t owner)
{
	size_t queued = 0;

	for (size_t i = 0; i < m->fd_count; i++)
		if (m->fds[i] != keep)
			queued += closer_close(closer, m->fds[i], owner);
	m->fd_count = 0;
	return queued;
}

size_t intake_drain(int fd, struct closer *closer, uint32_t owner)
{
	struct intake_msg m;

	if (intake_read(fd, &m) <= 0)
		return 0;
	return intake_release(&m, -1, closer, owner);
}
