// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Listening unix sockets: taken from systemd (socket activation) when it
 * passed any, matched by path; otherwise made here, replaced when stale,
 * refused when live.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "unixsock.h"

/* What systemd passed: LISTEN_FDS, read once (and unset for any child). */
#define MAX_INHERITED 8

static struct inherited {
	int fd;
	int claimed;
	char path[108];		/* once claimed: the path it was matched to */
} inherited[MAX_INHERITED];
static int inherited_count = -1;	/* -1: not asked yet */
static int inherited_extra;		/* passed beyond MAX_INHERITED */

static void collect_inherited(void)
{
	int n;

	if (inherited_count >= 0)
		return;
	n = sd_listen_fds(1);
	inherited_count = 0;
	for (int i = 0; i < n; i++) {
		if (i == MAX_INHERITED) {
			inherited_extra = n - i;
			break;
		}
		inherited[inherited_count++] = (struct inherited){ .fd = SD_LISTEN_FDS_START + i };
	}
}

/* The path a passed socket listens at, for messages. */
static void socket_path_of(int fd, char *out, size_t len)
{
	struct sockaddr_un addr;
	socklen_t alen = sizeof(addr);

	memset(&addr, 0, sizeof(addr));
	if (getsockname(fd, (struct sockaddr *)&addr, &alen) < 0 || addr.sun_family != AF_UNIX)
		snprintf(out, len, "not a unix socket");
	else if (!addr.sun_path[0])
		snprintf(out, len, "an abstract or unnamed socket");
	else
		snprintf(out, len, "%.*s", (int)sizeof(addr.sun_path), addr.sun_path);
}

/*
 * The socket systemd passed for @path: each is matched by the path it
 * listens at, never by its position, so two cannot be swapped.
 */
static int adopt(const char *path, char *err, size_t errlen)
{
	for (int i = 0; i < inherited_count; i++) {
		struct inherited *s = &inherited[i];
		int flags;

		if (s->claimed || sd_is_socket_unix(s->fd, SOCK_SEQPACKET, 1, path, 0) <= 0)
			continue;
		flags = fcntl(s->fd, F_GETFL);
		if (flags < 0 || fcntl(s->fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
		    fcntl(s->fd, F_SETFD, FD_CLOEXEC) < 0) {
			snprintf(err, errlen, "%s (from systemd): %s", path, strerror(errno));
			return -1;
		}
		s->claimed = 1;
		snprintf(s->path, sizeof(s->path), "%s", path);
		return s->fd;
	}
	snprintf(err, errlen, "%s: systemd passed %d socket(s), none a listening SOCK_SEQPACKET "
		 "socket at this path: add ListenSequentialPacket=%s to the socket unit",
		 path, inherited_count + inherited_extra, path);
	return -1;
}

int unix_check_inherited(char *err, size_t errlen)
{
	char where[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

	collect_inherited();
	if (inherited_extra) {
		snprintf(err, errlen, "systemd passed %d sockets: more than ktlsd has",
			 inherited_count + inherited_extra);
		return -1;
	}
	for (int i = 0; i < inherited_count; i++) {
		if (inherited[i].claimed)
			continue;
		socket_path_of(inherited[i].fd, where, sizeof(where));
		snprintf(err, errlen, "systemd passed a socket (fd %d: %s) that the configuration "
			 "names neither as socket nor as control_socket", inherited[i].fd, where);
		return -1;
	}
	return 0;
}

int unix_is_inherited(const char *path)
{
	for (int i = 0; i < inherited_count; i++)
		if (inherited[i].claimed && !strcmp(inherited[i].path, path))
			return 1;
	return 0;
}

void unix_close(int fd, const char *path)
{
	int ours = !unix_is_inherited(path);

	close(fd);
	/*
	 * Systemd's sockets stay where they are for the next start. Ours go;
	 * after the privilege drop the folder may not let us, and then the
	 * next start replaces the stale file.
	 */
	if (ours)
		unlink(path);
}

static int make_parent_dir(const char *path, char *err, size_t errlen)
{
	char copy[PATH_MAX];
	char *dir;

	struct stat st;

	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/*
	 * Whoever may write in the folder may put their own socket at our
	 * path, and every application would talk to it.
	 */
	if (lstat(dir, &st) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen, "%s: the socket's folder must be a directory owned by root "
			 "(or by ktlsd's own user) that no one else may write to", dir);
		return -1;
	}
	return 0;
}

int unix_listen(const char *path, mode_t mode, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, probe;

	collect_inherited();
	if (inherited_count > 0 || inherited_extra)
		return adopt(path, err, errlen);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (make_parent_dir(path, err, errlen) < 0)
		return -1;
	/* A socket file nobody answers on is left over: replace it. */
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
		close(probe);
		snprintf(err, errlen, "%s: another ktlsd is listening there", path);
		return -1;
	}
	if (probe >= 0)
		close(probe);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chmod(path, mode) < 0 || listen(fd, 128) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}
