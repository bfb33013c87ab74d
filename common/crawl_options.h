/* crawl_options.h — the crawlers' command line: -c -n -t --timeline --svg -q -v [URL].
 *
 * One table of options (crawl_options.c) gives the parser, --help and every usage line,
 * so that an example never copies a usage line that could drift from the options.
 * A crawler uses this; any other example uses args.h, a plainer table that leaves --help
 * to the example (building this one on it would need a help callback with state).
 */
#ifndef ASYNCLAB_CRAWL_OPTIONS_H
#define ASYNCLAB_CRAWL_OPTIONS_H

#include <stdbool.h>

/* An example's own on/off flag, e.g. 04's --juggle. A list ends with {NULL}. */
struct crawl_flag {
    const char *name; /* "--juggle" */
    bool *value;      /* set to true when the flag is given */
    const char *help; /* one line for --help */
};

/* The fetch examples' common options (DESIGN.md). Set the defaults, then parse. */
struct crawl_options {
    int concurrency;                /* -c: fetches in flight at most; 0 = this example has no -c */
    bool concurrency_given;         /* -c was on the command line, not only the default */
    int max_pages;                  /* -n: fetches started at most */
    double timeout_s;               /* -t: how long one fetch may wait for the network */
    bool timeline;                  /* --timeline: draw the chart after the crawl */
    const char *svg_path;           /* --svg FILE: draw it as an SVG picture too; NULL: no */
    bool quiet;                     /* -q: no per-fetch lines, just the summary */
    bool verbose;                   /* -v: narrate every step of every fetch */
    const char *start_url;          /* the URL argument, or $LAB_URL */
    const struct crawl_flag *flags; /* the example's own flags (crawl_parse_options) */
};

enum { CRAWL_DEFAULT_MAX_PAGES = 1000, CRAWL_MAX_CONCURRENCY = 100000 };

/* The defaults: -c 10, -n 1000, -t 10, URL from $LAB_URL. */
void crawl_default_options(struct crawl_options *o);

/* Parse argv into o. `about` is printed first by --help: what the example shows and an
 * example invocation. A bad option or number: one line and the usage, exit 2. --help:
 * exit 0. No URL and no $LAB_URL: exit 2 with a hint to use make run-NN. */
void crawl_parse_options(int argc, char **argv, struct crawl_options *o, const char *about,
                         const struct crawl_flag *extra);

/* The usage line for die_usage(), made from the option table (and o's own flags):
 * "[-c CONCURRENCY] [-n MAX_PAGES] [-t TIMEOUT_SECONDS] [--timeline] ... [URL]". */
const char *crawl_usage(const struct crawl_options *o);

#endif
