/* terminal.c — see terminal.h. */
#include "terminal.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int terminal_columns(void)
{
#ifdef TIOCGWINSZ /* not POSIX, but every terminal this lab meets answers it */
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
#endif
    const char *text = getenv("COLUMNS");
    char *end;
    long columns = text != NULL ? strtol(text, &end, 10) : 0;
    if (text != NULL && end != text && *end == '\0' && columns >= 40 && columns <= 1000)
        return (int)columns;
    return TERMINAL_DEFAULT_COLUMNS;
}

int terminal_wrap_width(void)
{
    return isatty(STDOUT_FILENO) ? terminal_columns() : 0;
}

void terminal_print_wrapped(FILE *out, const char *line, int width, int indent)
{
    int column = 0;
    const char *word = line;
    while (*word != '\0') {
        size_t len = strcspn(word, " ");
        int columns = utf8_columns(word, len);
        if (width > 0 && column > indent && column + 1 + columns > width) {
            fprintf(out, "\n%*s", indent, "");
            column = indent;
        } else if (column > 0) {
            fputc(' ', out);
            column++;
        }
        fwrite(word, 1, len, out);
        column += columns;
        word += len;
        word += strspn(word, " ");
    }
    fputc('\n', out);
}
