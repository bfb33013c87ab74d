/* crawl.c — see crawl.h: options, frontier, per-fetch lines, timeline, summary. */
#include "crawl.h"
#include "clock.h"
#include "errors.h"
#include "links.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *usage_line(const struct crawl_options *o)
{
    return o->concurrency > 0 ? "[-c CONCURRENCY] [-n MAX_PAGES] [-t TIMEOUT_SECONDS] "
                                "[--timeline] [-q] [-v] [URL]"
                              : "[-n MAX_PAGES] [-t TIMEOUT_SECONDS] [--timeline] [-q] [-v] [URL]";
}

static void print_help(const struct crawl_options *o, const char *about,
                       const struct crawl_flag *extra)
{
    printf("%s\n\nusage: %s %s", about, prog_name(), usage_line(o));
    for (const struct crawl_flag *f = extra; f != NULL && f->name != NULL; f++)
        printf(" [%s]", f->name);
    printf("\n\noptions:\n");
    if (o->concurrency > 0)
        printf("  -c N        fetches in flight at most (default %d)\n", o->concurrency);
    printf("  -n N        fetch at most N pages (default %d)\n", o->max_pages);
    printf("  -t SECONDS  give up on a fetch that waits longer than this (default %g)\n",
           o->timeout_s);
    printf("  --timeline  after the crawl, draw one bar per fetch on a common time axis\n");
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

const char *crawl_url_text(const struct crawl *c, int id)
{
    return c->records[id].url;
}

/* ---- the report ---------------------------------------------------------------------- */

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
    printf("%8.3fs  %3d  %-40s %7zu B  %3d links, %2d new%s%s%s\n", rec->ended, r->status, rec->url,
           r->body_len, lc.found, lc.queued, note ? "  (" : "", note ? note : "", note ? ")" : "");
}

void crawl_failed(struct crawl *c, int id, const char *why)
{
    struct crawl_record *rec = &c->records[id];
    rec->ended = clock_elapsed();
    rec->status = 0;
    c->in_flight--;
    c->errors++;
    if (c->first_error[0] == '\0') {
        /* For the exit-1 message: a failed connect or lookup names its host and port
         * already; anything that goes wrong later names the URL it happened on. */
        if (strncmp(why, "connect ", 8) == 0 || strncmp(why, "resolve ", 8) == 0)
            snprintf(c->first_error, sizeof c->first_error, "%s", why);
        else
            snprintf(c->first_error, sizeof c->first_error, "GET %s: %s", rec->url, why);
    }
    if (!c->opt.quiet)
        printf("%8.3fs  ERR  %-40s %s\n", rec->ended, rec->url, why);
}

/* One row per fetch: '=' while it was in flight ('x' for a failure), on a shared axis, so
 * that a sequential crawl draws a staircase and a concurrent one overlapping bars. */
static void print_timeline(const struct crawl *c)
{
    enum { WIDTH = 60, LABEL = 22, MAX_ROWS = 200 };
    double end = 0;
    for (size_t i = 0; i < c->records_len; i++)
        if (c->records[i].ended > end)
            end = c->records[i].ended;
    if (c->records_len == 0 || end <= 0)
        return;
    double per_column = end / WIDTH;
    printf("\ntimeline: one row per fetch, 0 to %.3f s, one column = %.0f ms "
           "('=' in flight, 'x' failed)\n",
           end, per_column * 1000);
    size_t rows = c->records_len < MAX_ROWS ? c->records_len : MAX_ROWS;
    for (size_t i = 0; i < rows; i++) {
        const struct crawl_record *rec = &c->records[i];
        const char *path = strchr(rec->url + strlen("http://"), '/');
        char bar[WIDTH + 1];
        int from = (int)(rec->started / per_column);
        int to = (int)(rec->ended / per_column);
        for (int col = 0; col < WIDTH; col++)
            bar[col] = col >= from && (col <= to || col == from) && col < WIDTH
                           ? (rec->status == 0 ? 'x' : '=')
                           : ' ';
        bar[WIDTH] = '\0';
        printf("  %-*.*s |%s|\n", LABEL, LABEL, path ? path : rec->url, bar);
    }
    if (rows < c->records_len)
        printf("  ... %zu more fetches not drawn\n", c->records_len - rows);
    printf("\n");
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
    crawl_print_summary(c->pages, c->errors, c->bytes, c->peak);
    int status = 0;
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
