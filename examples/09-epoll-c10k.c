/* 09-epoll-c10k — 10,000 connections at once in one thread with epoll, where select cannot
 *
 * What it shows
 *   The "C10k problem" asked whether one machine could serve 10,000 clients at once. Here
 *   is the client side of it: ONE process with ONE thread opens -c connections (default
 *   10,000) to the lab server, sends a GET on each, and waits for all the answers together.
 *   The lab server holds every answer back by its delay (1 s under make run-09), so for
 *   about a second all of them are in flight at once. The job takes about one delay, not
 *   10,000 of them, and costs a few KiB per connection: a small struct, not a thread. The
 *   bodies are counted, not kept, so a big page costs no more than a small one.
 *
 *   The waiting is done by common/poller.h, with the backend --poller names:
 *     epoll   the kernel keeps the watch list (epoll_ctl once per change); a wait returns
 *             only the ready sockets, however many are watched (Linux);
 *     kqueue  its analogue on macOS and the BSDs (the default there);
 *     poll    the whole list is handed over and scanned on every call;
 *     select  a bitmap of FD_SETSIZE = 1024 bits: a descriptor numbered 1024 or more
 *             does not fit. With --poller select this program stops opening connections
 *             at that descriptor, says so, finishes the ones it can watch and exits 1.
 *   (12-wait-cost measures what one wait call of each costs.)
 *
 *   Every connection is a descriptor, and a process may hold only RLIMIT_NOFILE of them.
 *   The program raises its soft limit to what it needs (common/fdlimit.h), or says why it
 *   cannot and how to raise it, and stops.
 *
 * How to run
 *   make run-09                        10,000 connections, the server holds each for 1 s
 *   make run-09 ARGS="--poller select" select stops at descriptor 1024, exit 1
 *   make run-09 ARGS="--svg c10k.svg"  a picture: when each connection opened and completed
 *   make run-09 DELAY=5000             longer: run `ss -s` in another terminal meanwhile
 *   (ulimit -n 4096; make run-09)      a hard limit too low: the explanation, exit 1
 *
 * What to look for
 *   - "descriptors": one per connection; the highest number is far above 1024;
 *   - "waited": added up, the connections waited -c x delay (hours); overlapped, the job
 *     took about one delay after the last request went out; cpu% stays low;
 *   - "memory": a few KiB per connection (08 pays a thread per fetch: tens of KiB touched
 *     and 8 MiB of stack reserved);
 *   - --svg: all of them open at once for about one delay, in one picture;
 *   - the lab server's own report at the end: peak= the number of connections.
 *
 * Lecture claims 8 (the kernel wakes the program when a descriptor is ready), 9 (select
 * stops at FD_SETSIZE = 1024; poll and epoll have no such limit) and 10 (C10k: one
 * process, one thread, 10,000 connections).
 *
 * Lab server: --delay 1000 --pages 5
 * Compare: own server -c 2000
 */
#include "args.h"
#include "chart.h"
#include "clock.h"
#include "crawl.h"
#include "errors.h"
#include "fdlimit.h"
#include "fetch.h"
#include "http.h"
#include "net.h"
#include "poller.h"
#include "url.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

static const char USAGE[] = "[-c N] [-t SECONDS] [--poller P] [--svg FILE] [-q] [URL]";

enum {
    DEFAULT_CONNECTIONS = 10000,
    MAX_CONNECTIONS = 1000000, /* more is not a test of the machine but a typo */
    SPARE_DESCRIPTORS = 16,    /* stdin, stdout, stderr, the epoll instance, a few more */
    FAILURES_SHOWN = 5,
};

struct options {
    int connections; /* -c */
    double timeout_s;
    bool quiet;
    const char *poller;   /* --poller: NULL for the best this system has */
    const char *svg_path; /* --svg FILE: draw when each connection opened and completed */
    const char *url;
};

/* One connection: a state, a descriptor and the parser. This struct is all that a fetch
 * in flight costs this program (the kernel keeps the socket's buffers); the parser counts
 * the body's bytes and keeps none of them. */
enum conn_state { CONNECTING, SENDING, READING, FINISHED, FAILED };

struct conn {
    int fd;
    enum conn_state state;
    float opened, completed; /* seconds after the first connect, for --svg (8 bytes) */
    size_t sent;             /* bytes of the request sent so far */
    double deadline;         /* opened + -t: fail if not complete by then */
    double sent_at;          /* when the whole request had gone out */
    struct http_response response;
};

struct c10k {
    struct options opt;
    struct url url;
    char request[FETCH_REQUEST_MAX];
    size_t request_len;
    struct conn *conns;
    int count; /* connections to complete (select: those it can watch) */
    int asked; /* -c */
    struct poller *poller;
    int *conn_of_fd; /* conn_of_fd[fd]: the index of the connection on fd */
    /* What happened. */
    int open_now, open_peak, highest_fd, finished, oldest, pages, errors;
    long long bytes;
    long wakeups;
    double started, all_opened, last_connected, last_sent, total_waited;
    char first_error[NET_WHY_MAX];
};

static void finish(struct c10k *s, int i, const char *why);
static void print_failure(int i, const char *why);
static void advance(struct c10k *s, int i);
static int expire_overdue(struct c10k *s);

/* ---- the engine ------------------------------------------------------------------------ */

/* Start every connect. Non-blocking: connect() returns at once and the handshake goes on
 * in the kernel; the socket becomes writable when it is done. */
static void open_all(struct c10k *s)
{
    int limit = poller_fd_limit(s->poller);
    for (int i = 0; i < s->count; i++) {
        struct conn *c = &s->conns[i];
        char why[NET_WHY_MAX];
        http_response_init(&c->response, 0, 0);
        c->response.count_only = true;
        c->deadline = clock_now() + s->opt.timeout_s;
        c->opened = (float)(clock_elapsed() - s->started);
        c->fd = net_connect_start(s->url.host, s->url.port, why, sizeof why);
        if (c->fd < 0) {
            finish(s, i, why);
            continue;
        }
        if (c->fd >= limit) { /* select: the fd_set has no bit for it; poll on macOS */
            fflush(stdout);
            warn_msg("descriptor %d is beyond %s (%d):\n  %s can watch no more than "
                     "%d of these connections",
                     c->fd, poller_fd_limit_name(s->poller), limit, poller_name(s->poller), i);
            close(c->fd);
            s->count = i; /* finish the ones it can watch */
            break;
        }
        if (++s->open_now > s->open_peak)
            s->open_peak = s->open_now;
        if (c->fd > s->highest_fd)
            s->highest_fd = c->fd;
        c->state = CONNECTING;
        s->conn_of_fd[c->fd] = i;
        if (poller_add(s->poller, c->fd, POLLER_WRITE) != 0)
            die_errno("%s: add fd %d", poller_name(s->poller), c->fd);
    }
    s->all_opened = clock_elapsed();
}

/* The event loop: sleep until sockets are ready, advance each ready one, repeat until
 * every connection is finished. */
static void complete_all(struct c10k *s)
{
    while (s->finished < s->count) {
        int timeout_ms = expire_overdue(s);
        if (s->finished == s->count)
            break;
        if (poller_wait(s->poller, timeout_ms) < 0) {
            if (errno == EINTR)
                continue;
            die_errno("%s", poller_name(s->poller));
        }
        s->wakeups++;
        struct poller_event ev;
        while (poller_next(s->poller, &ev))
            advance(s, s->conn_of_fd[ev.fd]);
    }
}

/* The socket is ready for what its state waits for: do the next step, never blocking. */
static void advance(struct c10k *s, int i)
{
    struct conn *c = &s->conns[i];
    char why[NET_WHY_MAX], cause[128];
    if (c->state == CONNECTING) {
        int err = net_connect_result(c->fd);
        if (err != 0) {
            net_describe_failure("connect", s->url.host, s->url.port, err, why, sizeof why);
            finish(s, i, why);
            return;
        }
        c->state = SENDING;
        s->last_connected = clock_elapsed();
    }
    if (c->state == SENDING) {
        ssize_t n = send(c->fd, s->request + c->sent, s->request_len - c->sent, 0);
        if (n < 0 && (net_would_block(errno) || errno == EINTR))
            return;
        if (n < 0) {
            snprintf(why, sizeof why, "send: %s", errno_describe(errno, cause, sizeof cause));
            finish(s, i, why);
            return;
        }
        c->sent += (size_t)n;
        if (c->sent < s->request_len)
            return; /* the rest when the socket is writable again */
        c->state = READING;
        c->sent_at = clock_now();
        s->last_sent = clock_elapsed();
        if (poller_modify(s->poller, c->fd, POLLER_READ) != 0)
            die_errno("%s: modify fd %d", poller_name(s->poller), c->fd);
        return; /* the answer comes after the server's delay */
    }
    /* READING: one buffer serves every connection, since only one runs at a time. */
    static char buffer[FETCH_RECV_SIZE];
    ssize_t n = recv(c->fd, buffer, sizeof buffer, 0);
    if (n < 0 && (net_would_block(errno) || errno == EINTR))
        return;
    if (n < 0) {
        snprintf(why, sizeof why, "recv: %s", errno_describe(errno, cause, sizeof cause));
        finish(s, i, why);
        return;
    }
    enum http_result result = n == 0 ? http_response_finish(&c->response)
                                     : http_response_feed(&c->response, buffer, (size_t)n);
    if (result != HTTP_MORE)
        finish(s, i, result == HTTP_DONE ? NULL : c->response.error);
}

static void finish(struct c10k *s, int i, const char *why)
{
    struct conn *c = &s->conns[i];
    if (c->fd >= 0) {
        if (poller_remove(s->poller, c->fd) != 0)
            warn_errno("%s: remove fd %d", poller_name(s->poller), c->fd);
        close(c->fd);
        s->open_now--;
    }
    c->state = why == NULL && c->response.status < 400 ? FINISHED : FAILED;
    c->completed = (float)(clock_elapsed() - s->started);
    s->finished++;
    if (c->state == FINISHED) {
        s->pages++;
        s->bytes += (long long)c->response.body_len;
        s->total_waited += clock_now() - c->sent_at;
    } else {
        char status[64];
        if (why == NULL)
            snprintf(status, sizeof status, "HTTP status %d", c->response.status);
        why = why != NULL ? why : status;
        if (s->errors == 0)
            snprintf(s->first_error, sizeof s->first_error, "%s", why);
        if (!s->opt.quiet && s->errors < FAILURES_SHOWN)
            print_failure(i, why);
        s->errors++;
    }
    http_response_free(&c->response);
}

/* Fail the connections past their deadline. Deadlines grow with the index (each is its
 * opening time + -t), so the oldest unfinished connection is always the next to expire:
 * no timer list is needed, only the index s->oldest. Returns ms until the next deadline. */
static int expire_overdue(struct c10k *s)
{
    double now = clock_now();
    for (; s->oldest < s->count; s->oldest++) {
        struct conn *c = &s->conns[s->oldest];
        if (c->state == FINISHED || c->state == FAILED)
            continue;
        if (c->deadline > now)
            return (int)((c->deadline - now) * 1000) + 1;
        char why[96];
        snprintf(why, sizeof why, "timed out: not complete %g s after opening", s->opt.timeout_s);
        finish(s, s->oldest, why);
    }
    return 0;
}

/* ---- the report -------------------------------------------------------------------------- */

/* "   1.234s  ERR  #7  connect ...: ECONNREFUSED Connection refused", cut to 80 columns. */
static void print_failure(int i, const char *why)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%8.3fs  ERR  #%d  %s", clock_elapsed(), i + 1, why);
    if (n > 80)
        strcpy(line + 77, "...");
    printf("%s\n", line);
}

static void report(const struct c10k *s, int descriptors, double rss_before)
{
    double done = clock_elapsed();
    const char *name = poller_name(s->poller); /* epoll and kqueue are a descriptor too */
    bool instance = strcmp(name, "epoll") == 0 || strcmp(name, "kqueue") == 0;
    printf("opened %d sockets in %.3f s: a non-blocking connect() does not wait\n", s->count,
           s->all_opened - s->started);
    printf("descriptors in use with all open: %d = %d sockets + %d others\n"
           "  (stdin, stdout, stderr%s%s%s, any inherited); highest: %d\n",
           descriptors, s->open_peak, descriptors - s->open_peak, instance ? ", the " : "",
           instance ? name : "", instance ? " instance" : "", s->highest_fd);
    printf("connected: all by %.3f s; sent: all by %.3f s; complete: all by %.3f s\n",
           s->last_connected, s->last_sent, done);
    printf("waited: %.0f s (%.1f hours) added up over %d answers, yet the last\n"
           "  came %.3f s after the last request: the waits overlapped\n",
           s->total_waited, s->total_waited / 3600, s->pages, done - s->last_sent);
    printf("%s woke the program %ld time%s for %d connections; between\n"
           "  wake-ups it slept\n",
           poller_call(s->poller), s->wakeups, s->wakeups == 1 ? "" : "s", s->count);
    double grown = clock_peak_rss_mib() - rss_before;
    printf("memory: peak RSS grew by %.1f MiB for %d connections: %.1f KiB each\n"
           "  (sizeof(struct conn) = %zu B; bodies are counted, not kept; the kernel's\n"
           "  socket buffers come on top and are not in RSS)\n",
           grown, s->open_peak, s->open_peak > 0 ? grown * 1024 / s->open_peak : 0.0,
           sizeof(struct conn));
    if (s->count < s->asked)
        return; /* select stopped short: main() says so */
    if (s->highest_fd >= FD_SETSIZE)
        printf("select() could not have done this: an fd_set holds descriptors below\n"
               "  FD_SETSIZE = %d, and these went up to %d (try --poller select)\n",
               FD_SETSIZE, s->highest_fd);
    else
        printf("select() could still have watched these: the highest descriptor, %d,\n"
               "  is below FD_SETSIZE = %d; a few more and it could not\n",
               s->highest_fd, FD_SETSIZE);
}

/* ---- the --svg picture --------------------------------------------------------------- */

/* --svg FILE: when each connection opened and when it completed, counted into CHART_BINS
 * slices of time, so that 10,000 connections are one picture (common/chart.h). */
static int write_svg(const struct c10k *s)
{
    double last = 0;
    for (int i = 0; i < s->count; i++)
        if (s->conns[i].completed > last)
            last = s->conns[i].completed;
    struct chart_bins bins;
    chart_bins_init(&bins, last);
    for (int i = 0; i < s->count; i++)
        chart_bins_add(&bins, s->conns[i].opened, s->conns[i].completed,
                       s->conns[i].state == FAILED);
    char what[256];
    snprintf(what, sizeof what, "%d connections to %.120s, one thread, %s", s->count, s->opt.url,
             poller_name(s->poller));
    return chart_connections_file(s->opt.svg_path, &bins, what, s->count, s->pages, s->errors,
                                  s->open_peak, s->opt.quiet);
}

/* ---- options ------------------------------------------------------------------------ */

static void print_help(void)
{
    printf("09-epoll-c10k: open -c connections at once (default 10,000) to one server,\n"
           "GET the URL on each, and wait for all the answers together in one thread.\n"
           "Prints the descriptors in use, the time to open and complete them all, the\n"
           "memory per connection, and what select() would have done. Failed connections\n"
           "get a line each (the first few); the rest is counted.\n\n"
           "usage: 09-epoll-c10k %s\n\noptions:\n"
           "  -c N           connections open at once (default %d, at most %d)\n"
           "  -t SECONDS     fail a connection not complete this long after it was\n"
           "                 opened (default 10)\n"
           "  --poller P     how to wait: %s (default %s)\n"
           "  --svg FILE     draw when each connection opened and completed, an SVG\n"
           "                 picture in FILE\n"
           "  -q             only the summary line\n"
           "  URL            what every connection fetches (default: $LAB_URL)\n"
           "\nexample: make run-09 ARGS=\"-c 2000 --poller poll\"\n"
           "         09-epoll-c10k -c 5000 http://127.0.0.1:8080/\n",
           USAGE, DEFAULT_CONNECTIONS, MAX_CONNECTIONS, poller_backends(), poller_best());
}

static void parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){
        .connections = DEFAULT_CONNECTIONS, .timeout_s = 10, .url = getenv("LAB_URL")};
    const struct args_option options[] = {
        {"-c", ARGS_INT, &o->connections, 1, MAX_CONNECTIONS, NULL},
        {"-t", ARGS_SECONDS, &o->timeout_s, 0, 0, NULL},
        {"--poller", ARGS_TEXT, &o->poller, 0, 0, "a backend"},
        {"--svg", ARGS_TEXT, &o->svg_path, 0, 0, "a file name"},
        {"-q", ARGS_FLAG, &o->quiet, 0, 0, NULL},
        {NULL, ARGS_FLAG, NULL, 0, 0, NULL}};
    const char *url = args_parse(argc, argv, options, "URL", USAGE, print_help);
    struct poller *probe = o->poller != NULL ? poller_new(o->poller, 1) : NULL;
    if (o->poller != NULL && probe == NULL && poller_known(o->poller)) /* kqueue on Linux */
        die_usage(USAGE, "%s is not on this system, which has %s", o->poller, poller_backends());
    if (o->poller != NULL && probe == NULL)
        die_usage(USAGE, "--poller wants one of: %s", poller_backends());
    poller_free(probe);
    if (url != NULL)
        o->url = url;
    if (o->url == NULL || o->url[0] == '\0')
        die_usage(USAGE, "no URL: give one or set LAB_URL (make run-09 does)");
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    struct c10k *s = calloc(1, sizeof *s);
    if (s == NULL)
        die("out of memory");
    parse_options(argc, argv, &s->opt);
    const char *why;
    if (url_parse(s->opt.url, &s->url, &why) != 0)
        die_usage(USAGE, "bad URL '%.40s': %s", s->opt.url, why);
    int length = http_format_request(&s->url, s->request, sizeof s->request);
    if (length < 0)
        die_usage(USAGE, "URL too long for a request: '%.30s...'", s->opt.url);
    s->request_len = (size_t)length;
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) /* a closed peer must give EPIPE, not kill us */
        die_errno("signal SIGPIPE");
    /* One descriptor per connection: raise the limit, or say why it cannot and stop. */
    long limit = fdlimit_require("-c", s->opt.connections, SPARE_DESCRIPTORS, s->opt.quiet,
                                 MAX_CONNECTIONS * 2L);

    double rss_before = clock_peak_rss_mib();
    s->count = s->asked = s->opt.connections;
    s->conns = calloc((size_t)s->count, sizeof *s->conns);
    /* Descriptors are numbered lowest-free-first: the sockets stay below this. */
    long capacity = (long)s->count + 1024 < limit ? (long)s->count + 1024 : limit;
    s->conn_of_fd = calloc((size_t)capacity, sizeof *s->conn_of_fd);
    s->poller = poller_new(s->opt.poller, (int)capacity);
    if (s->conns == NULL || s->conn_of_fd == NULL || s->poller == NULL)
        die_errno("set up %d connections", s->count);
    if (!s->opt.quiet)
        printf("opening %d connections at once, one thread, waiting with %s\nURL: %.74s\n",
               s->count, poller_name(s->poller), s->opt.url);

    s->started = clock_elapsed();
    open_all(s);
    int descriptors = s->opt.quiet ? 0 : fdlimit_open_now(MAX_CONNECTIONS * 2L);
    complete_all(s);

    if (!s->opt.quiet) {
        if (s->errors > FAILURES_SHOWN)
            printf("          ... and %d more failed connections\n", s->errors - FAILURES_SHOWN);
        if (s->pages > 0)
            report(s, descriptors, rss_before);
    }
    int status = s->opt.svg_path != NULL ? write_svg(s) : 0;
    crawl_print_summary(s->pages, s->errors, s->bytes, s->open_peak);
    if (s->count < s->asked) {
        warn_msg("%s watched %d of the %d connections asked for", poller_name(s->poller), s->count,
                 s->asked);
        status = 1;
    } else if (s->pages == 0) {
        warn_msg("%s", s->first_error[0] ? s->first_error : "nothing fetched");
        status = 1;
    }
    poller_free(s->poller);
    free(s->conn_of_fd);
    free(s->conns);
    free(s);
    return status;
}
