// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "closer.h"

/* Threads beyond the first end after this long without work. */
#define CLOSER_IDLE_SECONDS 5

struct closer_job {
	int fd;
	uint32_t owner;
};

struct closer_state {
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct closer_job *queue;	/* ring of descriptors to close */
	size_t capacity, head, count;
	uint32_t *done;			/* ring of owners whose close completed */
	size_t done_head, done_count;
	size_t busy;		/* popped, in close() now */
	unsigned threads, idle;	/* alive; waiting for work */
	unsigned refs;		/* the threads, and the owner until closer_stop */
	int stopping;
	int done_fd;		/* eventfd: written when a close completes... */
	int events;		/* ... if the owner wants it (closer_set_events()) */
	int signalled;		/* ... and it is not readable already */
};

/* With the lock held: make done_fd readable once for what is done, if wanted. */
static void signal_done(struct closer_state *s)
{
	const uint64_t one = 1;

	if (!s->events || s->signalled || !s->done_count)
		return;
	/* A full counter still reads as readable: nothing to handle. */
	if (write(s->done_fd, &one, sizeof(one)) < 0) {
	}
	s->signalled = 1;
}

static void put_state(struct closer_state *s)
{
	int last = --s->refs == 0;

	pthread_mutex_unlock(&s->lock);
	if (!last)
		return;
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	close(s->done_fd);
	free(s->queue);
	free(s->done);
	free(s);
}

static struct closer_job pop(struct closer_state *s)
{
	struct closer_job job = s->queue[s->head];

	s->head = (s->head + 1) % s->capacity;
	s->count--;
	return job;
}

/* With the lock held. Room is certain: a job queued is a slot reserved. */
static void push_done(struct closer_state *s, uint32_t owner)
{
	s->done[(s->done_head + s->done_count) % s->capacity] = owner;
	s->done_count++;
}

/* The first thread waits for ever; extra ones give up when idle. */
static int wait_for_work(struct closer_state *s, int first)
{
	struct timespec until;

	if (first)
		return pthread_cond_wait(&s->work, &s->lock);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CLOSER_IDLE_SECONDS;
	return pthread_cond_timedwait(&s->work, &s->lock, &until);
}

struct thread_start {
	struct closer_state *s;
	int first;
};

static void *closer_thread(void *arg)
{
	struct thread_start *start = arg;
	struct closer_state *s = start->s;
	int first = start->first;

	free(start);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct closer_job job;

		while (!s->count && !s->stopping)
			if (wait_for_work(s, first) == ETIMEDOUT && !s->count)
				goto out;
		if (!s->count)
			goto out;
		job = pop(s);
		s->idle--;
		s->busy++;
		pthread_mutex_unlock(&s->lock);
		close(job.fd);
		pthread_mutex_lock(&s->lock);
		s->busy--;
		s->idle++;
		push_done(s, job.owner);
		signal_done(s);
	}
out:
	s->idle--;
	s->threads--;
	put_state(s);
	return NULL;
}

/* With the lock held. Signals stay with the event loop's signalfd. */
static int start_thread(struct closer_state *s, int first)
{
	struct thread_start *start = malloc(sizeof(*start));
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	if (!start)
		return ENOMEM;
	start->s = s;
	start->first = first;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	/* A loop around close(): little stack, as there may be many. */
	pthread_attr_setstacksize(&attr, 128 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, closer_thread, start);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		free(start);
		return rc;
	}
	s->threads++;
	s->idle++;
	s->refs++;
	return 0;
}

int closer_init(struct closer *c, size_t capacity)
{
	struct closer_state *s = calloc(1, sizeof(*s));
	int rc;

	c->state = NULL;
	if (!s)
		return -1;
	s->capacity = capacity ? capacity : 1;
	s->refs = 1;
	s->events = 1;
	s->queue = calloc(s->capacity, sizeof(*s->queue));
	s->done = calloc(s->capacity, sizeof(*s->done));
	s->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!s->queue || !s->done || s->done_fd < 0) {
		rc = errno;
		goto fail;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_mutex_lock(&s->lock);
	rc = start_thread(s, 1);
	pthread_mutex_unlock(&s->lock);
	if (rc) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->work);
		goto fail;
	}
	c->state = s;
	return 0;
fail:
	if (s->done_fd >= 0)
		close(s->done_fd);
	free(s->queue);
	free(s->done);
	free(s);
	errno = rc;
	return -1;
}

int closer_close(struct closer *c, int fd, uint32_t owner)
{
	struct closer_state *s = c->state;

	if (fd < 0)
		return 0;
	pthread_mutex_lock(&s->lock);
	/* Queued, in close, or done but not collected: each holds a slot. */
	if (s->count + s->busy + s->done_count >= s->capacity) {
		pthread_mutex_unlock(&s->lock);
		close(fd);
		return 0;
	}
	s->queue[(s->head + s->count) % s->capacity] = (struct closer_job){ fd, owner };
	s->count++;
	/* Every thread is blocked in a close: another takes the queue. */
	if (s->idle < s->count && s->threads < CLOSER_MAX_THREADS)
		start_thread(s, 0);
	pthread_mutex_unlock(&s->lock);
	/* After the unlock: the thread woken does not wait for the lock we hold. */
	pthread_cond_signal(&s->work);
	return 1;
}

void closer_set_events(struct closer *c, int on)
{
	struct closer_state *s = c->state;

	pthread_mutex_lock(&s->lock);
	s->events = on;
	signal_done(s);
	pthread_mutex_unlock(&s->lock);
}

int closer_event_fd(const struct closer *c)
{
	return c->state->done_fd;
}

size_t closer_collect(struct closer *c, uint32_t *owners, size_t max)
{
	struct closer_state *s = c->state;
	uint64_t n;
	size_t got = 0;

	pthread_mutex_lock(&s->lock);
	if (s->signalled) {
		if (read(s->done_fd, &n, sizeof(n)) < 0) {
		}
		s->signalled = 0;
	}
	while (got < max && s->done_count) {
		owners[got++] = s->done[s->done_head];
		s->done_head = (s->done_head + 1) % s->capacity;
		s->done_count--;
	}
	/* More than @max: the event stays readable for the rest. */
	signal_done(s);
	pthread_mutex_unlock(&s->lock);
	return got;
}

size_t closer_pending(struct closer *c)
{
	struct closer_state *s = c->state;
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->count + s->busy;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void closer_stop(struct closer *c)
{
	struct closer_state *s = c->state;

	if (!s)
		return;
	c->state = NULL;
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	pthread_cond_broadcast(&s->work);
	put_state(s);
}
