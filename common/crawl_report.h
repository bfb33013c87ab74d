/* crawl_report.h — what a crawl shows: one line per fetch, the timeline, the picture.
 *
 * A per-fetch line is 80 columns at most:
 *    0.123s  200  /page/3                   1608 B   11 links,  5 new  (thread 2)
 *    1.004s  ERR  /fault/never timed out after 1 s while receiving the headers
 * A same-site URL is named by its path, shortened with "…" past a column; a reason
 * starts in the path's column when it fits there, right after the path when only that
 * fits, and a note or a reason longer still goes on continuation lines under the path.
 */
#ifndef ASYNCLAB_CRAWL_REPORT_H
#define ASYNCLAB_CRAWL_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "chart.h"

/* The line of a fetch that got a response: status, body size, links found and queued,
 * and note in parentheses (NULL: none). */
void crawl_report_done(const struct chart_fetch *rec, size_t body_len, int links, int queued,
                       const char *note);

/* The line of a fetch that failed, with its reason. */
void crawl_report_failed(const struct chart_fetch *rec, const char *why);

/* --timeline: one row per fetch on a shared axis as wide as the terminal. */
void crawl_report_timeline(const struct chart_fetch *records, size_t n);

/* What a picture of the crawl is titled and captioned with. */
struct crawl_report_counts {
    const char *start_url;
    int pages, errors, peak;
    bool quiet; /* no "svg: ... drawn" line */
};

/* --svg path: the same timeline as a picture, titled with the counts. 0, or 1 (with a
 * warning) if the file could not be written. */
int crawl_report_svg(const char *path, const struct chart_fetch *records, size_t n,
                     const struct crawl_report_counts *counts);

#endif
