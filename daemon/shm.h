/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory the supervisor maps before it forks, shared by its workers
 * (session_cache.h, client_store.h): secrets live there, so it is kept out
 * of core dumps; a process-shared, robust mutex guards it, so that a worker
 * dying with the lock held costs what it guards, never a deadlock.
 */
#ifndef KTLSD_SHM_H
#define KTLSD_SHM_H

#include <pthread.h>
#include <stddef.h>

/* @len bytes, zeroed, shared with the processes forked from now on. NULL with errno. */
void *shm_create(size_t len);

/* Make @m process-shared and robust. 0, or an errno value. */
int shm_mutex_init(pthread_mutex_t *m);

#endif
