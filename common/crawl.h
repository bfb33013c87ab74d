/* crawl.h — everything the crawlers share, so that each example holds only its engine.
 *
 * A crawl starts at one URL, fetches it, finds the links in the page, and fetches each
 * page of the same site once. What differs between examples 03, 04, 05, 07 and 08 is only
 * HOW they wait for the network; this file is the part that stays the same:
 *
 *   the options      -c -n -t --timeline --svg -q -v [URL]   (crawl_parse_options)
 *   the frontier     a FIFO queue of URLs still to fetch, and the set of URLs ever seen,
 *                    so that no page is fetched twice (crawl_next)
 *   the report       one line per fetch, statistics (pages, errors, bytes, peak number of
 *                    fetches in flight), the --timeline chart, the --svg picture and the
 *                    summary line (crawl_begin, crawl_done, crawl_failed, crawl_finish)
 *
 * An engine's loop, whatever its concurrency model:
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

#include "http.h"
#include "url.h"

/* The fetch examples' common options (DESIGN.md). Set the defaults, then parse. */
struct crawl_options {
    int concurrency;       /* -c: fetches in flight at most; 0 = this example has no -c */
    int max_pages;         /* -n: fetches started at most */
    double timeout_s;      /* -t: how long one fetch may wait for the network */
    bool timeline;         /* --timeline: draw the chart after the crawl */
    const char *svg_path;  /* --svg FILE: draw it as an SVG picture too; NULL: no */
    bool quiet;            /* -q: no per-fetch lines, just the summary */
    bool verbose;          /* -v: narrate every step of every fetch */
    const char *start_url; /* the URL argument, or $LAB_URL */
};

enum { CRAWL_DEFAULT_MAX_PAGES = 1000, CRAWL_MAX_CONCURRENCY = 100000 };

/* The defaults: -c 10, -n 1000, -t 10, URL from $LAB_URL. */
void crawl_default_options(struct crawl_options *o);

/* An example's own on/off flag, e.g. 04's --juggle. A list ends with {NULL}. */
struct crawl_flag {
    const char *name; /* "--juggle" */
    bool *value;      /* set to true when the flag is given */
    const char *help; /* one line for --help */
};

/* Parse argv into o. `about` is printed first by --help: what the example shows and an
 * example invocation. A bad option or number: one line and the usage, exit 2. --help:
 * exit 0. No URL and no $LAB_URL: exit 2 with a hint to use make run-NN. */
void crawl_parse_options(int argc, char **argv, struct crawl_options *o, const char *about,
                         const struct crawl_flag *extra);

/* One fetch as the report remembers it (for the timeline). Times are seconds since the
 * program started; connected and first_byte are 0 until the engine records them. */
struct crawl_record {
    char *url; /* canonical text */
    double started, connected, first_byte, ended;
    int status; /* HTTP status, or 0 for a failed fetch */
};

struct crawl_seen; /* the set of every URL ever queued (a hash set, in crawl.c) */

struct crawl {
    struct crawl_options opt;
    struct url origin; /* host and port the crawl stays on */
    /* The frontier: URLs queued but not yet started, oldest first. */
    char **queue;
    size_t queue_head, queue_len, queue_cap;
    struct crawl_seen *seen;
    /* What happened. */
    int started, pages, errors, in_flight, peak;
    long long bytes;
    struct crawl_record *records;
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

/* The phases of fetch id, for the --svg picture: its connect has just completed; the first
 * byte of its response has just arrived (only the first call counts). An engine that
 * makes neither call gets one grey bar per fetch instead of three phases. */
void crawl_connected(struct crawl *c, int id);
void crawl_first_byte(struct crawl *c, int id);

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

/* The columns of the terminal stdout goes to (TIOCGWINSZ), else $COLUMNS, else 80. */
int crawl_terminal_width(void);

/* The fetch examples' last line, with wall, cpu, cpu% and rss measured now:
 * "summary: pages=N errors=E bytes=B wall=W.WWWs cpu=C.CCCs cpu%=P.P rss=R.RMiB peak=K".
 * crawl_finish() prints it; an engine that is not a crawl (09) calls it directly. */
void crawl_print_summary(int pages, int errors, long long bytes, int peak);

/* The canonical text of fetch id's URL, for narration. */
const char *crawl_url_text(const struct crawl *c, int id);

#endif
