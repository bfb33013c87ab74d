/* test_recap.c — unit checks for common/recap.c (the lines said again at the end of a run)
 * and for clock_narrate(), the stamped narration line of 06.
 *
 * One line per check: "ok - <what>" or "not ok - <what>: got X, expected Y", then
 * "test_recap: N checks, M failed". Exit status 1 if any check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "recap.h"

static FILE *captured;
static int saved_stdout = -1;

/* Send stdout to a temporary file until captured_text(). */
static void capture(void)
{
    fflush(stdout);
    captured = tmpfile();
    saved_stdout = dup(STDOUT_FILENO);
    if (captured == NULL || saved_stdout < 0 || dup2(fileno(captured), STDOUT_FILENO) < 0) {
        perror("capture");
        exit(2);
    }
}

/* What was printed since capture(), newlines shown as |; stdout is restored. */
static const char *captured_text(char *out, size_t size)
{
    fflush(stdout);
    dup2(saved_stdout, STDOUT_FILENO);
    close(saved_stdout);
    rewind(captured);
    size_t n = fread(out, 1, size - 1, captured);
    out[n] = '\0';
    fclose(captured);
    for (char *p = out; *p != '\0'; p++)
        if (*p == '\n')
            *p = '|';
    return out;
}

int main(void)
{
    char got[4096];

    capture();
    recap_line(true, "  first %d", 1);
    recap_line(false, "  not kept");
    recap_line(true, "  second");
    check_text("every line is printed at once, kept or not", captured_text(got, sizeof got),
               "  first 1|  not kept|  second|");

    capture();
    recap_print("what to look at");
    check_text("the recap: a title, then the kept lines in order", captured_text(got, sizeof got),
               "recap: what to look at|  first 1|  second|");

    char long_line[300];
    memset(long_line, 'x', sizeof long_line - 1);
    long_line[sizeof long_line - 1] = '\0';
    capture();
    recap_line(true, "%s", long_line);
    captured_text(got, sizeof got);
    check_that(strlen(got) == RECAP_COLUMNS - 1 + 1, "a long line is cut at RECAP_COLUMNS - 1");

    capture();
    for (int i = 0; i < 2 * RECAP_MAX; i++)
        recap_line(true, "  extra %d", i);
    captured_text(got, sizeof got);
    capture();
    recap_print("full");
    captured_text(got, sizeof got);
    int kept = 0;
    for (const char *p = got; *p != '\0'; p++)
        kept += *p == '|';
    check_that(kept == 1 + RECAP_MAX, "at most RECAP_MAX lines are kept; later ones only print");
    check_that(strstr(got, "|  first 1|  second|x") != NULL,
               "the first lines kept stay; the ones past the limit are dropped");

    capture();
    clock_narrate(clock_now(), "A tick %d of %d", 1, 5);
    check_text("a narration line: ms since the start, right-aligned in 5 columns",
               captured_text(got, sizeof got), "  [    0 ms] A tick 1 of 5|");

    return check_report("test_recap");
}
