/* check.h — the one assertion every unit driver uses.
 *
 * Each check prints "ok - what" or "not ok - what: got X, expected Y"; check_report()
 * prints "test_NAME: N checks, M failed" and gives the exit status (tests/common.bats reads
 * both). Include it in exactly one .c file per driver: the counters are that file's own.
 */
#ifndef ASYNCLAB_CHECK_H
#define ASYNCLAB_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int checks, failures;

static inline void check(bool ok, const char *what, const char *got, const char *expected)
{
    checks++;
    if (ok) {
        printf("ok - %s\n", what);
    } else {
        failures++;
        printf("not ok - %s: got %s, expected %s\n", what, got, expected);
    }
}

/* A check whose values are not worth printing. */
static inline void check_that(bool ok, const char *what)
{
    check(ok, what, "false", "true");
}

static inline void check_text(const char *what, const char *got, const char *expected)
{
    check(strcmp(got, expected) == 0, what, got, expected);
}

/* The closing line; returns main()'s exit status. */
static inline int check_report(const char *driver)
{
    printf("%s: %d checks, %d failed\n", driver, checks, failures);
    return failures > 0 ? 1 : 0;
}

#endif
