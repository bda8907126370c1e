// SPDX-License-Identifier: GPL-2.0
/*
 * test-time SECONDS: SECONDS (a limit on an idle machine) scaled by
 * KTLSD_TEST_TIMEOUT_SCALE, as the tests scale theirs (test_time.h): for the
 * scripts that put limits on whole runs (mk/check.sh, selftests/run, vmrun's
 * tests).
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_time.h"

int main(int argc, char **argv)
{
	char *end;
	long s;

	if (argc != 2 || (s = strtol(argv[1], &end, 10)) <= 0 || *end || s > 2000000) {
		fprintf(stderr, "usage: test-time SECONDS (a positive whole number)\n");
		return 2;
	}
	printf("%d\n", test_s((int)s));
	return 0;
}
