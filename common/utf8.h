/* utf8.h — how many columns a UTF-8 text takes on a terminal.
 *
 * printf's field widths count bytes, and "…" or "µ" take two or three of them but one
 * column. These count characters instead (every character this suite prints is one column
 * wide): a byte that is not a continuation byte (10xxxxxx) starts a character.
 */
#ifndef ASYNCLAB_UTF8_H
#define ASYNCLAB_UTF8_H

#include <stddef.h>

/* The columns of the first `bytes` bytes of s (or up to its end). */
int utf8_columns(const char *s, size_t bytes);

/* The byte offset of character number `column` of s (or of its end). */
size_t utf8_offset(const char *s, int column);

#endif
