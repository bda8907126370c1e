/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes from the kernel's generator (getrandom(2)), for keys and seeds. */
#ifndef KTLSD_ENTROPY_H
#define KTLSD_ENTROPY_H

#include <stddef.h>

/*
 * Fill @buf (@len bytes) from getrandom(2), blocking until the kernel's
 * generator is seeded; a signal only delays it. Returns 0, or -1 with
 * errno set by getrandom() (@buf then partly filled: use none of it).
 */
int entropy_fill(void *buf, size_t len);

#endif
