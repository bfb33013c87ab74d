/* crawl_report.c — see crawl_report.h: per-fetch lines, the text timeline, the --svg hook. */
#include "crawl_report.h"
#include "clock.h"
#include "errors.h"
#include "machine.h"
#include "terminal.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The start URL is printed once by the example; a line names a URL by its path. */
enum { LINE_COLUMNS = 80, PATH_COLUMN = 22, PATH_INDENT = 16 };

/* The path of a same-site URL ("/page/3"), at most `columns` characters: a longer one
 * keeps its head and its tail around "…". */
static void short_path(char *out, size_t size, const char *url, int columns)
{
    const char *path = strchr(url + strlen("http://"), '/');
    if (path == NULL)
        path = "/";
    int total = utf8_columns(path, strlen(path));
    if (total <= columns) {
        snprintf(out, size, "%s", path);
        return;
    }
    int head = (columns - 1) / 2, tail = columns - 1 - head;
    size_t head_bytes = utf8_offset(path, head);
    const char *tail_start = path + utf8_offset(path, total - tail);
    snprintf(out, size, "%.*s…%s", (int)head_bytes, path, tail_start);
}

/* "   0.123s  200  /page/3" and, if pad, spaces to the end of the path column. Returns
 * the number of columns printed. */
static int print_line_start(const struct chart_fetch *rec, const char *status, bool pad)
{
    char path[4 * PATH_COLUMN];
    short_path(path, sizeof path, rec->url, PATH_COLUMN);
    int columns = utf8_columns(path, strlen(path));
    printf("%8.3fs  %3s  %s%*s", rec->ended, status, path, pad ? PATH_COLUMN - columns : 0, "");
    return PATH_INDENT + (pad ? PATH_COLUMN : columns);
}

/* The rest of a line: text after `used` columns and `gap` spaces if it fits in 80, else on
 * continuation lines indented under the path, broken at spaces. */
static void print_rest(int used, int gap, const char *text)
{
    int width = utf8_columns(text, strlen(text));
    if (used + gap + width <= LINE_COLUMNS) {
        printf("%*s%s\n", gap, "", text);
        return;
    }
    putchar('\n');
    const int room = LINE_COLUMNS - PATH_INDENT;
    while (*text != '\0') {
        size_t cut = strlen(text);
        if (utf8_columns(text, cut) > room) {
            cut = utf8_offset(text, room);
            size_t space = cut;
            while (space > 0 && text[space] != ' ')
                space--;
            if (space > 0)
                cut = space;
        }
        printf("%*s%.*s\n", PATH_INDENT, "", (int)cut, text);
        text += cut;
        text += strspn(text, " ");
    }
}

void crawl_report_done(const struct chart_fetch *rec, size_t body_len, int links, int queued,
                       const char *note)
{
    char status[16], tail[64], paren[256];
    snprintf(status, sizeof status, "%3d", rec->status);
    snprintf(tail, sizeof tail, " %7zu B  %3d links, %2d new", body_len, links, queued);
    flockfile(stdout); /* one line of several printf()s: 08's other threads wait for its end */
    int used = print_line_start(rec, status, true) + (int)strlen(tail);
    fputs(tail, stdout);
    if (note != NULL) {
        snprintf(paren, sizeof paren, "(%s)", note);
        print_rest(used, 2, paren);
    } else {
        putchar('\n');
    }
    funlockfile(stdout);
}

void crawl_report_failed(const struct chart_fetch *rec, const char *why)
{
    bool fits = PATH_INDENT + PATH_COLUMN + 1 + utf8_columns(why, strlen(why)) <= LINE_COLUMNS;
    flockfile(stdout);
    print_rest(print_line_start(rec, "ERR", fits), 1, why);
    funlockfile(stdout);
}

/* One row per fetch: '=' while it was in flight ('x' for a failure), on a shared axis as
 * wide as the terminal, so that a sequential crawl draws a staircase and a concurrent one
 * overlapping bars. Past CHART_MAX_ROWS fetches, neighbours (in the order they started)
 * share a row, so that the chart fits a projector's height too. */
void crawl_report_timeline(const struct chart_fetch *records, size_t n)
{
    enum { LABEL = 18, MIN_BAR = 20 };
    double end = 0;
    for (size_t i = 0; i < n; i++)
        if (records[i].ended > end)
            end = records[i].ended;
    if (n == 0 || end <= 0)
        return;
    int bar_width = terminal_columns() - (LABEL + 5); /* "  LABEL |bar|" */
    if (bar_width < MIN_BAR)
        bar_width = MIN_BAR;
    size_t per_row = n > CHART_MAX_ROWS ? (n + CHART_MAX_ROWS - 1) / CHART_MAX_ROWS : 1;
    double per_column = end / bar_width;
    printf("\ntimeline: 0 to %.3f s, one column = %.*f ms; '=' in flight, 'x' failed\n", end,
           per_column < 0.01 ? 1 : 0, per_column * 1000);
    if (per_row > 1)
        printf("%zu fetches, %zu to a row, in the order they started\n", n, per_row);
    char bar[1024], label[4 * LABEL];
    for (size_t first = 0; first < n; first += per_row) {
        size_t last = first + per_row < n ? first + per_row : n;
        memset(bar, ' ', (size_t)bar_width);
        bar[bar_width] = '\0';
        for (size_t i = first; i < last; i++) {
            const struct chart_fetch *rec = &records[i];
            int from = (int)(rec->started / per_column), to = (int)(rec->ended / per_column);
            for (int col = from; col <= (to > from ? to : from) && col < bar_width; col++)
                if (bar[col] != 'x')
                    bar[col] = rec->status == 0 ? 'x' : '=';
        }
        if (per_row > 1)
            snprintf(label, sizeof label, "fetches %zu-%zu", first + 1, last);
        else
            short_path(label, sizeof label, records[first].url, LABEL);
        printf("  %s%*s |%s|\n", label, LABEL - utf8_columns(label, strlen(label)), "", bar);
    }
    char end_label[32];
    snprintf(end_label, sizeof end_label, "%.3f s", end);
    printf("%*s0%*s\n\n", LABEL + 4, "", bar_width - 1, end_label);
}

/* --svg FILE: the same timeline as a picture, titled with this run's summary. With
 * $ASYNCLAB_SVG_AXIS=SECONDS (make pictures sets it) the axis ends there and the picture is
 * a compact panel, to be stacked with the other crawlers' on one time axis. */
int crawl_report_svg(const char *path, const struct chart_fetch *records, size_t n,
                     const struct crawl_report_counts *counts)
{
    double wall = clock_elapsed(), cpu = clock_cpu();
    char title[256], caption[512], machine[256];
    snprintf(title, sizeof title, "%s: %d pages, %d error%s, wall %.3f s, cpu %.1f %%, peak %d",
             prog_name(), counts->pages, counts->errors, counts->errors == 1 ? "" : "s", wall,
             wall > 0.01 ? 100.0 * cpu / wall : 0.0, counts->peak);
    machine_describe(machine, sizeof machine);
    snprintf(caption, sizeof caption, "crawl of %.200s; measured on %s", counts->start_url,
             machine);
    const char *axis = getenv("ASYNCLAB_SVG_AXIS");
    struct chart_timeline how = {.title = title, .caption = caption};
    if (axis != NULL && axis[0] != '\0') {
        how.axis_end = strtod(axis, NULL);
        how.compact = true;
    }
    int height = chart_timeline(path, records, n, &how);
    if (height < 0) {
        warn_errno("--svg %s", path);
        return 1;
    }
    if (!counts->quiet)
        printf("svg: %zu fetches drawn in %s (%d x %d px)\n", n, path, CHART_WIDTH, height);
    return 0;
}
