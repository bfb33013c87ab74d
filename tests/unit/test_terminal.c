/* test_terminal.c — unit checks for common/terminal.c: how a summary line wraps.
 *
 * One line per check: "ok - <what>" or "not ok - <what>: got X, expected Y", then
 * "test_terminal: N checks, M failed". Exit status 1 if any check failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "terminal.h"

/* What terminal_print_wrapped writes for line at width and indent, newlines shown as |. */
static const char *wrapped(const char *line, int width, int indent, char *out, size_t size)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) {
        perror("open_memstream");
        exit(1);
    }
    terminal_print_wrapped(f, line, width, indent);
    fclose(f);
    snprintf(out, size, "%s", text);
    for (char *p = out; *p != '\0'; p++)
        if (*p == '\n')
            *p = '|';
    free(text);
    return out;
}

static void expect(const char *what, const char *line, int width, int indent, const char *want)
{
    char got[512];
    check(strcmp(wrapped(line, width, indent, got, sizeof got), want) == 0, what, got, want);
}

int main(void)
{
    const char *summary = "summary: pages=31 errors=1 bytes=41236 wall=3.225s cpu=0.006s "
                          "cpu%=0.2 rss=1.8MiB peak=1";
    expect("a pipe (width 0): one line, as it was", summary, 0, 9,
           "summary: pages=31 errors=1 bytes=41236 wall=3.225s cpu=0.006s cpu%=0.2 "
           "rss=1.8MiB peak=1|");
    expect("80 columns: breaks at a space, the rest indented under the first key", summary, 80, 9,
           "summary: pages=31 errors=1 bytes=41236 wall=3.225s cpu=0.006s cpu%=0.2|"
           "         rss=1.8MiB peak=1|");
    expect("40 columns: no key=value split, no row wider than 40", summary, 40, 9,
           "summary: pages=31 errors=1 bytes=41236|         wall=3.225s cpu=0.006s "
           "cpu%=0.2|         rss=1.8MiB peak=1|");
    expect("a pair longer than a row gets a row of its own, whole",
           "summary: a=1 "
           "long=xxxxxxxxxxxxxxxxxxxx b=2",
           20, 9, "summary: a=1|         long=xxxxxxxxxxxxxxxxxxxx|         b=2|");
    expect("a line that fits is left alone", "summary: a=1 b=2", 80, 9, "summary: a=1 b=2|");
    expect("µ counts one column, not two", "summary: t=1µs u=2µs", 20, 9, "summary: t=1µs u=2µs|");
    return check_report("test_terminal");
}
