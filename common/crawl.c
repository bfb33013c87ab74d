/* crawl.c — see crawl.h: options, frontier, per-fetch lines, timeline, summary. */
#include "crawl.h"
#include "chart.h"
#include "clock.h"
#include "svg.h"
#include "errors.h"
#include "links.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ---- small allocation helpers: out of memory is fatal in a lab program ---------------- */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL && n > 0)
        die("out of memory (%zu bytes)", n);
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

/* ---- options ---------------------------------------------------------------------------- */

void crawl_default_options(struct crawl_options *o)
{
    *o = (struct crawl_options){.concurrency = 10,
                                .max_pages = CRAWL_DEFAULT_MAX_PAGES,
                                .timeout_s = 10.0,
                                .start_url = getenv("LAB_URL")};
}

/* The usage line's second half: --help prints it on a line of its own, to fit 80 columns. */
#define USAGE_REST "[--timeline] [--svg FILE] [-q] [-v] [URL]"

static const char *usage_line(const struct crawl_options *o)
{
    return o->concurrency > 0 ? "[-c CONCURRENCY] [-n MAX_PAGES] [-t TIMEOUT_SECONDS] " USAGE_REST
                              : "[-n MAX_PAGES] [-t TIMEOUT_SECONDS] " USAGE_REST;
}

static void print_help(const struct crawl_options *o, const char *about,
                       const struct crawl_flag *extra)
{
    const char *usage = usage_line(o);
    printf("%s\n\nusage: %s %.*s\n       %s", about, prog_name(),
           (int)(strlen(usage) - strlen(" " USAGE_REST)), usage, USAGE_REST);
    for (const struct crawl_flag *f = extra; f != NULL && f->name != NULL; f++)
        printf(" [%s]", f->name);
    printf("\n\noptions:\n");
    if (o->concurrency > 0)
        printf("  -c N        fetches in flight at most (default %d)\n", o->concurrency);
    printf("  -n N        fetch at most N pages (default %d)\n", o->max_pages);
    printf("  -t SECONDS  deadline for each fetch, from connect to last byte (default %g)\n",
           o->timeout_s);
    printf("  --timeline  after the crawl, draw one bar per fetch on a common time axis\n");
    printf("  --svg FILE  after the crawl, draw that timeline as an SVG picture in FILE\n");
    printf("  -q          no line per fetch, only the summary\n");
    printf("  -v          narrate every step of every fetch\n");
    for (const struct crawl_flag *f = extra; f != NULL && f->name != NULL; f++)
        printf("  %-11s %s\n", f->name, f->help);
    printf("  URL         where to start (default: $LAB_URL, set by make run-NN)\n");
}

void crawl_parse_options(int argc, char **argv, struct crawl_options *o, const char *about,
                         const struct crawl_flag *extra)
{
    const char *url = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        bool matched = false;
        for (const struct crawl_flag *f = extra; f != NULL && f->name != NULL; f++)
            if (strcmp(a, f->name) == 0)
                *f->value = matched = true;
        if (matched)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(o, about, extra);
            exit(0);
        } else if (strcmp(a, "-c") == 0 && o->concurrency > 0) {
            o->concurrency =
                (int)parse_whole_or_die(usage_line(o), "-c", value, 1, CRAWL_MAX_CONCURRENCY);
            i++;
        } else if (strcmp(a, "-c") == 0) {
            die_usage(usage_line(o), "-c does not apply: this crawler fetches one page at a time");
        } else if (strcmp(a, "-n") == 0) {
            o->max_pages = (int)parse_whole_or_die(usage_line(o), "-n", value, 1, INT_MAX / 2);
            i++;
        } else if (strcmp(a, "-t") == 0) {
            o->timeout_s = parse_seconds_or_die(usage_line(o), "-t", value);
            i++;
        } else if (strcmp(a, "--timeline") == 0) {
            o->timeline = true;
        } else if (strcmp(a, "--svg") == 0) {
            if (value == NULL || value[0] == '\0')
                die_usage(usage_line(o), "--svg needs a file name");
            o->svg_path = value;
            i++;
        } else if (strcmp(a, "-q") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "-v") == 0) {
            o->verbose = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            die_usage(usage_line(o), "unknown option '%s' (see --help)", a);
        } else if (url != NULL) {
            die_usage(usage_line(o), "one URL only: '%s' and '%s'", url, a);
        } else {
            url = a;
        }
    }
    if (url != NULL)
        o->start_url = url;
    if (o->start_url == NULL || o->start_url[0] == '\0')
        die_usage(usage_line(o), "no URL: give one, set LAB_URL, or use make run-NN, which "
                                 "starts the lab server");
}

/* ---- the seen set: every URL ever queued, so none is fetched twice ----------------------- */

struct crawl_seen {
    char **slots; /* open addressing, linear probing; NULL = empty */
    size_t cap, len;
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static char **seen_slot(struct crawl_seen *set, const char *text)
{
    size_t i = (size_t)hash_text(text) & (set->cap - 1);
    while (set->slots[i] != NULL && strcmp(set->slots[i], text) != 0)
        i = (i + 1) & (set->cap - 1);
    return &set->slots[i];
}

static void seen_grow(struct crawl_seen *set)
{
    struct crawl_seen bigger = {.cap = set->cap ? set->cap * 2 : 64};
    bigger.slots = xrealloc(NULL, bigger.cap * sizeof *bigger.slots);
    memset(bigger.slots, 0, bigger.cap * sizeof *bigger.slots);
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i] != NULL)
            *seen_slot(&bigger, set->slots[i]) = set->slots[i];
    free(set->slots);
    set->slots = bigger.slots;
    set->cap = bigger.cap;
}

/* Adds text and returns its stored copy, or NULL if it was there already. */
static char *seen_add(struct crawl_seen *set, const char *text)
{
    if ((set->len + 1) * 2 > set->cap)
        seen_grow(set);
    char **slot = seen_slot(set, text);
    if (*slot != NULL)
        return NULL;
    set->len++;
    return *slot = xstrdup(text);
}

static void seen_free(struct crawl_seen *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    free(set);
}

/* ---- the frontier -------------------------------------------------------------------- */

/* Queue u unless it is on another site or was seen before. */
static bool frontier_add(struct crawl *c, const struct url *u)
{
    if (!url_same_origin(u, &c->origin))
        return false;
    char text[URL_TEXT_MAX];
    url_format(u, text, sizeof text);
    char *stored = seen_add(c->seen, text);
    if (stored == NULL)
        return false;
    if (c->queue_head + c->queue_len == c->queue_cap) {
        /* Slide the live part to the front before growing. */
        if (c->queue_len > 0)
            memmove(c->queue, c->queue + c->queue_head, c->queue_len * sizeof *c->queue);
        c->queue_head = 0;
        if (c->queue_len == c->queue_cap) {
            c->queue_cap = c->queue_cap ? c->queue_cap * 2 : 64;
            c->queue = xrealloc(c->queue, c->queue_cap * sizeof *c->queue);
        }
    }
    c->queue[c->queue_head + c->queue_len++] = stored; /* the set owns the text */
    return true;
}

void crawl_init(struct crawl *c, const struct crawl_options *o)
{
    *c = (struct crawl){.opt = *o};
    c->seen = xrealloc(NULL, sizeof *c->seen);
    *c->seen = (struct crawl_seen){0};
    signal(SIGPIPE, SIG_IGN);
    const char *why;
    if (url_parse(o->start_url, &c->origin, &why) != 0)
        die_usage(usage_line(o), "bad URL '%.200s': %s", o->start_url, why);
    frontier_add(c, &c->origin);
}

bool crawl_has_next(const struct crawl *c)
{
    return c->queue_len > 0 && c->started < c->opt.max_pages;
}

bool crawl_next(struct crawl *c, struct url *out)
{
    while (crawl_has_next(c)) {
        const char *text = c->queue[c->queue_head++];
        c->queue_len--;
        const char *why;
        if (url_parse(text, out, &why) == 0)
            return true;
    }
    return false;
}

void crawl_put_back(struct crawl *c, const struct url *u)
{
    char text[URL_TEXT_MAX];
    url_format(u, text, sizeof text);
    char *stored = *seen_slot(c->seen, text); /* the set owns the text: queue it again */
    if (stored == NULL)
        die("crawl_put_back: %s was never queued", text);
    if (c->queue_head == 0) { /* no room in front: make one slot */
        if (c->queue_len == c->queue_cap) {
            c->queue_cap = c->queue_cap ? c->queue_cap * 2 : 64;
            c->queue = xrealloc(c->queue, c->queue_cap * sizeof *c->queue);
        }
        memmove(c->queue + 1, c->queue, c->queue_len * sizeof *c->queue);
        c->queue_head = 1;
    }
    c->queue[--c->queue_head] = stored;
    c->queue_len++;
}

int crawl_begin(struct crawl *c, const struct url *u)
{
    char text[URL_TEXT_MAX];
    url_format(u, text, sizeof text);
    if (c->records_len == c->records_cap) {
        c->records_cap = c->records_cap ? c->records_cap * 2 : 64;
        c->records = xrealloc(c->records, c->records_cap * sizeof *c->records);
    }
    c->records[c->records_len] =
        (struct crawl_record){.url = xstrdup(text), .started = clock_elapsed()};
    c->started++;
    if (++c->in_flight > c->peak)
        c->peak = c->in_flight;
    return (int)c->records_len++;
}

void crawl_connected(struct crawl *c, int id)
{
    c->records[id].connected = clock_elapsed();
}

void crawl_first_byte(struct crawl *c, int id)
{
    if (c->records[id].first_byte == 0)
        c->records[id].first_byte = clock_elapsed();
}

const char *crawl_url_text(const struct crawl *c, int id)
{
    return c->records[id].url;
}

/* ---- the report ---------------------------------------------------------------------- */

/* A per-fetch line, 80 columns at most:
 *    0.123s  200  /page/3                   1608 B   11 links,  5 new  (thread 2)
 *    1.004s  ERR  /fault/never           timed out: no data for 1 s
 * The start URL is printed once by the example; a same-site URL is named by its path,
 * shortened with "…" past PATH_COLUMN characters; a note or a reason that does not fit
 * goes on continuation lines under the path. */
enum { LINE_COLUMNS = 80, PATH_COLUMN = 22, PATH_INDENT = 16 };

/* Characters, not bytes: "…" and "µ" take one column each. */
static int utf8_columns(const char *s, size_t bytes)
{
    int n = 0;
    for (size_t i = 0; i < bytes && s[i] != '\0'; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* The byte offset of character number `column` of s (or its end). */
static size_t utf8_offset(const char *s, int column)
{
    size_t i = 0;
    for (int n = 0; s[i] != '\0'; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && n++ == column)
            break;
    return i;
}

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
static int print_line_start(const struct crawl_record *rec, const char *status, bool pad)
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

struct link_context {
    struct crawl *crawl;
    const struct url *page;
    int found, queued;
};

static void on_link(const char *href, void *ctx)
{
    struct link_context *lc = ctx;
    struct url target;
    const char *why;
    lc->found++;
    if (url_resolve(lc->page, href, &target, &why) == 0 && frontier_add(lc->crawl, &target))
        lc->queued++;
}

void crawl_done(struct crawl *c, int id, const struct http_response *r, const char *note)
{
    struct crawl_record *rec = &c->records[id];
    struct url page;
    const char *why;
    struct link_context lc = {.crawl = c, .page = &page};
    rec->ended = clock_elapsed();
    rec->status = r->status;
    c->in_flight--;
    c->bytes += (long long)r->body_len;
    if (r->status >= 400) {
        c->errors++;
        if (c->first_error[0] == '\0')
            snprintf(c->first_error, sizeof c->first_error, "GET %s: HTTP status %d", rec->url,
                     r->status);
    } else {
        c->pages++;
    }
    if (url_parse(rec->url, &page, &why) == 0) {
        if (r->status >= 300 && r->status < 400 && r->location[0] != '\0')
            on_link(r->location, &lc);
        else if (r->status < 300 && r->body != NULL)
            links_scan(r->body, r->body_len, on_link, &lc);
    }
    if (c->opt.quiet)
        return;
    char status[16], tail[64], paren[256];
    snprintf(status, sizeof status, "%3d", r->status);
    snprintf(tail, sizeof tail, " %7zu B  %3d links, %2d new", r->body_len, lc.found, lc.queued);
    int used = print_line_start(rec, status, true) + (int)strlen(tail);
    fputs(tail, stdout);
    if (note != NULL) {
        snprintf(paren, sizeof paren, "(%s)", note);
        print_rest(used, 2, paren);
    } else {
        putchar('\n');
    }
}

void crawl_failed(struct crawl *c, int id, const char *why, bool names_host)
{
    struct crawl_record *rec = &c->records[id];
    rec->ended = clock_elapsed();
    rec->status = 0;
    c->in_flight--;
    c->errors++;
    if (c->first_error[0] == '\0') {
        /* For the exit-1 message: a failed connect or lookup names its host and port
         * already; anything that goes wrong later names the URL it happened on. */
        if (names_host)
            snprintf(c->first_error, sizeof c->first_error, "%s", why);
        else
            snprintf(c->first_error, sizeof c->first_error, "GET %s: %s", rec->url, why);
    }
    if (c->opt.quiet)
        return;
    bool fits = PATH_INDENT + PATH_COLUMN + 1 + utf8_columns(why, strlen(why)) <= LINE_COLUMNS;
    print_rest(print_line_start(rec, "ERR", fits), 1, why);
}

int crawl_terminal_width(void)
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
    return LINE_COLUMNS;
}

/* One row per fetch: '=' while it was in flight ('x' for a failure), on a shared axis as
 * wide as the terminal, so that a sequential crawl draws a staircase and a concurrent one
 * overlapping bars. Past CHART_MAX_ROWS fetches, neighbours (in the order they started)
 * share a row, so that the chart fits a projector's height too. */
static void print_timeline(const struct crawl *c)
{
    enum { LABEL = 18, MIN_BAR = 20 };
    size_t n = c->records_len;
    double end = 0;
    for (size_t i = 0; i < n; i++)
        if (c->records[i].ended > end)
            end = c->records[i].ended;
    if (n == 0 || end <= 0)
        return;
    int bar_width = crawl_terminal_width() - (LABEL + 5); /* "  LABEL |bar|" */
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
            const struct crawl_record *rec = &c->records[i];
            int from = (int)(rec->started / per_column), to = (int)(rec->ended / per_column);
            for (int col = from; col <= (to > from ? to : from) && col < bar_width; col++)
                if (bar[col] != 'x')
                    bar[col] = rec->status == 0 ? 'x' : '=';
        }
        if (per_row > 1)
            snprintf(label, sizeof label, "fetches %zu-%zu", first + 1, last);
        else
            short_path(label, sizeof label, c->records[first].url, LABEL);
        printf("  %s%*s |%s|\n", label, LABEL - utf8_columns(label, strlen(label)), "", bar);
    }
    char end_label[32];
    snprintf(end_label, sizeof end_label, "%.3f s", end);
    printf("%*s0%*s\n\n", LABEL + 4, "", bar_width - 1, end_label);
}

/* --svg FILE: the same timeline as a picture, titled with this run's summary. With
 * $ASYNCLAB_SVG_AXIS=SECONDS (make pictures sets it) the axis ends there and the picture is
 * a compact panel, to be stacked with the other crawlers' on one time axis. */
static int write_svg(const struct crawl *c)
{
    double wall = clock_elapsed(), cpu = clock_cpu();
    char title[256], caption[512], machine[256];
    snprintf(title, sizeof title, "%s: %d pages, %d error%s, wall %.3f s, cpu %.1f %%, peak %d",
             prog_name(), c->pages, c->errors, c->errors == 1 ? "" : "s", wall,
             wall > 0.01 ? 100.0 * cpu / wall : 0.0, c->peak);
    svg_machine(machine, sizeof machine);
    snprintf(caption, sizeof caption, "crawl of %.200s; measured on %s", c->opt.start_url, machine);
    const char *axis = getenv("ASYNCLAB_SVG_AXIS");
    struct chart_timeline how = {.title = title, .caption = caption};
    if (axis != NULL && axis[0] != '\0') {
        how.axis_end = strtod(axis, NULL);
        how.compact = true;
    }
    int height = chart_timeline(c->opt.svg_path, c->records, c->records_len, &how);
    if (height < 0) {
        warn_errno("--svg %s", c->opt.svg_path);
        return 1;
    }
    if (!c->opt.quiet)
        printf("svg: %zu fetches drawn in %s (%d x %d px)\n", c->records_len, c->opt.svg_path,
               CHART_WIDTH, height);
    return 0;
}

void crawl_print_summary(int pages, int errors, long long bytes, int peak)
{
    double wall = clock_elapsed(), cpu = clock_cpu();
    summary_print("pages=%d errors=%d bytes=%lld wall=%.3fs cpu=%.3fs cpu%%=%.1f rss=%.1fMiB "
                  "peak=%d",
                  pages, errors, bytes, wall, cpu, clock_cpu_percent(cpu, wall),
                  clock_peak_rss_mib(), peak);
}

int crawl_finish(struct crawl *c)
{
    if (c->opt.timeline)
        print_timeline(c);
    int svg_failed = c->opt.svg_path != NULL ? write_svg(c) : 0;
    crawl_print_summary(c->pages, c->errors, c->bytes, c->peak);
    int status = svg_failed;
    if (c->pages == 0) {
        warn_msg("%s", c->first_error[0] ? c->first_error : "nothing fetched");
        status = 1;
    }
    for (size_t i = 0; i < c->records_len; i++)
        free(c->records[i].url);
    free(c->records);
    free(c->queue);
    seen_free(c->seen);
    return status;
}
