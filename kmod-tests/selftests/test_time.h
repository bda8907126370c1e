/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every wait in the tests derives from one knob, so a busy machine slows the
 * tests down instead of failing them. KTLSD_TEST_TIMEOUT_SCALE (a positive
 * number, default 4: holds on a 2-core machine under TCG with two CPU-bound
 * processes beside it) multiplies every limit. Limits are upper bounds on
 * event waits, never sleeps: a fast machine does not wait for them.
 */
#ifndef KTLSD_TEST_TIME_H
#define KTLSD_TEST_TIME_H

#include <stdlib.h>

#define TEST_TIMEOUT_SCALE_DEFAULT 4.0

/* The scale factor from the environment, or the default. */
static inline double test_timeout_scale(void)
{
	const char *s = getenv("KTLSD_TEST_TIMEOUT_SCALE");
	char *end;
	double v;

	if (!s || !*s)
		return TEST_TIMEOUT_SCALE_DEFAULT;
	v = strtod(s, &end);
	return (*end || !(v > 0) || v > 1000) ? TEST_TIMEOUT_SCALE_DEFAULT : v;
}

/* @ms, a limit on an idle machine, scaled: what a test waits at most. */
static inline int test_ms(int ms)
{
	double v = ms * test_timeout_scale();

	return v > 2000000000.0 ? 2000000000 : (int)v;
}

/* The same in seconds (at least 1: 0 would mean "no limit" to alarm()). */
static inline int test_s(int s)
{
	int v = test_ms(s > 2000000 ? 2000000000 : s * 1000) / 1000;

	return v > 0 ? v : 1;
}

#endif

/*
 * In a kselftest suite (this header included after kselftest_harness.h),
 * the harness's own limits scale too: it kills a test after its timeout
 * (TEST_TIMEOUT_DEFAULT, 30 s, or TEST_F_TIMEOUT's), counted by alarm() in
 * the harness's process. Tests register in constructors, so main() is the
 * first moment every test is known: this TEST_HARNESS_MAIN multiplies each
 * registered test's timeout, then runs the harness as 6.1's does. Outside
 * the include guard: it takes effect wherever the harness came first.
 */
#if defined(TEST_HARNESS_MAIN) && !defined(KTLSD_TEST_TIME_HARNESS)
#define KTLSD_TEST_TIME_HARNESS

#if !defined(_CONSTRUCTOR_ORDER_BACKWARD)
#error "kselftest_harness.h is not 6.1's: check TEST_HARNESS_MAIN below against it"
#endif

static inline void test_scale_harness_timeouts(void)
{
	for (struct __fixture_metadata *f = __fixture_list; f; f = f->next)
		for (struct __test_metadata *t = f->tests; t; t = t->next)
			t->timeout = test_s(t->timeout);
}

/* 6.1's TEST_HARNESS_MAIN, with the scaling before the run. */
#undef TEST_HARNESS_MAIN
#define TEST_HARNESS_MAIN							\
	static void __attribute__((constructor))				\
	__constructor_order_last(void)						\
	{									\
		if (!__constructor_order)					\
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;	\
	}									\
	int main(int argc, char **argv)						\
	{									\
		test_scale_harness_timeouts();					\
		return test_harness_run(argc, argv);				\
	}

#endif
