/* 04-busy-loop — non-blocking sockets retried in a tight loop: no waiting, and a whole core burnt
 *
 * What it shows
 *   A non-blocking socket never puts the program to sleep: connect, send and recv return at
 *   once, and when the network is not ready they fail with EINPROGRESS / EAGAIN ("would
 *   block"). The naive way to use that is to try again, and again, in a loop, until the
 *   call succeeds. This example does exactly that and COUNTS every failed attempt.
 *
 *   Default mode: one fetch at a time, the same job as 03 (every page of the site), but
 *   spinning instead of sleeping. The crawl takes as long as 03's (the server is no
 *   faster) while the CPU runs flat out: compare the two summaries' wall and cpu%.
 *   --juggle: up to -c sockets open at once, each tried in turn in the same spinning loop.
 *   Now the waits overlap and the wall time drops like 05's... and the core is still burnt.
 *   That is the problem select() solves (05): wait for ALL the sockets, without spinning.
 *
 * How to run
 *   make run-04                          every page, one at a time, spinning
 *   make run-04 ARGS="--juggle"          10 at a time, still spinning
 *   make run-04 ARGS="-n 5"              a shorter burn
 *
 * What to look for
 *   - "recv would block 3,912,455 times": millions of useless system calls;
 *   - cpu% near 100 in the summary (03 and 05 stay near 0 on the same pages);
 *   - wall: the same as 03 by default, like 05 with --juggle.
 *
 * Lecture claim 7: a non-blocking socket returns "would block" at once; retrying in a loop
 * burns 100% of a core.
 *
 * -t is a deadline for each fetch, as in every crawler; besides, the whole run stops
 * spinning after SPIN_CAP_S seconds (a busy loop must not burn a core for ever).
 *
 * Lab server: --pages 30 --delay 100
 * Compare: --juggle
 */
#include "clock.h"
#include "crawl.h"
#include "errors.h"
#include "crawler.h"
#include "fetch.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

enum { SPIN_CAP_S = 60 }; /* the whole spinning run stops after this many seconds */

/* How often each call said "not yet": the cost of asking instead of waiting. */
struct spin_counts {
    long long connect, send, recv, rounds;
};

/* One slot: a fetch, or nothing (busy false). */
struct slot {
    struct fetch f;
    bool busy;
};

static void start_fetch(struct crawl *crawl, struct fetch_site *site, struct slot *s,
                        const struct url *url);
static void finish(struct crawl *crawl, struct slot *s);
static bool out_of_time(void);

/* Try to move one fetch forward WITHOUT waiting: one system call, whatever it answers.
 * This is the whole engine; the loops below only decide how often to call it. */
static void try_step(struct crawl *crawl, struct slot *s, struct spin_counts *spins)
{
    struct fetch *f = &s->f;
    enum fetch_status status = FETCH_FAILED;
    switch (f->phase) {
    case FETCH_CONNECTING: /* has the handshake finished? getsockopt + getpeername, again */
        status = fetch_connect_result(f);
        spins->connect += f->would_block;
        break;
    case FETCH_SENDING: /* send(): "would block" if the kernel has no room */
        status = fetch_send(f);
        spins->send += f->would_block;
        break;
    case FETCH_RECEIVING: /* recv(): "would block" while the server is still thinking */
        status = fetch_recv(f);
        spins->recv += f->would_block;
        break;
    case FETCH_OVER:
        break;
    }
    if (status == FETCH_TIMED_OUT || status == FETCH_FAILED || f->phase == FETCH_OVER)
        finish(crawl, s);
}

/* Default mode: one fetch at a time, spinning on it until it is finished. */
static void crawl_spinning(struct crawl *crawl, struct fetch_site *site, struct spin_counts *spins)
{
    struct url url;
    struct slot s = {.busy = false};
    while (!out_of_time() && crawl_next(crawl, &url)) {
        start_fetch(crawl, site, &s, &url);
        while (s.busy) {
            spins->rounds++;
            try_step(crawl, &s, spins);
        }
    }
}

/* --juggle: up to -c fetches at once, each given one try per round, round after round. A
 * URL put back for want of a descriptor is simply taken again in a later round. */
static void crawl_juggling(struct crawl *crawl, struct fetch_site *site, struct spin_counts *spins)
{
    int slots = crawl->opt.concurrency, busy;
    struct slot *slot = calloc((size_t)slots, sizeof *slot);
    if (slot == NULL)
        die("out of memory");
    do {
        spins->rounds++;
        busy = 0;
        for (int i = 0; i < slots; i++) {
            struct url url;
            if (!slot[i].busy && !out_of_time() && crawl_next(crawl, &url))
                start_fetch(crawl, site, &slot[i], &url);
            if (slot[i].busy)
                try_step(crawl, &slot[i], spins);
            busy += slot[i].busy;
        }
        /* Fetches that finished this round may have queued links that no slot took yet. */
    } while (busy > 0 || (crawl_has_next(crawl) && !out_of_time()));
    free(slot);
}

/* Begin a fetch: socket() and a non-blocking connect() that returns at once. */
static void start_fetch(struct crawl *crawl, struct fetch_site *site, struct slot *s,
                        const struct url *url)
{
    fetch_init(&s->f, site, url, &crawl->opt, false, "");
    if (fetch_begin(&s->f, crawl, INT_MAX) == FETCH_PUT_BACK)
        return; /* no descriptor now: a later round takes the URL again */
    s->busy = true;
    enum fetch_status status = fetch_connect(&s->f); /* usually EINPROGRESS: WANT_WRITE */
    if (status == FETCH_TIMED_OUT || status == FETCH_FAILED)
        finish(crawl, s);
}

/* ---- the report ---------------------------------------------------------------------------- */

static void finish(struct crawl *crawl, struct slot *s)
{
    fetch_report(crawl, &s->f, NULL);
    s->busy = false;
}

/* true once the whole run has spun for SPIN_CAP_S seconds (or a signal came): stop
 * starting fetches. Those in flight end at their own -t deadline. */
static bool out_of_time(void)
{
    return clock_elapsed() > SPIN_CAP_S || fetch_interrupted() != 0;
}

/* 3912455 -> "3,912,455": these numbers are meant to be read out loud. */
static const char ABOUT[] =
    "04-busy-loop: crawl with non-blocking sockets retried in a tight loop, counting every\n"
    "\"would block\". By default one fetch at a time (as slow as 03, at 100% CPU); with\n"
    "--juggle, -c at a time round-robin (as fast as 05, still at 100% CPU).\n"
    "-t is a deadline for each fetch; the whole run stops spinning after 60 s.\n"
    "\n"
    "example: make run-04 ARGS=\"--juggle\"   or   04-busy-loop -n 5 -t 3 URL";

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

static bool juggle; /* --juggle */
static const struct crawl_flag FLAGS[] = {
    {"--juggle", &juggle, "keep -c sockets open at once and spin over all of them"},
    {NULL, NULL, NULL}};

/* Without --juggle, 04 fetches one page at a time: a -c would be silently ignored. */
static void check_options(struct crawl_options *o)
{
    if (!juggle && o->concurrency_given)
        die_usage(crawl_usage(o), "-c %d needs --juggle: without it, 04 fetches one page at a time",
                  o->concurrency);
    if (!juggle)
        o->concurrency = 1;
}

static const struct crawl_program PROGRAM = {
    .about = ABOUT, .flags = FLAGS, .check = check_options};

int main(int argc, char **argv)
{
    struct crawl crawl;
    struct fetch_site site;
    crawl_setup(&PROGRAM, argc, argv, &crawl, &site);
    struct crawl_options options = crawl.opt;
    if (!options.quiet) {
        printf("crawling %s with non-blocking sockets,\n", options.start_url);
        if (juggle)
            printf("up to %d at once in one spinning loop, retrying instead of waiting\n",
                   options.concurrency);
        else
            printf("one fetch at a time, retrying instead of waiting\n");
    }

    struct spin_counts spins = {0};
    if (juggle)
        crawl_juggling(&crawl, &site, &spins);
    else
        crawl_spinning(&crawl, &site, &spins);
    bool in_time = !(clock_elapsed() > SPIN_CAP_S && crawl_has_next(&crawl));

    char a[32], b[32], c[32], d[32];
    printf("connect still in progress %s times\n", with_commas(spins.connect, a, sizeof a));
    printf("send would block %s times\n", with_commas(spins.send, b, sizeof b));
    printf("recv would block %s times\n", with_commas(spins.recv, c, sizeof c));
    if (juggle)
        printf("%s rounds over the sockets; in most, no socket had anything new\n",
               with_commas(spins.rounds, d, sizeof d));
    else
        printf("%s trips round the loop: nearly every one a system call that did nothing\n",
               with_commas(spins.rounds, d, sizeof d));
    if (juggle)
        printf("juggling overlaps the waits, so the wall time drops, but the core still\n"
               "spins: select() (05) waits for all sockets without spinning\n");
    fetch_site_free(&site);
    int status = fetch_finish(&crawl);
    if (!in_time && fetch_interrupted() == 0) {
        warn_msg("stopped after %d s: a busy loop must not burn a core for ever", SPIN_CAP_S);
        return 1;
    }
    return status;
}
