/* progress.c — see progress.h. */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* "\r" goes back to the start of the row, ESC [ K erases the row from there on. */
#define ERASE_ROW "\r\033[K"

void progress_show(const char *fmt, ...)
{
    if (!isatty(STDOUT_FILENO))
        return;
    char text[80];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    printf(ERASE_ROW "%s", text);
    fflush(stdout); /* stdout is line-buffered: a line without '\n' would wait */
}

void progress_clear(void)
{
    if (!isatty(STDOUT_FILENO))
        return;
    printf(ERASE_ROW);
    fflush(stdout);
}
