/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files in a test's temporary folder, for exchanges with the openssl CLI. */
#ifndef KTLSD_TESTS_TMPDIR_FILES_H
#define KTLSD_TESTS_TMPDIR_FILES_H

#include <stdio.h>

/* Up to @room bytes of @dir/@name into @buf: how many were read (0: none or no file). */
static inline size_t dir_slurp(const char *dir, const char *name, void *buf, size_t room)
{
	char path[128];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, room, f);
	fclose(f);
	return n;
}

/* Write @len bytes of @buf to @dir/@name: 0, or -1. */
static inline int dir_spill(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	ret = fwrite(buf, 1, len, f) == len ? 0 : -1;
	return fclose(f) || ret ? -1 : 0;
}

#endif
