#ifndef TEST_H_
#define TEST_H_

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A minimal unit-test harness: each check prints a line on failure and
 * counts it; test_exit() returns 1 if anything failed, for automake's
 * harness.
 */

extern int test_failures;
extern int test_checks;

#define CHECK(cond) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		test_failures++;					\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
	}								\
} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

#define TEST_DEFINE_GLOBALS int test_failures; int test_checks

/* Print a summary and return the process exit code. */
static inline int
test_exit(const char *name)
{

	printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
	return (test_failures ? 1 : 0);
}

#endif /* !TEST_H_ */
