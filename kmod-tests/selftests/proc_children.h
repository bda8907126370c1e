/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The children of a process, found by their parent in /proc/PID/stat (a
 * kernel may lack /proc/PID/task/TID/children): ktlsd's worker processes,
 * for the tests that look into them. Shared by the host tests (live.h) and
 * the kselftests (ktlsd_env.c).
 */
#ifndef KTLSD_PROC_CHILDREN_H
#define KTLSD_PROC_CHILDREN_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* The children of @parent into @pids (at most @max), lowest pid first; how many. */
static inline int proc_children(pid_t parent, pid_t *pids, int max)
{
	DIR *dh = opendir("/proc");
	struct dirent *d;
	int n = 0;

	while (dh && (d = readdir(dh)) && n < max) {
		char path[300], stat[512], *end;
		int ppid = 0;
		size_t len;
		FILE *f;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		len = fread(stat, 1, sizeof(stat) - 1, f);
		fclose(f);
		stat[len] = 0;
		/* After the command's closing parenthesis: its state, then its parent. */
		end = strrchr(stat, ')');
		if (end && sscanf(end + 1, " %*c %d", &ppid) == 1 && ppid == (int)parent)
			pids[n++] = (pid_t)atoi(d->d_name);
	}
	if (dh)
		closedir(dh);
	for (int i = 1; i < n; i++) {
		for (int j = i; j > 0 && pids[j] < pids[j - 1]; j--) {
			pid_t t = pids[j];

			pids[j] = pids[j - 1];
			pids[j - 1] = t;
		}
	}
	return n;
}

#endif
