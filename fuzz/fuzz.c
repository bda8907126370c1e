// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_DATA_DIR
#define FUZZ_DATA_DIR "build/fuzz/data"
#endif

const char *fuzz_data_dir(void)
{
	const char *env = getenv("KTLSD_FUZZ_DATA");

	return env && *env ? env : FUZZ_DATA_DIR;
}

const char *fuzz_data_path(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", fuzz_data_dir(), name);
	return path;
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

int fuzz_memfd(const void *data, size_t len, char *path, size_t pathlen)
{
	const char *p = data;
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0) {
			perror("write memfd");
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
	snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return fd;
}

int fuzz_bounded(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}
