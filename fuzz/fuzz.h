/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the libFuzzer targets in fuzz/: the folder of PEM files made at
 * build time, and untrusted bytes turned into a file the code under test
 * opens by name (a memfd, seen as /proc/self/fd/N).
 */
#ifndef KTLSD_FUZZ_H
#define KTLSD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* What a test input may write to stand for the PEM folder (fuzz_data_dir()). */
#define FUZZ_DATA_TOKEN "@DATA@"

/*
 * The folder of test credentials: $KTLSD_FUZZ_DATA, else FUZZ_DATA_DIR as
 * built (build/fuzz/data, made by kmod-tests/selftests/make-certs.sh).
 */
const char *fuzz_data_dir(void);

/* @name inside fuzz_data_dir(), in a static buffer (one at a time). */
const char *fuzz_data_path(const char *name);

/*
 * A memfd holding @len bytes of @data; its name for open() goes into @path.
 * Returns the fd (close it when done); aborts on failure: that is the
 * harness's fault, not a finding.
 */
int fuzz_memfd(const void *data, size_t len, char *path, size_t pathlen);

/* Die loudly: a broken invariant is a finding libFuzzer must report. */
#define FUZZ_CHECK(cond) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))
__attribute__((noreturn))
void fuzz_fail(const char *file, int line, const char *what);

/* 1 if @s has a NUL within its @size bytes. */
int fuzz_bounded(const char *s, size_t size);

#endif
