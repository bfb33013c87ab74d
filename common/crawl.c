/* crawl.c — see crawl.h: the frontier fed with each page's links, the counts, the end. */
#include "crawl.h"
#include "clock.h"
#include "crawl_report.h"
#include "errors.h"
#include "links.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Queue u unless it is on another site or was seen before. */
static bool queue_url(struct crawl *c, const struct url *u)
{
    char text[URL_TEXT_MAX];
    if (!url_same_origin(u, &c->origin))
        return false;
    url_format(u, text, sizeof text);
    return frontier_add(&c->frontier, text);
}

void crawl_init(struct crawl *c, const struct crawl_options *o)
{
    *c = (struct crawl){.opt = *o};
    frontier_init(&c->frontier);
    signal(SIGPIPE, SIG_IGN);
    const char *why;
    if (url_parse(o->start_url, &c->origin, &why) != 0)
        die_usage(crawl_usage(o), "bad URL '%.200s': %s", o->start_url, why);
    queue_url(c, &c->origin);
}

bool crawl_has_next(const struct crawl *c)
{
    return c->frontier.len > 0 && c->started < c->opt.max_pages;
}

bool crawl_next(struct crawl *c, struct url *out)
{
    while (crawl_has_next(c)) {
        const char *why;
        if (url_parse(frontier_take(&c->frontier), out, &why) == 0)
            return true;
    }
    return false;
}

void crawl_put_back(struct crawl *c, const struct url *u)
{
    char text[URL_TEXT_MAX];
    url_format(u, text, sizeof text);
    frontier_put_back(&c->frontier, text);
}

int crawl_begin(struct crawl *c, const struct url *u)
{
    char text[URL_TEXT_MAX];
    url_format(u, text, sizeof text);
    if (c->records_len == c->records_cap) {
        c->records_cap = c->records_cap ? c->records_cap * 2 : 64;
        c->records = xrealloc(c->records, c->records_cap * sizeof *c->records);
    }
    size_t n = strlen(text) + 1;
    c->records[c->records_len] =
        (struct chart_fetch){.url = memcpy(xrealloc(NULL, n), text, n), .started = clock_elapsed()};
    c->started++;
    if (++c->in_flight > c->peak)
        c->peak = c->in_flight;
    return (int)c->records_len++;
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
    if (url_resolve(lc->page, href, &target, &why) == 0 && queue_url(lc->crawl, &target))
        lc->queued++;
}

void crawl_done(struct crawl *c, int id, const struct http_response *r, const char *note)
{
    struct chart_fetch *rec = &c->records[id];
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
    if (!c->opt.quiet)
        crawl_report_done(rec, r->body_len, lc.found, lc.queued, note);
}

void crawl_failed(struct crawl *c, int id, const char *why, bool names_host)
{
    struct chart_fetch *rec = &c->records[id];
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
    if (!c->opt.quiet)
        crawl_report_failed(rec, why);
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
        crawl_report_timeline(c->records, c->records_len);
    int svg_failed = 0;
    if (c->opt.svg_path != NULL) {
        struct crawl_report_counts counts = {.start_url = c->opt.start_url,
                                             .pages = c->pages,
                                             .errors = c->errors,
                                             .peak = c->peak,
                                             .quiet = c->opt.quiet};
        svg_failed = crawl_report_svg(c->opt.svg_path, c->records, c->records_len, &counts);
    }
    crawl_print_summary(c->pages, c->errors, c->bytes, c->peak);
    int status = svg_failed;
    if (c->pages == 0) {
        warn_msg("%s", c->first_error[0] ? c->first_error : "nothing fetched");
        status = 1;
    }
    for (size_t i = 0; i < c->records_len; i++)
        free(c->records[i].url);
    free(c->records);
    frontier_free(&c->frontier);
    return status;
}
