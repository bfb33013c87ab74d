/* 00-labserver — the lab's own HTTP server: one thread, one event loop, thousands of clients
 *
 * What it is
 *   The local web server every crawler in this lab talks to. It serves a generated site
 *   (`/` plus `/page/1` .. `/page/N`, linked as a shallow tree), holds every answer back
 *   by --delay milliseconds to imitate a distant server, and offers fault pages under
 *   /fault/ that misbehave on purpose so the clients' error handling can be tested.
 *   What it says lives in common/labsite.c; this file is only how it waits.
 *   docs/00-labserver.md describes the site, its exact crawl counts and every fault page.
 *
 * What it demonstrates
 *   It is itself the step the lecture ends with: a single process with a single thread,
 *   every socket non-blocking, and one event loop (common/poller.h: epoll on Linux, kqueue
 *   on macOS and the BSDs, poll() elsewhere) that sleeps in the kernel until some descriptor is
 * ready or the nearest timer is due. The artificial delay is a per-connection deadline in that
 * loop, never a sleep, so 1,000 requests at 100 ms each are all answered after about 100 ms, and
 *   10,000 idle connections cost a little memory and no CPU. Big answers are sent from
 *   pages built once at start, a slice per turn, so 2,000 downloads of an 858 KB page do
 *   not hold up a small request. Read serve() first, just below: the whole server is that
 *   loop plus one short handler per event.
 *
 * How to run
 *   make run-00                      (serves until Ctrl-C; ARGS="-v --pages 5" etc.)
 *   build/bin/00-labserver --port 8080 --delay 500 -v
 *   then, in another terminal: curl -v http://127.0.0.1:8080/
 *
 * What to look for
 *   With -v one line per request. On Ctrl-C the last line says how many requests it
 *   served and how many were in flight at once (peak=): run a concurrent crawler
 *   against it and watch peak grow while this process stays near 0% CPU in `top`.
 *
 * Lecture claims: 8 (sleep until a descriptor is ready), 9 (epoll/poll have no 1024
 * limit), 10 (C10k: one thread holds 10,000 connections), 11 (an event loop is ready
 * work plus an endless loop), 15 (concurrency on one core, not parallelism).
 */
#include "clock.h"
#include "errors.h"
#include "fdlimit.h"
#include "http.h"
#include "labsite.h"
#include "net.h"
#include "poller.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char usage[] = "[--port P] [--port-file F] [--pages N] [--delay MS]\n"
                            "       [--idle-timeout MS] [--backlog N] [-v]";

enum {
    LISTEN_BACKLOG = 4096,   /* room for 1,000+ clients connecting at once (macOS: 128) */
    FD_TABLE_MAX = 65536,    /* the connection table never grows past this */
    FD_WANTED = 10100,       /* 10,000 clients plus our own few descriptors */
    SEND_BUDGET = 16 * 1024, /* bytes one connection may send per turn (fairness) */
    LINGER_MS = 2000,        /* after our last byte, how long we wait for the client */
    NEVER_MS = 300 * 1000,   /* /fault/never holds a connection at most this long */
    EMFILE_PAUSE_MS = 100,   /* out of descriptors: stop accepting for this long */
    LOG_PATH_WIDTH = 24,     /* -v: a longer path is shortened to fit 80 columns */
};

/* ------------------------------------------------------------------------------------
 * Connections. Each one is a small state machine; its deadline says when its timer
 * fires, and what that means depends on the state.
 */
enum conn_state {
    READING_REQUEST, /* waiting for the request; deadline: the idle timeout */
    DELAYING,        /* answer ready, held back; deadline: the artificial latency is over */
    WRITING,         /* sending as fast as the client reads; deadline: client stalled */
    DRIPPING,        /* /fault/slow, /fault/drip-*; deadline: time for the next byte */
    SILENT,          /* /fault/never; deadline: give up after NEVER_MS */
    CLOSING,         /* all sent and our side shut; deadline: stop waiting for the client */
};

struct conn {
    int fd;
    enum conn_state state;
    double deadline; /* clock_now() seconds at which on_deadline() runs */
    unsigned want;   /* POLLER_READ | POLLER_WRITE as registered with the poller */
    char *request;   /* the bytes of the request received so far */
    size_t request_len;
    struct answer answer; /* what to send (labsite.h): parts, most of them shared */
};

struct options {
    int port;
    const char *port_file;
    long pages;
    long delay_ms;
    long idle_ms;
    int backlog;
    bool verbose;
};

struct server {
    struct options opt;
    int port;
    int listen_fd;
    bool listen_paused; /* out of descriptors: not accepting for a moment */
    double listen_resume_at;
    struct poller *poller;
    struct labsite *site;
    struct conn **conns; /* conns[fd], NULL when fd is not a client of ours */
    int capacity;        /* size of conns: the descriptor limit (at most FD_TABLE_MAX) */
    int highest_fd;      /* no client fd above this: bounds the timer scan */
    int in_flight;       /* connections from accept until their answer is complete... */
    int peak;            /* ...and the most at once: the clients' own "peak" */
    unsigned long long requests;
    bool warned_emfile;
};

static volatile sig_atomic_t stop_requested; /* set by SIGINT/SIGTERM (see below) */
static int wakeup_pipe[2] = {-1, -1};

static int run_timers(struct server *s);
static void handle_new_connections(struct server *s);
static void on_readable(struct server *s, struct conn *c);
static void on_writable(struct server *s, struct conn *c);

/* ------------------------------------------------------------------------------------
 * The event loop: the whole server.
 */
static void serve(struct server *s)
{
    while (!stop_requested) {
        /* 1. Run the timers that are due; learn when the next one is. */
        int timeout_ms = run_timers(s);

        /* 2. Sleep in the kernel until a descriptor is ready or that timer is due.
         *    This is where the server spends nearly all its time, at 0% CPU. */
        if (poller_wait(s->poller, timeout_ms) < 0) {
            if (errno == EINTR)
                continue; /* a signal: the loop condition decides */
            die_errno("%s wait", poller_name(s->poller));
        }

        /* 3. Hand each ready descriptor to its handler. None of them blocks, so one
         *    slow client never holds up another. A handler may close a connection that
         *    is still in this batch: the poller then no longer reports it. */
        struct poller_event ev;
        while (poller_next(s->poller, &ev)) {
            if (ev.fd == s->listen_fd) {
                handle_new_connections(s);
            } else if (ev.fd == wakeup_pipe[0]) {
                char drain[64];
                while (read(ev.fd, drain, sizeof drain) > 0)
                    continue;
            } else {
                if ((ev.readable || ev.error) && s->conns[ev.fd] != NULL)
                    on_readable(s, s->conns[ev.fd]); /* an error shows when we read */
                if (ev.writable && s->conns[ev.fd] != NULL)
                    on_writable(s, s->conns[ev.fd]);
            }
        }
    }
}

/* The timers: every connection has one deadline. Rather than a heap, a plain scan over
 * the connection table: easy to read, and cheap next to a system call at this size.
 * Runs what is due; returns how long the loop may sleep (ms), or -1 for "until an event". */
static void on_deadline(struct server *s, struct conn *c);

static int run_timers(struct server *s)
{
    double now = clock_now(), next = -1;
    if (s->listen_paused && s->listen_resume_at <= now) {
        s->listen_paused = false;
        if (poller_modify(s->poller, s->listen_fd, POLLER_READ) != 0)
            die_errno("%s: resume listener", poller_name(s->poller));
    }
    if (s->listen_paused)
        next = s->listen_resume_at;
    for (int fd = 0; fd <= s->highest_fd; fd++) {
        struct conn *c = s->conns[fd];
        if (c != NULL && c->deadline <= now) {
            on_deadline(s, c);
            c = s->conns[fd]; /* it may have closed */
        }
        if (c != NULL && (next < 0 || c->deadline < next))
            next = c->deadline;
    }
    if (next < 0)
        return -1;
    double ms = (next - clock_now()) * 1000.0;
    if (ms <= 0)
        return 0;
    return ms > 3600e3 ? 3600 * 1000 : (int)ms + 1; /* round up: never wake too early */
}

/* ------------------------------------------------------------------------------------
 * Small steps the handlers share.
 */
static void set_want(struct server *s, struct conn *c, unsigned want)
{
    if (c->want == want)
        return;
    if (poller_modify(s->poller, c->fd, want) != 0)
        die_errno("%s: change fd %d", poller_name(s->poller), c->fd);
    c->want = want;
}

static void set_deadline_ms(struct conn *c, double ms)
{
    c->deadline = clock_now() + ms / 1000.0;
}

static void conn_close(struct server *s, struct conn *c)
{
    if (poller_remove(s->poller, c->fd) != 0)
        warn_errno("%s: remove fd %d", poller_name(s->poller), c->fd);
    if (close(c->fd) != 0)
        warn_errno("close fd %d", c->fd);
    s->conns[c->fd] = NULL;
    if (c->state != CLOSING)
        s->in_flight--; /* (a CLOSING one was no longer counted) */
    answer_free(&c->answer);
    free(c->request);
    free(c);
}

/* ------------------------------------------------------------------------------------
 * The handlers: each runs when the loop finds something to do, does it without ever
 * blocking, and returns to the loop.
 */
/* The listening socket is readable: clients are waiting in the kernel's accept queue.
 * Take them all, until accept() says EAGAIN, each as a new non-blocking connection
 * waiting for its request: the queue holds only the listen backlog (128 on macOS by
 * default), and a client that finds it full must wait to try again. */
static void handle_new_connections(struct server *s)
{
    for (;;) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE) {
                /* Out of descriptors: the queue stays readable, so stop watching it for
                 * a moment instead of spinning on it. */
                if (!s->warned_emfile)
                    warn_errno("accept, paused %d ms (said once)", EMFILE_PAUSE_MS);
                s->warned_emfile = true;
                s->listen_paused = true;
                s->listen_resume_at = clock_now() + EMFILE_PAUSE_MS / 1000.0;
                if (poller_modify(s->poller, s->listen_fd, 0) != 0)
                    die_errno("%s: pause listener", poller_name(s->poller));
            } else if (!net_would_block(errno)) {
                warn_errno("accept");
            }
            return;
        }
        struct conn *c = calloc(1, sizeof *c);
        if (c == NULL || fd >= s->capacity) {
            warn_msg("no room for a connection on fd %d", fd);
            free(c);
            close(fd);
            continue;
        }
        if (net_set_nonblocking(fd, true) != 0 || poller_add(s->poller, fd, POLLER_READ) != 0) {
            warn_errno("set up connection on fd %d", fd);
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->state = READING_REQUEST;
        c->want = POLLER_READ;
        set_deadline_ms(c, (double)s->opt.idle_ms);
        s->conns[fd] = c;
        if (fd > s->highest_fd)
            s->highest_fd = fd;
        if (++s->in_flight > s->peak)
            s->peak = s->in_flight;
    }
}

/* A request has been judged (answered or refused): count it, log it, and hold the
 * answer back until the delay is over. */
static void request_done(struct server *s, struct conn *c, const char *method, const char *path)
{
    s->requests++;
    if (s->opt.verbose) {
        char size[32] = "endless";
        if (c->answer.body_len >= 0)
            snprintf(size, sizeof size, "%lld", c->answer.body_len);
        char shown[LOG_PATH_WIDTH + 1];
        size_t len = strlen(path);
        if (len > LOG_PATH_WIDTH) /* keep the line within 80 columns */
            snprintf(shown, sizeof shown, "%.*s...", LOG_PATH_WIDTH - 3, path);
        else
            snprintf(shown, sizeof shown, "%s", path);
        printf("%8.3fs fd %-5d %-6.6s %-*s -> %d, %s body bytes\n", clock_elapsed(), c->fd, method,
               LOG_PATH_WIDTH, shown, c->answer.status, size);
    }
    free(c->request);
    c->request = NULL;
    c->state = DELAYING;
    set_want(s, c, 0); /* nothing to read or write until the deadline */
    set_deadline_ms(c, (double)s->opt.delay_ms);
}

/* Look at what has arrived: a bad first line is refused at once; a complete request
 * (up to an empty line) is routed; one that outgrows LABSITE_REQUEST_MAX is refused.
 * Parsing the request line and finding the headers' end are common/'s; this is when. */
static void examine_request(struct server *s, struct conn *c)
{
    char method[16], path[LABSITE_REQUEST_MAX];
    size_t len = c->request_len < LABSITE_REQUEST_MAX ? c->request_len : LABSITE_REQUEST_MAX;
    const char *eol = memchr(c->request, '\n', len); /* only the first 8 KiB count */
    if (eol != NULL &&
        http_parse_request_line(c->request, eol, method, sizeof method, path, sizeof path) != 0) {
        labsite_error(&c->answer, 400);
        request_done(s, c, "-", "(malformed request line)");
        return;
    }
    size_t head = http_request_headers_end(c->request, len);
    if (eol != NULL && head > 0) {
        labsite_route(s->site, method, path, &c->answer);
        request_done(s, c, method, path);
    } else if (c->request_len > LABSITE_REQUEST_MAX) {
        labsite_error(&c->answer, 431);
        request_done(s, c, "-", "(request over 8 KiB)");
    }
}

/* Every byte is sent and our side is shut with a FIN. We still wait (briefly) for the
 * client to close: closing with unread input would make the kernel send a reset, which
 * can destroy the answer before the client has read it. */
static void finish_answer(struct server *s, struct conn *c)
{
    if (shutdown(c->fd, SHUT_WR) != 0) {
        conn_close(s, c); /* the client is already gone */
        return;
    }
    /* For the client the fetch is over once it sees our FIN, so from here on the
     * connection no longer counts as in flight: peak= then matches the client's own. */
    s->in_flight--;
    c->state = CLOSING;
    set_want(s, c, POLLER_READ);
    set_deadline_ms(c, LINGER_MS);
}

/* Send as much as the client's socket buffer takes (up to SEND_BUDGET per turn, so one
 * fast reader of /fault/huge cannot starve everyone else). */
static void send_some(struct server *s, struct conn *c)
{
    size_t budget = SEND_BUDGET;
    const char *bytes;
    size_t n;
    while (budget > 0 && answer_next(&c->answer, &bytes, &n)) {
        ssize_t sent = send(c->fd, bytes, n < budget ? n : budget, 0);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && net_would_block(errno))
            break; /* the buffer is full: wait for the poller to say writable */
        if (sent < 0) {
            conn_close(s, c); /* EPIPE, ECONNRESET: the client vanished */
            return;
        }
        c->answer.sent += sent;
        budget -= (size_t)sent;
        set_deadline_ms(c, (double)s->opt.idle_ms); /* progress: not stalled */
    }
    if (!answer_next(&c->answer, &bytes, &n)) {
        finish_answer(s, c);
        return;
    }
    set_want(s, c, POLLER_WRITE);
}

/* The delay is over: start the answer at the pace it asks for. */
static void start_answer(struct server *s, struct conn *c)
{
    switch (c->answer.pace) {
    case PACE_NEVER:
        c->state = SILENT; /* read (and ignore) until the client gives up */
        set_want(s, c, POLLER_READ);
        set_deadline_ms(c, NEVER_MS);
        break;
    case PACE_DRIP:
        c->state = DRIPPING;
        c->deadline = clock_now(); /* the first byte at once */
        break;
    case PACE_FULL_SPEED:
        c->state = WRITING;
        set_deadline_ms(c, (double)s->opt.idle_ms);
        send_some(s, c); /* a fresh socket has room: no need to wait for "writable" */
        break;
    }
}

/* Send one byte of a dripping answer (the first drip_after bytes at once); the next
 * one drip_ms later. */
static void drip(struct server *s, struct conn *c)
{
    const char *bytes;
    size_t n;
    if (!answer_next(&c->answer, &bytes, &n)) {
        finish_answer(s, c);
        return;
    }
    size_t want = 1;
    if (c->answer.sent < c->answer.drip_after && (long long)n > 1) {
        long long left = c->answer.drip_after - c->answer.sent;
        want = left < (long long)n ? (size_t)left : n;
    }
    ssize_t sent = send(c->fd, bytes, want, 0);
    if (sent < 0 && !net_would_block(errno) && errno != EINTR) {
        conn_close(s, c);
        return;
    }
    if (sent > 0)
        c->answer.sent += sent;
    c->deadline += c->answer.drip_ms / 1000.0;
}

/* A connection's deadline has passed. */
static void on_deadline(struct server *s, struct conn *c)
{
    switch (c->state) {
    case DELAYING:
        start_answer(s, c);
        break;
    case DRIPPING:
        drip(s, c);
        break;
    case READING_REQUEST: /* idle too long without a complete request */
    case WRITING:         /* the client stopped reading */
    case SILENT:          /* /fault/never's hold is over */
    case CLOSING:         /* the client never closed its side */
        conn_close(s, c);
        break;
    }
}

/* The client's socket is readable (or broke). */
static void on_readable(struct server *s, struct conn *c)
{
    char chunk[4096];
    ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);
    if (n < 0 && (net_would_block(errno) || errno == EINTR))
        return; /* a false alarm: try again when the loop next says readable */
    if (n <= 0 || (c->state != READING_REQUEST && c->state != SILENT && c->state != CLOSING)) {
        conn_close(s, c); /* EOF, an error (ECONNRESET), or a hangup while we were busy */
        return;
    }
    if (c->state != READING_REQUEST)
        return; /* SILENT or CLOSING: input is read and dropped */
    char *grown = realloc(c->request, c->request_len + (size_t)n);
    if (grown == NULL)
        die("out of memory");
    c->request = grown;
    memcpy(c->request + c->request_len, chunk, (size_t)n);
    c->request_len += (size_t)n;
    examine_request(s, c);
}

static void on_writable(struct server *s, struct conn *c)
{
    if (c->state == WRITING)
        send_some(s, c);
}

/* ------------------------------------------------------------------------------------
 * Signals. SIGINT and SIGTERM must wake the loop even when it sleeps with no timer at
 * all, so the handler writes a byte into a pipe whose other end the loop watches (the
 * "self-pipe trick"); the loop then finishes its turn and stops cleanly.
 */
static void on_stop_signal(int sig)
{
    (void)sig;
    int saved = errno;
    stop_requested = 1;
    ssize_t ignored = write(wakeup_pipe[1], "x", 1);
    (void)ignored; /* a full pipe already holds a wake-up */
    errno = saved;
}

static void install_signals(void)
{
    if (pipe(wakeup_pipe) != 0)
        die_errno("pipe");
    for (int i = 0; i < 2; i++)
        if (net_set_nonblocking(wakeup_pipe[i], true) != 0 ||
            fcntl(wakeup_pipe[i], F_SETFD, FD_CLOEXEC) != 0)
            die_errno("fcntl wake-up pipe");
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        die_errno("sigaction");
    /* A client that vanishes mid-answer must cost us that connection, not the process:
     * without this, send() to a closed socket raises SIGPIPE, which kills by default. */
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) != 0)
        die_errno("sigaction SIGPIPE");
}

/* ------------------------------------------------------------------------------------
 * Start-up and shut-down.
 */

/* Each connection is a descriptor: raise the soft limit (common/fdlimit.h) so that 10,000
 * clients fit; returns the limit to size the connection table by. */
static int raise_descriptor_limit(void)
{
    struct fdlimit got;
    if (fdlimit_raise(FD_TABLE_MAX, &got) != 0)
        die_errno("getrlimit RLIMIT_NOFILE");
    if (got.soft < FD_WANTED) {
        char line[128];
        fdlimit_describe(&got, line, sizeof line);
        warn_msg("under 10,000 clients fit:\n  %s", line);
    }
    return (int)fdlimit_count(got.soft, FD_TABLE_MAX);
}

/* Write the port to path, atomically: a temporary name, then rename(), so a reader
 * waiting for the file never sees half of it. */
static void write_port_file(const char *path, int port)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        die("port file name too long: %.40s...", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        die_errno("open %s", tmp);
    if (fprintf(f, "%d\n", port) < 0 || fclose(f) != 0)
        die_errno("write %s", tmp);
    if (rename(tmp, path) != 0)
        die_errno("rename %s to %s", tmp, path);
}

static long parse_number(const char *option, const char *text, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
        die_usage(usage, "%s wants a number from %ld to %ld, not '%s'", option, min, max, text);
    return v;
}

static void print_help(void)
{
    printf("00-labserver: the lab's local HTTP server (one thread, one %s loop).\n"
           "Serves a generated site (/ and /page/1../page/N, a tree with %d children per\n"
           "page), holds each answer back by --delay ms without holding back anyone else,\n"
           "and offers fault pages under /fault/ (see docs/00-labserver.md).\n\n"
           "usage: 00-labserver %s\n"
           "  --port P           port on 127.0.0.1 (default 8080; 0 picks a free one)\n"
           "  --port-file F      write the port to F once accepting\n"
           "  --pages N          pages below / (default 30, 0..%d)\n"
           "  --delay MS         hold every answer back MS milliseconds (default 100)\n"
           "  --idle-timeout MS  drop a client without a complete request after MS\n"
           "                     (default 10000)\n"
           "  --backlog N        the listen backlog (default %d; macOS caps it at 128)\n"
           "  -v                 one line per request\n\n"
           "example: 00-labserver --port 0 --port-file /tmp/port --pages 5 --delay 500 -v\n",
           poller_best(), LABSITE_FANOUT, usage, LABSITE_PAGES_MAX, LISTEN_BACKLOG);
}

static struct options parse_options(int argc, char **argv)
{
    struct options o = {
        .port = 8080, .pages = 30, .delay_ms = 100, .idle_ms = 10000, .backlog = LISTEN_BACKLOG};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help();
            exit(0);
        }
        if (strcmp(arg, "-v") == 0) {
            o.verbose = true;
            continue;
        }
        static const char *const with_value[] = {"--port",  "--port-file",    "--pages",
                                                 "--delay", "--idle-timeout", "--backlog"};
        size_t which = 0, count = sizeof with_value / sizeof with_value[0];
        while (which < count && strcmp(arg, with_value[which]) != 0)
            which++;
        if (which == count)
            die_usage(usage, "unknown option '%s'", arg);
        if (i + 1 >= argc)
            die_usage(usage, "%s needs a value", arg);
        const char *value = argv[++i];
        switch (which) {
        case 0:
            o.port = (int)parse_number(arg, value, 0, 65535);
            break;
        case 1:
            o.port_file = value;
            break;
        case 2:
            o.pages = parse_number(arg, value, 0, LABSITE_PAGES_MAX);
            break;
        case 3:
            o.delay_ms = parse_number(arg, value, 0, 3600 * 1000);
            break;
        case 4:
            o.idle_ms = parse_number(arg, value, 1, 3600 * 1000);
            break;
        default:
            o.backlog = (int)parse_number(arg, value, 1, 65535);
            break;
        }
    }
    return o;
}

int main(int argc, char **argv)
{
    prog_start(argv[0]);
    struct server s = {.opt = parse_options(argc, argv), .highest_fd = -1};

    s.capacity = raise_descriptor_limit();
    s.conns = calloc((size_t)s.capacity, sizeof *s.conns);
    if (s.conns == NULL)
        die("out of memory for %d connections", s.capacity);
    install_signals();

    s.listen_fd = net_listen_loopback(s.opt.port, s.opt.backlog, &s.port);
    if (s.listen_fd < 0)
        die_errno("listen on 127.0.0.1:%d", s.opt.port);
    if (net_set_nonblocking(s.listen_fd, true) != 0)
        die_errno("fcntl O_NONBLOCK");
    s.poller = poller_new(NULL, s.capacity);
    if (s.poller == NULL || poller_add(s.poller, s.listen_fd, POLLER_READ) != 0 ||
        poller_add(s.poller, wakeup_pipe[0], POLLER_READ) != 0)
        die_errno("%s setup", poller_best());
    s.site = labsite_new(s.opt.pages, s.port); /* the big pages: built once, here */

    printf("listening on http://127.0.0.1:%d/\n", s.port);
    printf("site: / and %ld pages, delay %ld ms, idle timeout %ld ms\n", s.opt.pages,
           s.opt.delay_ms, s.opt.idle_ms);
    printf("loop: %s, room for %d descriptors\n", poller_name(s.poller), s.capacity);
    if (s.opt.port_file != NULL)
        write_port_file(s.opt.port_file, s.port);

    serve(&s);

    for (int fd = 0; fd <= s.highest_fd; fd++)
        if (s.conns[fd] != NULL)
            conn_close(&s, s.conns[fd]);
    printf("server: requests=%llu peak=%d\n", s.requests, s.peak);
    poller_free(s.poller);
    labsite_free(s.site);
    close(s.listen_fd);
    close(wakeup_pipe[0]);
    close(wakeup_pipe[1]);
    free(s.conns);
    return 0;
}
