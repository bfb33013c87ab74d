/* 04-busy-loop — non-blocking sockets retried in a tight loop: no waiting, and a whole core burnt
 *
 * What it shows
 *   A non-blocking socket never puts the program to sleep: connect, send and recv return at
 *   once, and when the network is not ready they fail with EINPROGRESS / EAGAIN ("would
 *   block"). The naive way to use that is to try again, and again, in a loop, until the
 *   call succeeds. This example does exactly that and COUNTS every failed attempt.
 *
 *   Default mode: one fetch at a time, like 03, but spinning instead of sleeping. The crawl
 *   takes as long as 03's (the server is no faster) while the CPU runs flat out.
 *   --juggle: up to -c sockets open at once, each tried in turn in the same spinning loop.
 *   Now the waits overlap and the wall time drops like 05's... and the core is still burnt.
 *   That is the problem select() solves (05): wait for ALL the sockets, without spinning.
 *
 * How to run
 *   make run-04                          20 pages, one at a time, spinning
 *   make run-04 ARGS="--juggle"          10 at a time, still spinning
 *   make run-04 ARGS="-t 1"              the hard bound: stop spinning after 1 s
 *
 * What to look for
 *   - "recv would block 3,912,455 times": millions of useless system calls;
 *   - cpu% near 100 in the summary (03 and 05 stay near 0 on the same pages);
 *   - wall: the same as 03 by default, like 05 with --juggle.
 *
 * Lecture claim 7: a non-blocking socket returns "would block" at once; retrying in a loop
 * burns 100% of a core.
 *
 * Lab server: --pages 30 --delay 100
 * Compare: --juggle -n 1000
 */
#include "clock.h"
#include "crawl.h"
#include "errors.h"
#include "http.h"
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static const char ABOUT[] =
    "04-busy-loop: crawl with non-blocking sockets retried in a tight loop, counting every\n"
    "\"would block\". By default one fetch at a time (as slow as 03, at 100% CPU); with\n"
    "--juggle, -c at a time round-robin (as fast as 05, still at 100% CPU).\n"
    "Here -t bounds the whole run: after that many seconds it stops spinning, reports, exits 1.\n"
    "\n"
    "example: make run-04 ARGS=\"--juggle\"   or   04-busy-loop -n 5 -t 3 URL";

enum { DEFAULT_PAGES = 20 }; /* a few seconds of spinning on the default site, not more */

enum fetch_state { CONNECTING, SENDING, READING, FINISHED };

/* How often each call said "not yet": the cost of asking instead of waiting. */
struct spin_counts {
    long long connect, send, recv, rounds;
};

struct fetch {
    int id, fd;
    enum fetch_state state;
    struct url url;
    char request[URL_TEXT_MAX + 256];
    size_t request_len, sent;
    struct http_response response;
};

static void finish(struct crawl *crawl, struct fetch *f, const char *why)
{
    if (why == NULL)
        crawl_done(crawl, f->id, &f->response, NULL);
    else
        crawl_failed(crawl, f->id, why);
    if (f->fd >= 0)
        close(f->fd);
    http_response_free(&f->response);
    f->state = FINISHED;
}

static void finish_errno(struct crawl *crawl, struct fetch *f, const char *op)
{
    char why[NET_WHY_MAX];
    net_describe_failure(op, f->url.host, f->url.port, errno, why, sizeof why);
    finish(crawl, f, why);
}

static bool would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

/* Try to move one fetch forward WITHOUT waiting: one system call, whatever it answers.
 * This is the whole engine; the loops below only decide how often to call it. */
static void try_step(struct crawl *crawl, struct fetch *f, struct spin_counts *spins)
{
    switch (f->state) {
    case CONNECTING: {
        /* Has the handshake finished? SO_ERROR tells whether it failed, getpeername()
         * whether it succeeded; neither waits, so ask again and again. */
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int err = net_connect_result(f->fd);
        if (err != 0) {
            errno = err;
            finish_errno(crawl, f, "connect");
        } else if (getpeername(f->fd, (struct sockaddr *)&peer, &len) == 0) {
            f->state = SENDING;
        } else if (errno == ENOTCONN) {
            spins->connect++;
        } else {
            finish_errno(crawl, f, "getpeername");
        }
        return;
    }
    case SENDING: {
        ssize_t n = send(f->fd, f->request + f->sent, f->request_len - f->sent, 0);
        if (n < 0 && would_block(errno))
            spins->send++;
        else if (n < 0)
            finish_errno(crawl, f, "send");
        else if ((f->sent += (size_t)n) == f->request_len)
            f->state = READING;
        return;
    }
    case READING: {
        char buffer[16384];
        ssize_t n = recv(f->fd, buffer, sizeof buffer, 0);
        if (n < 0 && would_block(errno)) {
            spins->recv++; /* the server is still "thinking": ask again at once */
            return;
        }
        if (n < 0) {
            finish_errno(crawl, f, "recv");
            return;
        }
        enum http_result r = n == 0 ? http_response_finish(&f->response)
                                    : http_response_feed(&f->response, buffer, (size_t)n);
        if (r != HTTP_MORE)
            finish(crawl, f, r == HTTP_DONE ? NULL : f->response.error);
        return;
    }
    case FINISHED:
        return;
    }
}

/* Begin a fetch: a non-blocking connect that returns at once (usually EINPROGRESS). */
static void start_fetch(struct crawl *crawl, struct fetch *f, const struct url *url)
{
    *f = (struct fetch){.url = *url, .state = CONNECTING};
    f->id = crawl_begin(crawl, url);
    http_response_init(&f->response, 0, 0);
    int length = http_format_request(url, f->request, sizeof f->request);
    f->request_len = length > 0 ? (size_t)length : 0;
    char why[NET_WHY_MAX];
    f->fd = net_connect_start(url->host, url->port, why, sizeof why);
    if (f->fd < 0)
        finish(crawl, f, why);
    else if (length < 0)
        finish(crawl, f, "request too long");
}

/* true once the hard bound has passed: the crawl must stop spinning. */
static bool out_of_time(const struct crawl *crawl)
{
    return clock_elapsed() > crawl->opt.timeout_s;
}

/* Default mode: one fetch at a time, spinning on it until it is finished. */
static bool crawl_spinning(struct crawl *crawl, struct spin_counts *spins)
{
    struct url url;
    struct fetch f;
    while (crawl_next(crawl, &url)) {
        start_fetch(crawl, &f, &url);
        while (f.state != FINISHED) {
            spins->rounds++;
            try_step(crawl, &f, spins);
            if (f.state != FINISHED && out_of_time(crawl)) {
                finish(crawl, &f, "stopped by the -t bound while spinning");
                return false;
            }
        }
    }
    return true;
}

/* --juggle: up to -c fetches at once, each given one try per round, round after round. */
static bool crawl_juggling(struct crawl *crawl, struct spin_counts *spins)
{
    int slots = crawl->opt.concurrency, busy = 0;
    struct fetch *fetches = calloc((size_t)slots, sizeof *fetches);
    if (fetches == NULL)
        die("out of memory");
    for (int i = 0; i < slots; i++)
        fetches[i].state = FINISHED;
    bool in_time = true;
    do {
        spins->rounds++;
        busy = 0;
        for (int i = 0; i < slots; i++) {
            struct url url;
            if (fetches[i].state == FINISHED && crawl_next(crawl, &url))
                start_fetch(crawl, &fetches[i], &url);
            try_step(crawl, &fetches[i], spins);
            busy += fetches[i].state != FINISHED;
        }
        if (busy > 0 && out_of_time(crawl)) {
            in_time = false;
            for (int i = 0; i < slots; i++)
                if (fetches[i].state != FINISHED)
                    finish(crawl, &fetches[i], "stopped by the -t bound while spinning");
        }
        /* Fetches that finished this round may have queued links that no slot took yet. */
    } while ((busy > 0 || crawl_has_next(crawl)) && in_time);
    free(fetches);
    return in_time;
}

/* 3912455 -> "3,912,455": these numbers are meant to be read out loud. */
static const char *with_commas(long long n, char *buf, size_t size)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", n), out = 0;
    for (int i = 0; i < len && (size_t)out + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    struct crawl_options options;
    crawl_default_options(&options);
    options.max_pages = DEFAULT_PAGES;
    bool juggle = false;
    const struct crawl_flag flags[] = {
        {"--juggle", &juggle, "keep -c sockets open at once and spin over all of them"},
        {NULL, NULL, NULL}};
    crawl_parse_options(argc, argv, &options, ABOUT, flags);
    if (!juggle)
        options.concurrency = 1;

    struct crawl crawl;
    crawl_init(&crawl, &options);
    if (!options.quiet)
        printf("crawling %s with non-blocking sockets, %s, retrying instead of waiting "
               "(stops after %g s)\n",
               options.start_url,
               juggle ? "up to -c at once in one spinning loop" : "one fetch at a time",
               options.timeout_s);

    struct spin_counts spins = {0};
    bool in_time = juggle ? crawl_juggling(&crawl, &spins) : crawl_spinning(&crawl, &spins);

    char a[32], b[32], c[32], d[32];
    printf("connect still in progress %s times\n", with_commas(spins.connect, a, sizeof a));
    printf("send would block %s times\n", with_commas(spins.send, b, sizeof b));
    printf("recv would block %s times\n", with_commas(spins.recv, c, sizeof c));
    if (juggle)
        printf("%s rounds over all the sockets; in most of them no socket had anything new\n",
               with_commas(spins.rounds, d, sizeof d));
    else
        printf("%s trips round the loop, nearly all of them a system call that achieved "
               "nothing\n",
               with_commas(spins.rounds, d, sizeof d));
    if (juggle)
        printf("juggling overlaps the waits, so the wall time drops, but the core still "
               "spins: select() (05) waits for all sockets without spinning\n");
    int status = crawl_finish(&crawl);
    if (!in_time) {
        warn_msg("stopped after %g s (-t): a busy loop must not burn a core for ever",
                 options.timeout_s);
        return 1;
    }
    return status;
}
