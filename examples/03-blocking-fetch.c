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
 *   - "waited" at the end is nearly all of the wall time, and cpu% is close to 0: the
 *     process was asleep, not working;
 *   - wall >= pages x DELAY. Examples 05 and 07 fetch the same pages in a fraction of it.
 *
 * Lecture claim 6: blocking connect/send/recv make a crawl take the sum of all latencies.
 *
 * Lab server: --pages 30 --delay 100
 */
#include "clock.h"
#include "crawl.h"
#include "errors.h"
#include "http.h"
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static const char ABOUT[] =
    "03-blocking-fetch: crawl a site one page at a time with blocking sockets.\n"
    "Every connect, send and recv waits for the network, so the crawl takes the sum of\n"
    "all the latencies; the per-fetch note shows where each page's time went.\n"
    "\n"
    "example: make run-03 ARGS=\"--timeline\"   or   03-blocking-fetch -n 5 http://127.0.0.1:8080/";

/* How long this process spent blocked waiting for servers to answer. */
static double total_waiting;

/* Fetch one page with blocking calls: the program stops at each of them until the network
 * has done its part. Returns nothing: the outcome goes to the crawl's report. */
static void fetch_page(struct crawl *crawl, const struct url *url)
{
    const struct crawl_options *opt = &crawl->opt;
    int id = crawl_begin(crawl, url);
    char why[NET_WHY_MAX];

    /* 1. connect(): blocks until the TCP handshake is done (one round trip). */
    double t_start = clock_now();
    int fd = net_connect(url->host, url->port, opt->timeout_s, why, sizeof why);
    if (fd < 0) {
        crawl_failed(crawl, id, why);
        return;
    }
    /* A silent server must not hang us: every send and recv gives up after -t seconds. */
    if (net_set_timeouts(fd, opt->timeout_s) != 0)
        die_errno("setsockopt SO_RCVTIMEO");
    double t_connected = clock_now();
    if (opt->verbose)
        printf("          %s: connected, fd %d, in %.1f ms\n", crawl_url_text(crawl, id), fd,
               (t_connected - t_start) * 1000);

    /* 2. send the request: blocks until the kernel has taken all of it (here: at once). */
    char request[URL_TEXT_MAX + 256];
    int length = http_format_request(url, request, sizeof request);
    if (length < 0 || net_write_all(fd, request, (size_t)length) < 0) {
        snprintf(why, sizeof why, "send: %s", length < 0 ? "request too long" : "failed");
        close(fd);
        crawl_failed(crawl, id, why);
        return;
    }

    /* 3. recv until the response is complete or the server closes. The first recv is
     *    where the program sleeps: the server is "thinking" for DELAY ms. */
    struct http_response response;
    http_response_init(&response, 0, 0);
    enum http_result result = HTTP_MORE;
    double t_first_byte = 0;
    int recv_calls = 0;
    char buffer[16384];
    while (result == HTTP_MORE) {
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        recv_calls++;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            char cause[128];
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                snprintf(why, sizeof why, "timed out: no data for %g s", opt->timeout_s);
            else
                snprintf(why, sizeof why, "recv: %s", errno_describe(errno, cause, sizeof cause));
            break;
        }
        if (t_first_byte == 0)
            t_first_byte = clock_now();
        if (n == 0)
            result = http_response_finish(&response);
        else
            result = http_response_feed(&response, buffer, (size_t)n);
        if (result == HTTP_ERROR)
            snprintf(why, sizeof why, "%s", response.error);
    }
    close(fd);
    double t_end = clock_now();
    double waited = (t_first_byte > 0 ? t_first_byte : t_end) - t_connected;
    total_waiting += (t_connected - t_start) + waited;

    if (result == HTTP_DONE) {
        char note[160];
        snprintf(note, sizeof note, "connect %.1f ms, wait %.1f ms, read %.1f ms, %d recv",
                 (t_connected - t_start) * 1000, waited * 1000, (t_end - t_first_byte) * 1000,
                 recv_calls);
        crawl_done(crawl, id, &response, note);
    } else {
        crawl_failed(crawl, id, why);
    }
    http_response_free(&response);
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    struct crawl_options options;
    crawl_default_options(&options);
    options.concurrency = 0; /* one fetch at a time: -c does not apply here */
    crawl_parse_options(argc, argv, &options, ABOUT, NULL);

    struct crawl crawl;
    crawl_init(&crawl, &options);
    if (!options.quiet)
        printf("crawling %s one page at a time (blocking connect, send, recv)\n",
               options.start_url);

    struct url url;
    while (crawl_next(&crawl, &url))
        fetch_page(&crawl, &url);

    double wall = clock_elapsed();
    if (!options.quiet && crawl.started > 0)
        printf("fetched %d URLs one after another: blocked waiting for servers %.3f s of "
               "%.3f s (%.0f%%)\n",
               crawl.started, total_waiting, wall, wall > 0 ? 100 * total_waiting / wall : 0);
    return crawl_finish(&crawl);
}
