/* terminal.h — what a program prints to a terminal, and only there.
 *
 * Tests and CI read stdout through a pipe, where a long line stays one line; a person
 * reads it in a terminal of some width, where a line longer than that wraps wherever the
 * terminal cuts it, in the middle of a number. These put the breaks where they belong.
 */
#ifndef ASYNCLAB_TERMINAL_H
#define ASYNCLAB_TERMINAL_H

#include <stdbool.h>
#include <stdio.h>

enum { TERMINAL_DEFAULT_COLUMNS = 80 };

/* The columns of the terminal stdout goes to (TIOCGWINSZ), else $COLUMNS, else 80. */
int terminal_columns(void);

/* Write line (no newline in it) to out, then a newline. With width > 0 the line is broken
 * at spaces so that no row is wider than width, every row after the first indented by
 * indent spaces; a word longer than a row gets a row of its own, whole. width 0: as is. */
void terminal_print_wrapped(FILE *out, const char *line, int width, int indent);

/* The width to wrap stdout at: terminal_columns() when stdout is a terminal, else 0 (a
 * pipe or a file: one line, as the tests read it). */
int terminal_wrap_width(void);

#endif
