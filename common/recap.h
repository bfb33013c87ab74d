/* recap.h — the lines a lecturer points at, said twice: once where they happen, and again at
 * the end of the run, so that they are on the last screen of a hall's 80x30 terminal.
 *
 *     recap_line(true, "  wall %.0f ms", ms);   printed now, and kept
 *     recap_line(false, "  %d pages", n);       printed now only
 *     recap_print("the line to look at in each part");
 *
 * Lines are cut at RECAP_COLUMNS bytes (they fit a terminal anyway); at most RECAP_MAX are
 * kept, the later ones are printed and not kept. One thread keeps lines, or several with a
 * join between them: the store has no lock.
 */
#ifndef ASYNCLAB_RECAP_H
#define ASYNCLAB_RECAP_H

#include <stdbool.h>

enum { RECAP_MAX = 8, RECAP_COLUMNS = 128 };

/* Print one line (a newline is added); keep it for the recap too if keep is true. */
__attribute__((format(printf, 2, 3))) void recap_line(bool keep, const char *fmt, ...);

/* Print "recap: TITLE" and every line kept so far, in the order they came. */
void recap_print(const char *title);

#endif
