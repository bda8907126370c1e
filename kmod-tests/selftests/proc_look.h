/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Looking into ktlsd's processes from a test: the children of a process
 * (its workers and key process), found by their parent in /proc/PID/stat
 * (a kernel may lack /proc/PID/task/TID/children), and which secrets a
 * process's writable memory holds. Shared by the host tests (live.h) and
 * the kselftests (ktlsd_hostile.c).
 */
#ifndef KTLSD_PROC_LOOK_H
#define KTLSD_PROC_LOOK_H

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
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

/* 1 if @pid's command name (ps -o comm) begins with @prefix. */
static inline int proc_comm_is(pid_t pid, const char *prefix)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return !strncmp(comm, prefix, strlen(prefix));
}

/* The value of @field in /proc/@pid[/task/@tid]/status, or "" (trailing blanks cut). */
static inline const char *proc_status_field(pid_t pid, pid_t tid, const char *field, char *out,
					     size_t len)
{
	char path[96], line[512];
	size_t flen = strlen(field);
	FILE *f;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	out[0] = 0;
	f = fopen(path, "r");
	if (!f)
		return out;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) || line[flen] != ':')
			continue;
		char *v = line + flen + 1, *end;
		size_t n;

		while (*v == ' ' || *v == '\t')
			v++;
		/* Cut to @len (a status line may be longer than the caller's room). */
		n = strlen(v) < len ? strlen(v) : len - 1;
		memcpy(out, v, n);
		out[n] = 0;
		end = out + n;
		while (end > out && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		break;
	}
	fclose(f);
	return out;
}

/*
 * @pid's seccomp mode (/proc/PID/status): 0 none, 1 strict, 2 a filter;
 * -1 if it cannot be read.
 */
static inline int proc_seccomp_mode(pid_t pid)
{
	char v[32];

	return *proc_status_field(pid, 0, "Seccomp", v, sizeof(v)) ? atoi(v) : -1;
}

/*
 * Shared anonymous memory ("/dev/zero (deleted)" in /proc/PID/maps, each
 * mapping made by mmap() an inode of its own, kept across fork()): with
 * @inode 0, the inode of @pid's first such mapping of exactly @size bytes
 * (0: none); else the bytes of @inode @pid still maps. -1 if the maps
 * cannot be read.
 */
static inline long long proc_shared_anon(pid_t pid, unsigned long inode, size_t size)
{
	char path[64], line[512];
	long long total = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, ino;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &start, &end, &ino) != 3 ||
		    !strstr(line, "/dev/zero (deleted)"))
			continue;
		if (!inode && end - start == size) {
			total = (long long)ino;
			break;
		}
		if (inode && ino == inode)
			total += (long long)(end - start);
	}
	fclose(f);
	return total;
}

/* ktlsd's worker processes (ktlsd-workerN) under @daemon, lowest pid first; how many. */
static inline int proc_workers(pid_t daemon, pid_t *pids, int max)
{
	pid_t all[512];
	int n = proc_children(daemon, all, 512), k = 0;

	for (int i = 0; i < n && k < max; i++)
		if (proc_comm_is(all[i], "ktlsd-worker"))
			pids[k++] = all[i];
	return k;
}

/*
 * Mark in @found[k] each of the @count byte strings @needles[k] (@lens[k]
 * bytes, 48 at most) that occurs in @pid's writable memory. 0, or -1 if
 * that memory cannot be read (root reads any process's).
 */
static inline int proc_scan_memory(pid_t pid, const uint8_t *const *needles, const size_t *lens,
				   int count, uint8_t *found)
{
	static uint8_t chunk[1 << 20];
	char path[64], line[512];
	FILE *maps;
	int mem;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	if (!maps || mem < 0) {
		if (maps)
			fclose(maps);
		if (mem >= 0)
			close(mem);
		return -1;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[1] != 'w')
			continue;
		/* Chunks overlap by 47 bytes: a needle across a boundary is still seen. */
		for (unsigned long at = lo; at < hi; at += sizeof(chunk) - 47) {
			size_t want = hi - at < sizeof(chunk) ? hi - at : sizeof(chunk);
			ssize_t got = pread(mem, chunk, want, (off_t)at);

			if (got < 48)
				break;
			for (int k = 0; k < count; k++)
				if (memmem(chunk, (size_t)got, needles[k], lens[k]))
					found[k] = 1;
		}
	}
	fclose(maps);
	close(mem);
	return 0;
}

#endif
