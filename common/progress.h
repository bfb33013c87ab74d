/* progress.h — what a long measurement is doing, shown while it runs.
 *
 * A program that works for seconds before its first line of output looks hung on a
 * lecturer's screen. On a terminal, progress_show() writes one line that says what is
 * being measured and is rewritten in place (a carriage return, no newline);
 * progress_clear() erases it before the real output. Into a pipe or a file both do
 * nothing, so the output the tests and make compare read is unchanged.
 *
 *     progress_show("measuring: round %ld of %ld, thread switch", r, rounds);
 *     ...
 *     progress_clear();
 *     printf("round %ld/%ld: ...\n", ...);
 */
#ifndef ASYNCLAB_PROGRESS_H
#define ASYNCLAB_PROGRESS_H

/* On a terminal, replace the progress line with this text (cut to 79 columns; write it
 * in ASCII); elsewhere nothing. */
void progress_show(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* On a terminal, erase the progress line and leave the cursor at its start. */
void progress_clear(void);

#endif
