/* format.c — see format.h. */
#include "format.h"

#include <stdio.h>

void format_seconds(char *out, size_t size, double seconds)
{
    if (seconds < 1e-6)
        snprintf(out, size, "%.1f ns", seconds * 1e9);
    else if (seconds < 1e-3)
        snprintf(out, size, "%.1f µs", seconds * 1e6);
    else
        snprintf(out, size, "%.2f ms", seconds * 1e3);
}

void format_bytes(char *out, size_t size, double bytes)
{
    if (bytes < 0)
        snprintf(out, size, "unknown");
    else if (bytes < 1024)
        snprintf(out, size, "%.0f B", bytes);
    else if (bytes < 1024 * 1024)
        snprintf(out, size, "%.1f KiB", bytes / 1024);
    else
        snprintf(out, size, "%.1f MiB", bytes / (1024 * 1024));
}

void format_big_bytes(char *out, size_t size, double bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024 && u < 5) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, size, "%.1f %s", bytes, units[u]);
}

const char *format_figure(char *out, size_t size, double value, double unit)
{
    if (value < 0)
        snprintf(out, size, "unknown");
    else
        snprintf(out, size, "%.1f", value / unit);
    return out;
}
