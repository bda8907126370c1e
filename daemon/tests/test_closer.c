// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The closer (closer.h): descriptors closed by its threads, each
 * completion reported with its owner; the event descriptor made readable
 * for completions only while the owner asks for it (closer_set_events()),
 * at once when it asks with completions waiting; completions found by
 * closer_collect() either way, the rest left readable past its @max.
 *
 * Each close is seen from outside, on the other end of a pipe (POLLHUP once
 * the closer closed the write end), its completion once closer_pending()
 * no longer counts it; every wait is bounded by the test time scale.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <unistd.h>

#include "closer.h"
#include "live.h"
#include "tap.h"

/* A pipe whose write end goes to the closer; its read end, to watch. */
static int queue_pipe(struct closer *c, uint32_t owner, int *read_end)
{
	int p[2];

	if (pipe(p) < 0)
		return -1;
	*read_end = p[0];
	return closer_close(c, p[1], owner);
}

/* 1 once every close queued has completed: closed, and its owner kept for closer_collect(). */
static int all_done(struct closer *c)
{
	return WAIT_FOR(closer_pending(c) == 0, test_ms(5000));
}

/* 1 once @fd reports @events, within @ms. */
static int wait_events(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & events);
}

static int readable_now(const struct closer *c)
{
	return wait_events(closer_event_fd(c), POLLIN, 0);
}

static void test_quiet(struct closer *c)
{
	uint32_t owners[4] = { 0 };
	int r;

	closer_set_events(c, 0);
	ok(queue_pipe(c, 7, &r) == 1, "a descriptor is queued");
	ok(wait_events(r, POLLHUP, test_ms(5000)) && all_done(c), "the closer closes it");
	ok(!readable_now(c), "with events off, the completion does not make the descriptor readable");
	ok(closer_collect(c, owners, 4) == 1 && owners[0] == 7,
	   "closer_collect() finds it anyway, with its owner");
	ok(closer_collect(c, owners, 4) == 0, "once");
	close(r);
}

static void test_turned_on(struct closer *c)
{
	uint32_t owners[4] = { 0 };
	int r;

	closer_set_events(c, 0);
	queue_pipe(c, 8, &r);
	all_done(c);
	ok(!readable_now(c), "a completion waits, unsignalled");
	closer_set_events(c, 1);
	ok(readable_now(c), "events turned on with a completion waiting: readable at once");
	ok(closer_collect(c, owners, 4) == 1 && owners[0] == 8 && !readable_now(c),
	   "collected: the owner, and the descriptor no longer readable");
	close(r);
}

static void test_events(struct closer *c)
{
	uint32_t owners[4] = { 0 };
	int r[3];

	closer_set_events(c, 1);
	for (int i = 0; i < 3; i++)
		queue_pipe(c, 10 + (uint32_t)i, &r[i]);
	all_done(c);
	ok(wait_events(closer_event_fd(c), POLLIN, test_ms(5000)),
	   "with events on, completions make the descriptor readable");
	ok(closer_collect(c, owners, 1) == 1 && readable_now(c),
	   "collecting fewer than completed leaves it readable");
	ok(closer_collect(c, owners + 1, 3) == 2 && !readable_now(c) &&
	   owners[0] + owners[1] + owners[2] == 33,
	   "then the rest, each owner once, and it is quiet");
	for (int i = 0; i < 3; i++)
		close(r[i]);
}

int main(void)
{
	struct closer c;

	if (!ok(closer_init(&c, 16) == 0, "a closer starts"))
		return done();
	ok(closer_collect(&c, (uint32_t[1]){ 0 }, 1) == 0 && !readable_now(&c),
	   "nothing done, nothing to collect");
	test_quiet(&c);
	test_turned_on(&c);
	test_events(&c);
	closer_stop(&c);
	return done();
}
