/* chart.c — see chart.h: the timeline and the log-scale bars, as SVG. */
#include "chart.h"

#include "clock.h"
#include "errors.h"
#include "machine.h"
#include "svg.h"

#include <stdio.h>
#include <string.h>

/* A "nice" step for axis ticks: 1, 2 or 5 times a power of ten, so that about `ticks`
 * of them cover span. */
static double tick_step(double span, int ticks)
{
    if (!(span > 0) || ticks < 1)
        return 1;
    double raw = span / ticks, power = 1;
    while (power > raw)
        power /= 10;
    while (power * 10 <= raw)
        power *= 10;
    double unit = raw / power; /* 1 <= unit < 10 */
    return power * (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10);
}

/* The base-10 logarithm of x > 0, for log scales, without libm (the lab links libc only). */
static double log10_of(double x)
{
    if (!(x > 0))
        return 0;
    double decades = 0;
    while (x >= 10) {
        x /= 10;
        decades++;
    }
    while (x < 1) {
        x *= 10;
        decades--;
    }
    /* ln x = 2 (z + z^3/3 + z^5/5 + ...) with z = (x-1)/(x+1), |z| < 0.82 for 1 <= x < 10 */
    double z = (x - 1) / (x + 1), term = z, sum = 0;
    for (int k = 1; k < 200; k += 2, term *= z * z)
        sum += term / k;
    return decades + 2 * sum / 2.302585092994046;
}

/* ---- the timeline ---------------------------------------------------------------------- */

enum { LABEL_X = 16, PLOT_X0 = 250, PLOT_X1 = CHART_WIDTH - 40, LABEL_CHARS = 26 };

#define TEXT_GREY "#444444"

struct timeline_layout {
    double axis_end;          /* seconds at PLOT_X1 */
    size_t rows, per_row;     /* per_row fetches share a row past CHART_MAX_ROWS */
    double top, row_h, bar_h; /* y of the first row, a row's and a bar's height */
    double axis_y;            /* y of the axis line */
    int height;
};

static double x_at(const struct timeline_layout *l, double t)
{
    if (t > l->axis_end)
        t = l->axis_end;
    return PLOT_X0 + (t < 0 ? 0 : t) / l->axis_end * (PLOT_X1 - PLOT_X0);
}

static struct timeline_layout layout_timeline(const struct chart_fetch *r, size_t n,
                                              const struct chart_timeline *how)
{
    struct timeline_layout l = {.axis_end = how->axis_end, .per_row = 1};
    for (size_t i = 0; i < n; i++)
        if (how->axis_end <= 0 && r[i].ended > l.axis_end)
            l.axis_end = r[i].ended;
    if (l.axis_end <= 0)
        l.axis_end = 0.001;
    if (n > CHART_MAX_ROWS)
        l.per_row = (n + CHART_MAX_ROWS - 1) / CHART_MAX_ROWS;
    l.rows = (n + l.per_row - 1) / l.per_row;
    if (how->compact) {
        l.top = 36;
        l.row_h = l.rows > 20 ? 4 : 8;
        l.bar_h = l.row_h - 1;
    } else {
        l.top = 90;
        l.row_h = l.rows > 24 ? 18 : 24;
        l.bar_h = l.row_h - 6;
    }
    l.axis_y = l.top + (double)(l.rows ? l.rows : 1) * l.row_h + 8;
    l.height = (int)(l.axis_y + (how->compact ? 32 : 70));
    return l;
}

/* Tick labels: "0", "250 ms", "1.5 s". */
static void format_tick(char *out, size_t size, double t)
{
    if (t == 0)
        snprintf(out, size, "0");
    else if (t < 1)
        snprintf(out, size, "%.0f ms", t * 1000);
    else
        snprintf(out, size, "%g s", t);
}

static void draw_time_axis(struct svg *s, const struct timeline_layout *l)
{
    double y = l->axis_y, step = tick_step(l->axis_end, 8);
    svg_line(s, PLOT_X0, y, PLOT_X1, y, SVG_BLACK, 1);
    for (int i = 0; i * step <= l->axis_end * 1.0001; i++) {
        double t = i * step, x = x_at(l, t);
        char label[32];
        format_tick(label, sizeof label, t);
        svg_line(s, x, l->top - 4, x, y, SVG_LIGHT_GREY, 1);
        svg_line(s, x, y, x, y + 6, SVG_BLACK, 1);
        svg_text(s, x, y + 22, 14, SVG_MIDDLE, SVG_BLACK, "%s", label);
    }
}

static void legend_item(struct svg *s, double *x, double y, const char *colour, const char *what)
{
    svg_rect(s, *x, y - 13, 16, 16, colour, NULL);
    svg_text(s, *x + 22, y, 16, SVG_START, SVG_BLACK, "%s", what);
    *x += 22 + 8.4 * (double)strlen(what) + 26;
}

/* The legend names what the picture shows: the phases if any fetch has them, grey if any
 * fetch has not. */
static void draw_legend(struct svg *s, bool phased, bool unrecorded)
{
    double x = LABEL_X, y = 66;
    if (phased) {
        legend_item(s, &x, y, SVG_ORANGE, "connect");
        legend_item(s, &x, y, SVG_SKY_BLUE, "waiting for the first byte");
        legend_item(s, &x, y, SVG_GREEN, "reading");
    }
    legend_item(s, &x, y, SVG_VERMILLION, "failed");
    if (unrecorded)
        legend_item(s, &x, y, SVG_GREY, "in flight (phases not recorded)");
}

/* One fetch's bar: its phases where they were recorded (fetch_report files the times of
 * the connect and the first byte), the rest of its time grey, or vermillion if it failed. */
static void draw_fetch(struct svg *s, const struct timeline_layout *l, const struct chart_fetch *r,
                       double y)
{
    double x0 = x_at(l, r->started), x_end = x_at(l, r->ended);
    if (x_end - x0 < 2)
        x_end = x0 + 2; /* a fetch of 50 µs stays visible */
    svg_group(s, r->status == 0 ? "fetch failed" : "fetch");
    svg_tooltip(s, r->url);
    double from = x0;
    if (r->connected > 0) {
        double to = x_at(l, r->connected);
        svg_rect(s, from, y, to - from, l->bar_h, SVG_ORANGE, "connect");
        from = to;
    }
    if (r->connected > 0 && r->first_byte > 0) {
        double to = x_at(l, r->first_byte);
        svg_rect(s, from, y, to - from, l->bar_h, SVG_SKY_BLUE, "wait");
        from = to;
    }
    if (r->first_byte > 0 && r->status != 0) {
        svg_rect(s, from, y, x_end - from, l->bar_h, SVG_GREEN, "read");
        from = x_end;
    }
    if (from < x_end)
        svg_rect(s, from, y, x_end - from, l->bar_h, r->status == 0 ? SVG_VERMILLION : SVG_GREY,
                 r->status == 0 ? "failed" : "flight");
    svg_group_end(s);
}

/* The label of a row: the fetch's path (shortened), or the range of fetches it holds. */
static void row_label(char *out, size_t size, const struct chart_fetch *r, size_t first,
                      size_t count)
{
    if (count > 1) {
        snprintf(out, size, "fetches %zu-%zu", first + 1, first + count);
        return;
    }
    const char *path = strchr(r->url + strlen("http://"), '/');
    if (path == NULL)
        path = "/";
    if (strlen(path) <= LABEL_CHARS)
        snprintf(out, size, "%s", path);
    else
        snprintf(out, size, "%.*s…", LABEL_CHARS - 1, path);
    if (r->status >= 400 || r->status == 0) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, r->status ? " (%d)" : " (failed)", r->status);
    }
}

int chart_timeline(const char *path, const struct chart_fetch *records, size_t n,
                   const struct chart_timeline *how)
{
    struct timeline_layout l = layout_timeline(records, n, how);
    struct svg s;
    if (svg_open(&s, path, CHART_WIDTH, l.height, how->title) != 0)
        return -1;
    bool phased = false, unrecorded = false;
    for (size_t i = 0; i < n; i++) {
        phased |= records[i].connected > 0;
        unrecorded |= records[i].status != 0 && records[i].first_byte <= 0;
    }
    svg_text(&s, LABEL_X, how->compact ? 24 : 36, how->compact ? 18 : 22, SVG_START, SVG_BLACK,
             "%s", how->title);
    if (!how->compact)
        draw_legend(&s, phased, unrecorded);
    draw_time_axis(&s, &l);
    for (size_t row = 0; row < l.rows; row++) {
        size_t first = row * l.per_row;
        size_t count = n - first < l.per_row ? n - first : l.per_row;
        double y = l.top + (double)row * l.row_h;
        for (size_t i = first; i < first + count; i++)
            draw_fetch(&s, &l, &records[i], y + (l.row_h - l.bar_h) / 2);
        if (how->compact)
            continue;
        char label[96];
        row_label(label, sizeof label, &records[first], first, count);
        bool failed = count == 1 && (records[first].status == 0 || records[first].status >= 400);
        svg_text(&s, LABEL_X, y + l.row_h / 2 + 5, 14, SVG_START,
                 failed ? SVG_VERMILLION : SVG_BLACK, "%s", label);
    }
    if (how->compact)
        svg_text(&s, LABEL_X, l.top + 14, 14, SVG_START, TEXT_GREY, "%zu fetch%s%s", n,
                 n == 1 ? "" : "es", l.per_row > 1 ? "," : "");
    if (how->compact && l.per_row > 1)
        svg_text(&s, LABEL_X, l.top + 32, 14, SVG_START, TEXT_GREY, "%zu a row", l.per_row);
    if (!how->compact && l.per_row > 1)
        svg_text(&s, PLOT_X1, 66, 14, SVG_END, TEXT_GREY, "%zu fetches a row", l.per_row);
    if (!how->compact && how->caption != NULL)
        svg_text(&s, LABEL_X, l.axis_y + 52, 14, SVG_START, TEXT_GREY, "%s", how->caption);
    return svg_close(&s) == 0 ? l.height : -1;
}

/* ---- connections: opened, completed, open at once ------------------------------------- */

enum { CONN_X0 = 120, CONN_X1 = CHART_WIDTH - 40, PANEL_H = 200 };

void chart_bins_init(struct chart_bins *b, double last)
{
    *b = (struct chart_bins){0};
    double step = tick_step(last > 0 ? last : 0.001, 8);
    int steps = (int)(last / step);
    if (steps * step < last || steps == 0)
        steps++;
    b->axis_end = steps * step;
    b->bin_s = b->axis_end / CHART_BINS;
}

static int bin_of(const struct chart_bins *b, double t)
{
    int i = (int)(t / b->bin_s);
    return i < 0 ? 0 : i >= CHART_BINS ? CHART_BINS - 1 : i;
}

void chart_bins_add(struct chart_bins *b, double opened, double completed, bool failed)
{
    b->opened[bin_of(b, opened)]++;
    if (failed)
        b->failed[bin_of(b, completed)]++;
    else
        b->completed[bin_of(b, completed)]++;
}

/* A panel's vertical scale: `top` is the highest tick, a multiple of a nice step. */
struct panel {
    double y0, y1; /* the pixel rows of the top tick and of 0 */
    double top, step;
};

static struct panel panel_at(double y0, int highest)
{
    struct panel p = {.y0 = y0, .y1 = y0 + PANEL_H};
    p.step = tick_step(highest > 0 ? highest : 1, 4);
    if (p.step < 1)
        p.step = 1;
    for (p.top = p.step; p.top < highest; p.top += p.step)
        ;
    return p;
}

static double panel_y(const struct panel *p, double count)
{
    return p->y1 - count / p->top * (p->y1 - p->y0);
}

/* The panel's title above it, its counts up the left, light lines across. */
static void draw_panel(struct svg *s, const struct panel *p, const char *title)
{
    svg_text(s, CONN_X0, p->y0 - 14, 16, SVG_START, SVG_BLACK, "%s", title);
    for (double v = 0; v <= p->top * 1.0001; v += p->step) {
        double y = panel_y(p, v);
        svg_line(s, CONN_X0, y, CONN_X1, y, v == 0 ? SVG_BLACK : SVG_LIGHT_GREY, 1);
        svg_text(s, CONN_X0 - 8, y + 5, 14, SVG_END, SVG_BLACK, "%.0f", v);
    }
}

static double bin_x(const struct chart_bins *b, double t)
{
    return CONN_X0 + t / b->axis_end * (CONN_X1 - CONN_X0);
}

static void draw_bin(struct svg *s, const struct chart_bins *b, int i, int open,
                     const struct panel *above, const struct panel *below)
{
    double x = bin_x(b, i * b->bin_s), w = bin_x(b, (i + 1) * b->bin_s) - x;
    char tip[160];
    snprintf(tip, sizeof tip, "%.3f-%.3f s: %d opened, %d completed, %d failed; %d open at once",
             i * b->bin_s, (i + 1) * b->bin_s, b->opened[i], b->completed[i], b->failed[i], open);
    svg_group(s, "bin");
    svg_tooltip(s, tip);
    if (open > 0)
        svg_rect(s, x, panel_y(above, open), w, above->y1 - panel_y(above, open), SVG_SKY_BLUE,
                 "open");
    if (b->opened[i] > 0)
        svg_rect(s, x, panel_y(below, b->opened[i]), w / 2,
                 below->y1 - panel_y(below, b->opened[i]), SVG_BLUE, "opened");
    double done = b->completed[i], gave_up = b->completed[i] + b->failed[i];
    if (done > 0)
        svg_rect(s, x + w / 2, panel_y(below, done), w / 2, below->y1 - panel_y(below, done),
                 SVG_GREEN, "completed");
    if (b->failed[i] > 0)
        svg_rect(s, x + w / 2, panel_y(below, gave_up), w / 2,
                 panel_y(below, done) - panel_y(below, gave_up), SVG_VERMILLION, "failed");
    svg_group_end(s);
}

/* The picture itself: its height in pixels, or -1 with errno set. */
static int chart_connections(const char *path, const char *title, const char *caption,
                             const struct chart_bins *b)
{
    int open[CHART_BINS], open_now = 0, most_open = 0, most_at = 0, most_per_bin = 0;
    for (int i = 0; i < CHART_BINS; i++) {
        open_now += b->opened[i] - b->completed[i] - b->failed[i];
        open[i] = open_now;
        if (open_now > most_open) {
            most_open = open_now;
            most_at = i;
        }
        int busiest = b->opened[i] > b->completed[i] + b->failed[i]
                          ? b->opened[i]
                          : b->completed[i] + b->failed[i];
        if (busiest > most_per_bin)
            most_per_bin = busiest;
    }
    struct panel above = panel_at(126, most_open), below = panel_at(386, most_per_bin);
    double axis_y = below.y1;
    int height = (int)axis_y + 100;
    struct svg s;
    if (svg_open(&s, path, CHART_WIDTH, height, title) != 0)
        return -1;
    svg_text(&s, LABEL_X, 36, 22, SVG_START, SVG_BLACK, "%s", title);
    double x = LABEL_X;
    legend_item(&s, &x, 66, SVG_SKY_BLUE, "open at once");
    legend_item(&s, &x, 66, SVG_BLUE, "opened");
    legend_item(&s, &x, 66, SVG_GREEN, "completed");
    legend_item(&s, &x, 66, SVG_VERMILLION, "failed");
    char bin_text[32];
    format_tick(bin_text, sizeof bin_text, b->bin_s);
    if (b->bin_s < 0.001)
        snprintf(bin_text, sizeof bin_text, "%.0f µs", b->bin_s * 1e6);
    char heading[96];
    snprintf(heading, sizeof heading, "connections open at once, at the end of each %s", bin_text);
    draw_panel(&s, &above, heading);
    snprintf(heading, sizeof heading, "connections opened | completed or failed, per %s", bin_text);
    draw_panel(&s, &below, heading);
    double step = tick_step(b->axis_end, 8);
    for (int i = 0; i * step <= b->axis_end * 1.0001; i++) {
        double t = i * step, tx = bin_x(b, t);
        char label[32];
        format_tick(label, sizeof label, t);
        svg_line(&s, tx, axis_y, tx, axis_y + 6, SVG_BLACK, 1);
        svg_text(&s, tx, axis_y + 22, 14, SVG_MIDDLE, SVG_BLACK, "%s", label);
    }
    svg_text(&s, CONN_X1, axis_y + 44, 14, SVG_END, TEXT_GREY, "time since the first connect()");
    for (int i = 0; i < CHART_BINS; i++)
        draw_bin(&s, b, i, open[i], &above, &below);
    if (most_open > 0) {
        double px = bin_x(b, (most_at + 0.5) * b->bin_s);
        svg_text(&s, px < CONN_X1 - 100 ? px + 8 : px - 8, panel_y(&above, most_open) + 20, 16,
                 px < CONN_X1 - 100 ? SVG_START : SVG_END, SVG_BLACK, "%d at once", most_open);
    }
    if (caption != NULL)
        svg_text(&s, LABEL_X, axis_y + 76, 14, SVG_START, TEXT_GREY, "%s", caption);
    return svg_close(&s) == 0 ? height : -1;
}

/* ---- bars on a log scale ------------------------------------------------------------------ */

enum { BAR_X0 = 180, BAR_X1 = 860, BAR_ROW = 36, BAR_H = 24 };

/* Bar colours, and the text colour that reads on each. */
static const char *const bar_colours[] = {SVG_BLUE, SVG_ORANGE, SVG_GREEN, SVG_PURPLE,
                                          SVG_SKY_BLUE};
static const char *const on_bar_colours[] = {"#FFFFFF", SVG_BLACK, "#FFFFFF", SVG_BLACK, SVG_BLACK};

static void decade_label(char *out, size_t size, int exponent, enum chart_unit unit)
{
    static const char *const time_units[] = {"ns", "µs", "ms", "s"};
    static const char *const byte_units[] = {"B", "kB", "MB", "GB"};
    const char *const *units = unit == CHART_SECONDS ? time_units : byte_units;
    int base = unit == CHART_SECONDS ? -9 : 0; /* the exponent of units[0] */
    int k = exponent >= base ? (exponent - base) / 3 : -1;
    if (k < 0 || k > 3) {
        snprintf(out, size, "1e%d %s", exponent, unit == CHART_SECONDS ? "s" : "B");
        return;
    }
    int rest = exponent - base - 3 * k;
    snprintf(out, size, "%s %s", rest == 0 ? "1" : rest == 1 ? "10" : "100", units[k]);
}

static double group_height(const struct chart_group *g)
{
    return 30 + (double)g->n * BAR_ROW + 40;
}

/* One group: its title, its bars, its own decades under them. Returns the next y. */
static double draw_group(struct svg *s, const struct chart_group *g, double y)
{
    int low = 99, high = -99;
    for (size_t i = 0; i < g->n; i++) {
        if (g->bars[i].value <= 0)
            continue;
        double e = log10_of(g->bars[i].value);
        int floor_e = (int)(e < 0 ? e - 1 : e), ceil_e = floor_e + 1;
        if (floor_e < low)
            low = floor_e;
        if (ceil_e > high)
            high = ceil_e;
    }
    if (low > high) {
        low = 0;
        high = 1;
    }
    svg_text(s, LABEL_X, y + 20, 18, SVG_START, SVG_BLACK, "%s", g->title);
    double top = y + 30, bottom = top + (double)g->n * BAR_ROW;
    double per_decade = (BAR_X1 - BAR_X0) / (double)(high - low);
    for (int e = low; e <= high; e++) {
        double x = BAR_X0 + (e - low) * per_decade;
        char label[32];
        decade_label(label, sizeof label, e, g->unit);
        svg_line(s, x, top - 2, x, bottom + 4, SVG_LIGHT_GREY, 1);
        svg_text(s, x, bottom + 22, 14, SVG_MIDDLE, SVG_BLACK, "%s", label);
    }
    for (size_t i = 0; i < g->n; i++) {
        const struct chart_bar *b = &g->bars[i];
        double row_y = top + (double)i * BAR_ROW;
        svg_text(s, LABEL_X, row_y + BAR_H / 2 + 6, 16, SVG_START, SVG_BLACK, "%s", b->label);
        if (b->value <= 0) {
            svg_text(s, BAR_X0 + 8, row_y + BAR_H / 2 + 6, 16, SVG_START, TEXT_GREY, "unknown");
            continue;
        }
        double w = (log10_of(b->value) - low) * per_decade, baseline = row_y + BAR_H / 2 + 6;
        if (w < 2)
            w = 2;
        /* The ratio goes on the bar where it fits (about 9 px a character), else after it. */
        bool inside = b->note != NULL && w > 9.0 * (double)strlen(b->note) + 16;
        svg_group(s, "bar");
        svg_rect(s, BAR_X0, row_y, w, BAR_H, bar_colours[i % 5], NULL);
        if (inside)
            svg_text(s, BAR_X0 + w - 8, baseline, 16, SVG_END, on_bar_colours[i % 5], "%s",
                     b->note);
        svg_text(s, BAR_X0 + w + 8, baseline, 16, SVG_START, SVG_BLACK, "%s%s%s", b->text,
                 b->note && !inside ? ", " : "", b->note && !inside ? b->note : "");
        svg_group_end(s);
    }
    return bottom + 40;
}

int chart_log_bars(const char *path, const char *title, const char *caption,
                   const struct chart_group *groups, size_t n)
{
    double height = 60 + 40;
    for (size_t i = 0; i < n; i++)
        height += group_height(&groups[i]);
    struct svg s;
    if (svg_open(&s, path, CHART_WIDTH, (int)height, title) != 0)
        return -1;
    svg_text(&s, LABEL_X, 36, 22, SVG_START, SVG_BLACK, "%s", title);
    double y = 60;
    for (size_t i = 0; i < n; i++)
        y = draw_group(&s, &groups[i], y);
    if (caption != NULL)
        svg_text(&s, LABEL_X, height - 20, 14, SVG_START, TEXT_GREY, "%s", caption);
    return svg_close(&s);
}

int chart_connections_file(const char *path, const struct chart_bins *b, const char *what,
                           int connections, int pages, int errors, int peak, bool quiet)
{
    double wall = clock_elapsed(), cpu = clock_cpu();
    char title[256], caption[512], machine[256];
    snprintf(title, sizeof title, "%s: %d pages, %d error%s, wall %.3f s, cpu %.1f %%, peak %d",
             prog_name(), pages, errors, errors == 1 ? "" : "s", wall, clock_cpu_percent(cpu, wall),
             peak);
    machine_describe(machine, sizeof machine);
    snprintf(caption, sizeof caption, "%.200s; measured on %.200s", what, machine);
    int height = chart_connections(path, title, caption, b);
    if (height < 0) {
        warn_errno("--svg %s", path);
        return 1;
    }
    if (quiet)
        return 0;
    char line[128];
    int room = 80 - snprintf(line, sizeof line, "svg: %d connections, %d x %d px, in ", connections,
                             CHART_WIDTH, height);
    size_t len = strlen(path);
    if (room > 8 && len > (size_t)room) /* keep the end of a long path: the file's name */
        printf("%s...%s\n", line, path + len - (size_t)room + 3);
    else
        printf("%s%s\n", line, path);
    return 0;
}
