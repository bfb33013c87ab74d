/* recap.c — see recap.h. */
#include "recap.h"

#include <stdarg.h>
#include <stdio.h>

static char kept[RECAP_MAX][RECAP_COLUMNS];
static int nkept;

void recap_line(bool keep, const char *fmt, ...)
{
    char text[RECAP_COLUMNS];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    puts(text);
    if (keep && nkept < RECAP_MAX)
        snprintf(kept[nkept++], sizeof kept[0], "%s", text);
}

void recap_print(const char *title)
{
    printf("recap: %s\n", title);
    for (int i = 0; i < nkept; i++)
        puts(kept[i]);
}
