/* 03-blocking-fetch — the blocking crawl: one page at a time, so the time is the sum of every wait
 *
 * What it shows
 *   A crawler written the obvious way: for each URL, connect, send the request, and recv
 *   until the server closes the connection; then find the links and go on to the next URL.
 *   Each of those calls BLOCKS: the process sleeps inside the kernel until the network
 *   answers. While it waits for one page it cannot do anything else, so the crawl takes
 *   (number of pages) x (latency of one page). The lab server holds every answer back by
 *   DELAY ms (100 by default), which makes that sum easy to see.
 *
 * How to run
 *   make run-03                      default lab site: 31 pages + 1 dead link
 *   make run-03 ARGS="--timeline"    draw the fetches on a time axis: a staircase
 *   make run-03 DELAY=300 PAGES=10   make the waiting longer
 *
 * What to look for
 *   - each line's note: connect takes ~0.1 ms, waiting for the first byte takes the whole
 *     DELAY, reading takes almost nothing: the time goes to waiting;
 *   - `strace -e trace=network,poll,select build/bin/03-blocking-fetch -n 3 URL`: socket,
 *     connect, sendto, recvfrom and nothing else: no poll() or select() anywhere, the
 *     process just sleeps inside each call (-t bounds each one with SO_SNDTIMEO/SO_RCVTIMEO);
 *   - "waited" at the end is nearly all of the wall time, and cpu% is close to 0: the
 *     process was asleep, not working;
 *   - wall >= pages x DELAY. Examples 05 and 07 fetch the same pages in a fraction of it;
 *   - `make run-03 ARGS="-v -n 2"`: HTTP is text. Under each send() the request exactly as
 *     sent ("> GET /page/1 HTTP/1.0\r\n", "> Host: ..."), under each recv() the status line
 *     and headers exactly as received ("< HTTP/1.0 200 OK\r\n"), every line ending in the
 *     two bytes \r\n; then only the body's size.
 *
 * Lecture claim 6: blocking connect/send/recv make a crawl take the sum of all latencies.
 *
 * Lab server: --pages 30 --delay 100
 */
#include "clock.h"
#include "crawl.h"
#include "errors.h"
#include "crawler.h"
#include "fetch.h"

#include <limits.h>
#include <stdio.h>

static const struct crawl_program PROGRAM;
static void report_waiting(const struct crawl *crawl);

/* How long this process spent blocked waiting for servers to answer. */
static double total_waiting;

/* Fetch one page with blocking calls: the program stops inside each system call until the
 * network has done its part, or until -t runs out (the steps set SO_SNDTIMEO/SO_RCVTIMEO to
 * the time left before each call). The steps are common/fetch.c's: they make the call and
 * say what comes next; the outcome goes to the crawl's report. */
static void fetch_page(struct crawl *crawl, struct fetch_site *site, const struct url *url)
{
    struct fetch f;
    fetch_init(&f, site, url, &crawl->opt, true, "");
    f.show_text = crawl->opt.verbose; /* -v: the request and the response head, as text */
    fetch_begin(&f, crawl, INT_MAX);  /* socket(); nothing else in flight: never put back */

    /* 1. connect(): sleeps until the TCP handshake is done (one round trip). */
    enum fetch_status status = fetch_connect(&f);

    /* 2. send() the request: sleeps until the kernel has taken all of it (here: at once). */
    if (status == FETCH_DONE)
        status = fetch_send(&f);
    while (status == FETCH_WANT_WRITE)
        status = fetch_send(&f);

    /* 3. recv() until the response is complete or the server closes. The first recv is
     *    where the program sleeps: the server is "thinking" for DELAY ms. */
    if (status == FETCH_DONE)
        status = fetch_recv(&f);
    while (status == FETCH_WANT_READ)
        status = fetch_recv(&f);

    /* 4. report: the page's links go to the frontier. */
    char note[128];
    total_waiting += f.t_end - f.t_start; /* asleep in connect, send or recv, but for the
                                            microseconds it took to parse what came */
    fetch_report(crawl, &f, fetch_timing_note(&f, note, sizeof note));
}

/* The engine: one fetch after the other, each to its last byte before the next begins. */
int main(int argc, char **argv)
{
    struct crawl crawl;
    struct fetch_site site;
    crawl_setup(&PROGRAM, argc, argv, &crawl, &site);
    if (!crawl.opt.quiet)
        printf("crawling %s\none page at a time (blocking connect, send, recv)\n",
               crawl.opt.start_url);

    struct url url;
    while (!fetch_interrupted() && crawl_next(&crawl, &url))
        fetch_page(&crawl, &site, &url);

    report_waiting(&crawl);
    fetch_site_free(&site);
    return fetch_finish(&crawl);
}

/* ---- options and the report ----------------------------------------------------------- */

static const char ABOUT[] =
    "03-blocking-fetch: crawl a site one page at a time with blocking sockets.\n"
    "Every connect, send and recv waits for the network, so the crawl takes the sum of\n"
    "all the latencies; the per-fetch note shows where each page's time went.\n"
    "\n"
    "example: make run-03 ARGS=\"--timeline\"   or   03-blocking-fetch -n 5 http://127.0.0.1:8080/";

static const struct crawl_program PROGRAM = {.about = ABOUT, .one_at_a_time = true};

static void report_waiting(const struct crawl *crawl)
{
    double wall = clock_elapsed();
    if (!crawl->opt.quiet && crawl->started > 0)
        printf("%d fetch%s one after another: blocked waiting %.3f s of %.3f s (%.0f%%)\n",
               crawl->started, crawl->started == 1 ? "" : "es", total_waiting, wall,
               wall > 0 ? 100 * total_waiting / wall : 0);
}
