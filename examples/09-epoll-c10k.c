/* 09-epoll-c10k — 10,000 connections at once in one thread with epoll, where select cannot
 *
 * What it shows
 *   The "C10k problem" asked whether one machine could serve 10,000 clients at once. Here
 *   is the client side of it: ONE process with ONE thread opens -c connections (default
 *   10,000) to the lab server, sends a GET on each, and waits for all the answers together.
 *   The lab server holds every answer back by its delay (1 s under make run-09), so for
 *   about a second all of them are in flight at once. The job takes about one delay, not
 *   10,000 of them, and costs a few KiB per connection: a small struct, not a thread.
 *
 *   The waiting is done by epoll. The program tells the kernel once per change
 *   (epoll_ctl) what each socket waits for; each epoll_wait then returns only the sockets
 *   that are ready, however many are watched. poll(), the fallback where there is no
 *   epoll, hands the kernel the whole list on every call and scans it all afterwards.
 *   select() cannot do this at all: an fd_set only has room for descriptors below
 *   FD_SETSIZE = 1024, and here they go up to 10,000 and more.
 *
 *   Every connection is a descriptor, and a process may hold only RLIMIT_NOFILE of them
 *   (the soft limit is often 1024). The program raises its soft limit to the hard one, and
 *   when even the hard limit is too low it says so, and how to raise it, and stops.
 *
 * How to run
 *   make run-09                        10,000 connections, the server holds each for 1 s
 *   make run-09 ARGS="-c 1000"         fewer
 *   make run-09 DELAY=5000             longer: run `ss -s` in another terminal meanwhile
 *   (ulimit -n 4096; make run-09)      a hard limit too low: the explanation, exit 1
 *
 * What to look for
 *   - "descriptors in use": one per connection; the highest number is far above 1024;
 *   - "waited": added up, the connections waited -c x delay (hours); overlapped, the job
 *     took about one delay after the last request went out; cpu% stays low;
 *   - "memory": a few KiB per connection (08 pays a thread per fetch: tens of KiB touched
 *     and 8 MiB of stack reserved);
 *   - the lab server's own report at the end: peak= the number of connections.
 *
 * Lecture claims 9 (select stops at FD_SETSIZE = 1024; poll and epoll have no such limit)
 * and 10 (C10k: one process, one thread, 10,000 connections).
 *
 * Lab server: --delay 1000 --pages 5
 * Compare: own server -c 2000
 */
#include "clock.h"
#include "crawl.h"
#include "errors.h"
#include "http.h"
#include "net.h"
#include "url.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

/* epoll on Linux; build with CFLAGS=-DC10K_USE_POLL to try the poll() version there too. */
#if defined(__linux__) && !defined(C10K_USE_POLL)
#define USE_EPOLL 1
#include <sys/epoll.h>
static const char WAIT_CALL[] = "epoll_wait";
static const char EXTRA_DESCRIPTOR[] = ", the epoll instance";
#else
#include <poll.h>
static const char WAIT_CALL[] = "poll";
static const char EXTRA_DESCRIPTOR[] = ""; /* poll() keeps its list in our memory */
#endif

static const char USAGE[] = "[-c CONNECTIONS] [-t TIMEOUT_SECONDS] [-q] [URL]";

static const char ABOUT[] =
    "09-epoll-c10k: open -c connections at once (default 10,000) to one server, GET the URL\n"
    "on each, and wait for all the answers together in one thread with epoll (poll() where\n"
    "there is no epoll). Prints the descriptors in use, the time to open them all and to\n"
    "complete them all, the memory per connection, and why select() could not have done it.\n"
    "Failed connections get a line each (the first few); the rest is counted.";

enum {
    DEFAULT_CONNECTIONS = 10000,
    MAX_CONNECTIONS = 1000000, /* more is not a test of the machine but a typo */
    SPARE_DESCRIPTORS = 16,    /* stdin, stdout, stderr, the epoll instance, a few more */
    BATCH = 1024,              /* ready sockets taken from one epoll_wait */
    FAILURES_SHOWN = 5,
};

struct options {
    int connections; /* -c */
    double timeout_s;
    bool quiet;
    const char *url;
};

/* One connection: a state, a descriptor and the parser. This struct is all that a fetch
 * in flight costs this program (the kernel keeps the socket's buffers). */
enum conn_state { CONNECTING, SENDING, READING, FINISHED };

struct conn {
    int fd;
    enum conn_state state;
    size_t sent;     /* bytes of the request sent so far */
    double deadline; /* opened + -t: fail if not complete by then */
    double sent_at;  /* when the whole request had gone out */
    struct http_response response;
};

struct c10k {
    struct options opt;
    struct url url;
    char request[URL_TEXT_MAX + 256];
    size_t request_len;
    struct conn *conns;
    int count;
#ifdef USE_EPOLL
    int epfd;
#else
    struct pollfd *pollfds; /* pollfds[i] watches conns[i]; fd -1 once it is finished */
#endif
    /* What happened. */
    int open_now, open_peak, highest_fd, finished, oldest, pages, errors;
    long long bytes;
    long wakeups;
    double started, all_opened, last_connected, last_sent, total_waited;
    char first_error[NET_WHY_MAX];
};

/* ---- options ------------------------------------------------------------------------ */

static void print_help(void)
{
    printf("%s\n\nusage: %s %s\n\noptions:\n"
           "  -c N        connections open at once (default %d, at most %d)\n"
           "  -t SECONDS  give up on a connection not complete this long after it was opened "
           "(default 10)\n"
           "  -q          only the summary line\n"
           "  URL         what every connection fetches (default: $LAB_URL, set by make run-NN)\n"
           "\nexample: make run-09   or   make run-09 ARGS=\"-c 2000\"   or   %s -c 5000 "
           "http://127.0.0.1:8080/\n",
           ABOUT, prog_name(), USAGE, DEFAULT_CONNECTIONS, MAX_CONNECTIONS, prog_name());
}

static void parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){
        .connections = DEFAULT_CONNECTIONS, .timeout_s = 10, .url = getenv("LAB_URL")};
    const char *url = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help();
            exit(0);
        } else if (strcmp(a, "-c") == 0) {
            o->connections = (int)parse_whole_or_die(USAGE, "-c", value, 1, MAX_CONNECTIONS);
            i++;
        } else if (strcmp(a, "-t") == 0) {
            o->timeout_s = parse_seconds_or_die(USAGE, "-t", value);
            i++;
        } else if (strcmp(a, "-q") == 0) {
            o->quiet = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            die_usage(USAGE, "unknown option '%s' (see --help)", a);
        } else if (url != NULL) {
            die_usage(USAGE, "one URL only: '%s' and '%s'", url, a);
        } else {
            url = a;
        }
    }
    if (url != NULL)
        o->url = url;
    if (o->url == NULL || o->url[0] == '\0')
        die_usage(USAGE, "no URL: give one, set LAB_URL, or use make run-09, which starts the "
                         "lab server");
}

/* ---- descriptors ---------------------------------------------------------------------- */

/* Each connection is a descriptor. Raise the soft limit to the hard one (only root may
 * raise the hard one); if that is still too few, say what to do and stop. */
static void raise_descriptor_limit(int connections, bool quiet)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        die_errno("getrlimit RLIMIT_NOFILE");
    rlim_t needed = (rlim_t)connections + SPARE_DESCRIPTORS, soft_before = rl.rlim_cur;
    rlim_t target = rl.rlim_max == RLIM_INFINITY ? needed : rl.rlim_max;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < target) {
        rl.rlim_cur = target;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            die_errno("setrlimit RLIMIT_NOFILE to %llu", (unsigned long long)target);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed) {
        long most = (long)rl.rlim_cur - SPARE_DESCRIPTORS;
        die("-c %d needs %llu descriptors (one per connection, plus %d spare), but the hard "
            "limit on open descriptors (RLIMIT_NOFILE) is %llu, and only root may raise it: "
            "raise it with `ulimit -n %llu` in a root shell (or a nofile line in "
            "/etc/security/limits.conf), or run with -c %ld or fewer",
            connections, (unsigned long long)needed, SPARE_DESCRIPTORS,
            (unsigned long long)rl.rlim_max, (unsigned long long)needed, most > 1 ? most : 1);
    }
    if (quiet)
        return;
    if (rl.rlim_cur == soft_before)
        printf("descriptor limit (RLIMIT_NOFILE): %llu, already the hard limit; this run needs "
               "%llu\n",
               (unsigned long long)rl.rlim_cur, (unsigned long long)needed);
    else
        printf("descriptor limit (RLIMIT_NOFILE): soft limit raised from %llu to the hard limit "
               "%llu; this run needs %llu\n",
               (unsigned long long)soft_before, (unsigned long long)rl.rlim_cur,
               (unsigned long long)needed);
}

/* How many descriptors this process has open: ask each number up to the limit. */
static int count_open_descriptors(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        die_errno("getrlimit RLIMIT_NOFILE");
    int limit = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > MAX_CONNECTIONS * 2
                    ? MAX_CONNECTIONS * 2
                    : (int)rl.rlim_cur;
    int open = 0;
    for (int fd = 0; fd < limit; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            open++;
    return open;
}

/* ---- the kernel's watch list ------------------------------------------------------------ */

/* From now on, wake us when connection i's socket is ready for `reading` (or writing). */
static void watch(struct c10k *s, int i, bool reading, bool first_time)
{
    struct conn *c = &s->conns[i];
#ifdef USE_EPOLL
    /* The interest list lives in the kernel: tell it about changes only. */
    struct epoll_event ev = {.events = reading ? EPOLLIN : EPOLLOUT, .data.u32 = (uint32_t)i};
    if (epoll_ctl(s->epfd, first_time ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &ev) != 0)
        die_errno("epoll_ctl fd %d", c->fd);
#else
    (void)first_time;
    s->pollfds[i] = (struct pollfd){.fd = c->fd, .events = reading ? POLLIN : POLLOUT};
#endif
}

/* Sleep until some sockets are ready or timeout_ms passes; the ready connections' indexes
 * go to ready[]. Returns how many. */
static int wait_for_ready(struct c10k *s, int timeout_ms, int *ready)
{
#ifdef USE_EPOLL
    struct epoll_event events[BATCH];
    int n = epoll_wait(s->epfd, events, BATCH, timeout_ms);
    for (int k = 0; k < n; k++)
        ready[k] = (int)events[k].data.u32; /* only the ready ones come back */
    return n;
#else
    /* poll() takes the whole list on every call, and we must scan all of it for revents. */
    int n = poll(s->pollfds, (nfds_t)s->count, timeout_ms);
    int found = 0;
    for (int i = 0; i < s->count && n > 0 && found < BATCH; i++)
        if (s->pollfds[i].revents != 0)
            ready[found++] = i;
    return n < 0 ? n : found;
#endif
}

/* ---- one connection's state machine ---------------------------------------------------- */

static void finish(struct c10k *s, int i, const char *why)
{
    struct conn *c = &s->conns[i];
    if (c->fd >= 0) {
        close(c->fd); /* also takes it off the epoll list */
        s->open_now--;
    }
#ifndef USE_EPOLL
    s->pollfds[i].fd = -1; /* poll() skips negative descriptors */
#endif
    c->state = FINISHED;
    s->finished++;
    if (why == NULL && c->response.status < 400) {
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
            printf("%8.3fs  ERR  connection %d: %s\n", clock_elapsed(), i + 1, why);
        s->errors++;
    }
    http_response_free(&c->response);
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
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
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
        watch(s, i, true, false);
        return; /* the answer comes after the server's delay */
    }
    /* READING: one buffer serves every connection, since only one runs at a time. */
    static char buffer[16384];
    ssize_t n = recv(c->fd, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
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

/* ---- the two phases --------------------------------------------------------------------- */

/* Start every connect. Non-blocking: connect() returns at once and the handshake goes on
 * in the kernel; the socket becomes writable when it is done. */
static void open_all(struct c10k *s)
{
    for (int i = 0; i < s->count; i++) {
        struct conn *c = &s->conns[i];
        char why[NET_WHY_MAX];
        http_response_init(&c->response, 0, 0);
        c->deadline = clock_now() + s->opt.timeout_s;
        c->fd = net_connect_start(s->url.host, s->url.port, why, sizeof why);
        if (c->fd < 0) {
            finish(s, i, why);
            continue;
        }
        if (++s->open_now > s->open_peak)
            s->open_peak = s->open_now;
        if (c->fd > s->highest_fd)
            s->highest_fd = c->fd;
        c->state = CONNECTING;
        watch(s, i, false, true);
    }
    s->all_opened = clock_elapsed();
}

/* Fail the connections past their deadline. Deadlines grow with the index (each is its
 * opening time + -t), so the oldest unfinished connection is always the next to expire:
 * no timer list is needed, only the index s->oldest. Returns ms until the next deadline. */
static int expire_overdue(struct c10k *s)
{
    double now = clock_now();
    for (; s->oldest < s->count; s->oldest++) {
        struct conn *c = &s->conns[s->oldest];
        if (c->state == FINISHED)
            continue;
        if (c->deadline > now)
            return (int)((c->deadline - now) * 1000) + 1;
        char why[96];
        snprintf(why, sizeof why, "timed out: not complete %g s after opening", s->opt.timeout_s);
        finish(s, s->oldest, why);
    }
    return 0;
}

/* The event loop: sleep until sockets are ready, advance each ready one, repeat until
 * every connection is finished. */
static void complete_all(struct c10k *s)
{
    static int ready[BATCH];
    while (s->finished < s->count) {
        int timeout_ms = expire_overdue(s);
        if (s->finished == s->count)
            break;
        int n = wait_for_ready(s, timeout_ms, ready);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("%s", WAIT_CALL);
        s->wakeups++;
        for (int k = 0; k < n; k++)
            advance(s, ready[k]);
    }
}

/* ---- the report -------------------------------------------------------------------------- */

static void report(const struct c10k *s, int descriptors, double rss_before)
{
    double done = clock_elapsed();
    printf("opened %d sockets in %.3f s: connect() on a non-blocking socket does not wait\n",
           s->count, s->all_opened - s->started);
    printf("descriptors in use with all open: %d = %d sockets + %d others (stdin, stdout, "
           "stderr%s and any inherited); the highest is number %d\n",
           descriptors, s->open_peak, descriptors - s->open_peak, EXTRA_DESCRIPTOR, s->highest_fd);
    printf("connected: all by %.3f s; requests sent: all by %.3f s; complete: all by %.3f s\n",
           s->last_connected, s->last_sent, done);
    printf("waited: %.0f s (%.1f hours) added up over %d answers, yet the last answer came "
           "%.3f s after the last request: the waits overlapped\n",
           s->total_waited, s->total_waited / 3600, s->pages, done - s->last_sent);
    printf("%s woke the program %ld time%s for %d connections; between wake-ups it slept\n",
           WAIT_CALL, s->wakeups, s->wakeups == 1 ? "" : "s", s->count);
    double grown = clock_peak_rss_mib() - rss_before;
    printf("memory: peak RSS grew by %.1f MiB for %d connections: %.1f KiB each (sizeof(struct "
           "conn) = %zu B; the kernel's socket buffers come on top and are not in RSS)\n",
           grown, s->open_peak, s->open_peak > 0 ? grown * 1024 / s->open_peak : 0.0,
           sizeof(struct conn));
    if (s->highest_fd >= FD_SETSIZE)
        printf("select() could not have done this: an fd_set holds descriptors below "
               "FD_SETSIZE = %d, and these went up to %d (05-select-fetch refuses -c above %d)\n",
               FD_SETSIZE, s->highest_fd, FD_SETSIZE - 3);
    else
        printf("select() could still have watched these: the highest descriptor, %d, is below "
               "FD_SETSIZE = %d; a few more and it could not (05-select-fetch stops at -c %d)\n",
               s->highest_fd, FD_SETSIZE, FD_SETSIZE - 3);
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
        die_usage(USAGE, "bad URL '%.200s': %s", s->opt.url, why);
    int length = http_format_request(&s->url, s->request, sizeof s->request);
    if (length < 0)
        die_usage(USAGE, "URL too long for a request: '%.200s'", s->opt.url);
    s->request_len = (size_t)length;
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) /* a closed peer must give EPIPE, not kill us */
        die_errno("signal SIGPIPE");
    raise_descriptor_limit(s->opt.connections, s->opt.quiet);

    double rss_before = clock_peak_rss_mib();
    s->count = s->opt.connections;
    s->conns = calloc((size_t)s->count, sizeof *s->conns);
    if (s->conns == NULL)
        die("out of memory for %d connections", s->count);
#ifdef USE_EPOLL
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0)
        die_errno("epoll_create1");
#else
    s->pollfds = calloc((size_t)s->count, sizeof *s->pollfds);
    if (s->pollfds == NULL)
        die("out of memory for %d connections", s->count);
#endif
    if (!s->opt.quiet)
        printf("opening %d connections to %s at once, one thread, waiting with %s\n", s->count,
               s->opt.url, WAIT_CALL);

    s->started = clock_elapsed();
    open_all(s);
    int descriptors = s->opt.quiet ? 0 : count_open_descriptors();
    complete_all(s);

    if (!s->opt.quiet) {
        if (s->errors > FAILURES_SHOWN)
            printf("          ... and %d more failed connections\n", s->errors - FAILURES_SHOWN);
        if (s->pages > 0)
            report(s, descriptors, rss_before);
    }
    crawl_print_summary(s->pages, s->errors, s->bytes, s->open_peak);
    int status = 0;
    if (s->pages == 0) {
        warn_msg("%s", s->first_error[0] ? s->first_error : "nothing fetched");
        status = 1;
    }
#ifdef USE_EPOLL
    close(s->epfd);
#else
    free(s->pollfds);
#endif
    free(s->conns);
    free(s);
    return status;
}
