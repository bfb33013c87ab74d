/* format.h — a measured figure in the unit that reads best: "95.3 µs", "8.3 KiB", "7.6 TiB".
 *
 * Note that "µs" is two bytes and one column: printf's field widths count bytes.
 */
#ifndef ASYNCLAB_FORMAT_H
#define ASYNCLAB_FORMAT_H

#include <stddef.h>

/* "29.5 ns", "33.7 µs", "2.41 ms". */
void format_seconds(char *out, size_t size, double seconds);

/* "31 B", "8.3 KiB", "528.0 MiB"; "unknown" for a negative figure. */
void format_bytes(char *out, size_t size, double bytes);

/* "4.1 GiB", "7.6 TiB": sizes beyond format_bytes's MiB, up to PiB. */
void format_big_bytes(char *out, size_t size, double bytes);

/* A summary value: value / unit with one decimal ("8.3"), or "unknown" for a negative
 * value. Returns out. */
const char *format_figure(char *out, size_t size, double value, double unit);

#endif
