/* crawl.h — the crawl every crawler makes, so that each example holds only its engine.
 *
 * A crawl starts at one URL, fetches it, finds the links in the page, and fetches each
 * page of the same site once. What differs between examples 03, 04, 05, 07 and 08 is only
 * HOW they wait for the network; this is the part that stays the same, in three modules:
 *
 *   crawl_options.h  -c -n -t --timeline --svg -q -v [URL]   (crawl_parse_options)
 *   frontier.h       the URLs still to fetch, and every URL ever queued (no page twice)
 *   crawl_report.h   one line per fetch, the --timeline chart and the --svg picture
 *
 * and this file, which ties them together and keeps the counts (pages, errors, bytes,
 * peak number of fetches in flight) for the summary line. An engine's loop, whatever its
 * concurrency model:
 *
 *     struct crawl crawl;
 *     crawl_init(&crawl, &options);
 *     while (crawl_next(&crawl, &url)) {          // or: start up to -c of them at once
 *         int id = crawl_begin(&crawl, &url);
 *         ... connect, send the request, feed the bytes to an http_response ...
 *         crawl_done(&crawl, id, &response, NULL);  // or crawl_failed(&crawl, id, ...)
 *     }
 *     return crawl_finish(&crawl);
 *
 * Not thread-safe: a multi-threaded engine calls these under its own mutex.
 */
#ifndef ASYNCLAB_CRAWL_H
#define ASYNCLAB_CRAWL_H

#include <stdbool.h>
#include <stddef.h>

#include "chart.h"
#include "crawl_options.h"
#include "frontier.h"
#include "http.h"
#include "url.h"

struct crawl {
    struct crawl_options opt;
    struct url origin;        /* host and port the crawl stays on */
    struct frontier frontier; /* URLs queued but not yet started, and every URL seen */
    /* What happened. */
    int started, pages, errors, in_flight, peak;
    long long bytes;
    struct chart_fetch *records; /* one per fetch begun, for the timeline */
    size_t records_len, records_cap;
    char first_error[512]; /* the first failure, for the exit-1 message */
};

/* Parse the start URL and queue it; ignores SIGPIPE (a server that closes early must
 * give EPIPE, not kill the crawler). A malformed or https start URL: one line, exit 2. */
void crawl_init(struct crawl *c, const struct crawl_options *o);

/* Take the next URL to fetch. false when the queue is empty or -n fetches have started
 * (a concurrent engine asks again after a fetch finishes: it may have added links). */
bool crawl_next(struct crawl *c, struct url *out);

/* Undo crawl_next() for u: it goes back to the front of the queue, to be taken again
 * (a fetch that could not get a descriptor while others were in flight: fetch_begin). */
void crawl_put_back(struct crawl *c, const struct url *u);

/* True while crawl_next() has something to give. */
bool crawl_has_next(const struct crawl *c);

/* A fetch of u starts now: counts it in flight (and the peak). Returns its id. */
int crawl_begin(struct crawl *c, const struct url *u);

/* Fetch id got a complete response: print its line (with an optional note, e.g. where
 * the time went), count it, and queue the new same-site links in its body (or its
 * redirect's Location). A status of 400 or more counts as an error. Frees nothing. */
void crawl_done(struct crawl *c, int id, const struct http_response *r, const char *note);

/* Fetch id failed (connect refused, timed out, malformed response, ...): print its line
 * with the reason why and count it. names_host: why already names the host and port (a
 * failed connect or lookup), so the exit-1 message need not name the URL. */
void crawl_failed(struct crawl *c, int id, const char *why, bool names_host);

/* Print the timeline (with --timeline), write the --svg picture, print the summary line,
 * free everything.
 * Returns the exit status: 0 if any page was fetched, 1 if none (the message of the
 * first failure then goes to stderr) or if the --svg file could not be written. */
int crawl_finish(struct crawl *c);

/* The fetch examples' last line, with wall, cpu, cpu% and rss measured now:
 * "summary: pages=N errors=E bytes=B wall=W.WWWs cpu=C.CCCs cpu%=P.P rss=R.RMiB peak=K".
 * crawl_finish() prints it; an engine that is not a crawl (09) calls it directly. */
void crawl_print_summary(int pages, int errors, long long bytes, int peak);

#endif
