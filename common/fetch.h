/* fetch.h — one fetch of one page: a record and its system-call steps, shared by every crawler.
 *
 * The crawlers 03, 04, 05, 07 and 08 do the same job and differ only in HOW they wait.
 * So the job lives here, once: a struct fetch holds what a fetch needs between two waits
 * (URL, descriptor, request, response parser, times, reason), and each step below makes
 * ONE kind of system call and says what should happen next:
 *
 *     fetch_begin          socket()                   (and the crawl's crawl_begin)
 *     fetch_connect        connect()
 *     fetch_connect_result getsockopt(SO_ERROR)       after a non-blocking connect
 *     fetch_send           send()                     the GET request
 *     fetch_recv           recv()                     fed to the HTTP parser
 *
 *   FETCH_DONE        this step is over: go on to the next one
 *   FETCH_WANT_READ   call the same step again once the socket is readable
 *   FETCH_WANT_WRITE  call the same step again once the socket is writable
 *   FETCH_TIMED_OUT   the -t deadline passed; f->failure says while doing what
 *   FETCH_FAILED      the fetch is over, badly; f->failure says why
 *
 * -t is one deadline per fetch, from socket() to the last byte. Every step checks it
 * first, so an engine that woke up because its wait timed out just calls the step again
 * and gets FETCH_TIMED_OUT ("timed out after 2 s while receiving the body"). On a blocking
 * socket (03, 08) each step first sets SO_SNDTIMEO / SO_RCVTIMEO to the time left, so the
 * kernel itself ends the call at the deadline: there, EAGAIN means "the deadline passed",
 * never "try again". Linux bounds connect() by SO_SNDTIMEO too; macOS does not, so there a
 * blocking connect is ended by a signal at the deadline (interrupt.h: Stevens'
 * connect_timeo, one thread at a time). No step ever calls poll() or select(): waiting is
 * the engine's business.
 *
 * With -v each step narrates what its system call did, one line in one format for every
 * crawler ("   0.104s  task 2  fd 5    recv(): would block, wait for readable  /page/3").
 * No global state except the caught signal (crawler.h): several threads may fetch at
 * once, each with its own record.
 */
#ifndef ASYNCLAB_FETCH_H
#define ASYNCLAB_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "crawl.h"
#include "fetch_text.h"
#include "http.h"
#include "net.h"
#include "url.h"

enum {
    FETCH_REQUEST_MAX = URL_TEXT_MAX + 256, /* the GET request text */
    FETCH_RECV_SIZE = 16384,                /* bytes asked of one recv() */
    FETCH_WHO_MAX = 16,                     /* "thread 12", "task 7" */
};

enum fetch_status { FETCH_DONE, FETCH_WANT_READ, FETCH_WANT_WRITE, FETCH_TIMED_OUT, FETCH_FAILED };

/* Where a fetch is: what its next step is, and what a timeout interrupts. */
enum fetch_phase { FETCH_CONNECTING, FETCH_SENDING, FETCH_RECEIVING, FETCH_OVER };

/* Why a fetch failed, as data: every decision looks at the kind (is it worth putting the URL
 * back? does the message name the host or the URL?), and one function in fetch.c alone turns a
 * failure into words, so that a change of wording changes no behaviour. */
enum fetch_failure_kind {
    FETCH_FAIL_NONE,
    FETCH_FAIL_RESOLVE,          /* the host's lookup failed (site->why says how) */
    FETCH_FAIL_REQUEST_TOO_LONG, /* the URL does not fit FETCH_REQUEST_MAX */
    FETCH_FAIL_NO_DESCRIPTOR,    /* socket(): EMFILE or ENFILE */
    FETCH_FAIL_BEYOND_FD_LIMIT,  /* a descriptor numbered `number`, >= `limit` (FD_SETSIZE) */
    FETCH_FAIL_SOCKET,           /* socket(), any other errno */
    FETCH_FAIL_SETSOCKOPT,       /* bounding a blocking call: `number` is the option */
    FETCH_FAIL_CONNECT,          /* refused, unreachable, ...: the errno says */
    FETCH_FAIL_SEND,
    FETCH_FAIL_RECV,
    FETCH_FAIL_TIMED_OUT,    /* -t passed, while `during` */
    FETCH_FAIL_INTERRUPTED,  /* a signal (`number`) interrupted it, while `during` */
    FETCH_FAIL_BAD_RESPONSE, /* the parser refused the response (closed early, too big, ...) */
    FETCH_FAIL_ABANDONED,    /* the engine stopped (a signal) while `during` */
};

/* What the fetch was doing when it failed: what a timeout or a signal interrupted. */
enum fetch_during {
    FETCH_WHILE_CONNECTING,
    FETCH_WHILE_SENDING,
    FETCH_WHILE_RECEIVING_HEADERS,
    FETCH_WHILE_RECEIVING_BODY,
    FETCH_WHILE_FINISHING,
};

struct fetch_failure {
    enum fetch_failure_kind kind;
    int err; /* the errno behind it, 0 if none */
    enum fetch_during during;
    int number, limit; /* the signal, the descriptor and its limit, or the socket option */
};

/* The crawl's one host, resolved once before the crawl (the resolver's own waits are not
 * part of any fetch). A failed lookup makes every fetch fail with its reason. */
struct fetch_site {
    struct addrinfo *addresses; /* getaddrinfo()'s list; NULL if the lookup failed */
    char why[NET_WHY_MAX];      /* "resolve nonexistent.invalid:80: Name or service ..." */
    int put_back;               /* fetches put back for want of a descriptor (fetch_begin) */
};

struct fetch {
    int id; /* the crawl's number for it (crawl_begin) */
    int fd; /* -1 when closed */
    bool blocking, verbose;
    char who[FETCH_WHO_MAX]; /* for -v: "task 3", "thread 2"; "" when there is one fetch */
    struct url url;
    struct fetch_site *site;
    const struct addrinfo *address; /* the address being tried */
    char request[FETCH_REQUEST_MAX];
    size_t request_len, sent;
    struct http_response response;
    enum fetch_phase phase;
    double timeout_s, deadline;                       /* -t, and clock_now() + -t at socket() */
    double t_start, t_connected, t_first_byte, t_end; /* clock_now() seconds */
    int recv_calls;
    bool would_block;             /* the last call said EAGAIN/EINPROGRESS (04 counts) */
    enum fetch_status last;       /* the last step's answer */
    int told;                     /* what -v said last (each change is said once) */
    struct fetch_failure failure; /* why FETCH_TIMED_OUT or FETCH_FAILED */
    char why[NET_WHY_MAX];        /* the same in words, made once from failure */
    bool show_text;               /* -v also prints the HTTP text sent and received (03) */
    struct fetch_text text;       /* where that text is */
};

/* Resolve the crawl's start host (the crawl never leaves it). Returns 0, or -1 with the
 * reason in site->why; either way the fetches may go on (and fail with that reason). */
int fetch_site_resolve(struct fetch_site *site, const struct url *origin);
void fetch_site_free(struct fetch_site *site);

/* Prepare f for url: request text, empty response, -t and -v from opt. blocking: the
 * socket stays blocking (03, 08) or is made non-blocking (04, 05, 07). who may be "". */
void fetch_init(struct fetch *f, struct fetch_site *site, const struct url *url,
                const struct crawl_options *opt, bool blocking, const char *who);

enum fetch_begin_result { FETCH_BEGUN, FETCH_PUT_BACK };

/* socket() for f, then crawl_begin(). If there is no descriptor to be had (EMFILE,
 * ENFILE, or one numbered fd_limit or more, e.g. FD_SETSIZE for select) while other
 * fetches are in flight, that is not this page's fault: the socket is closed, the URL goes
 * back to the front of the queue (crawl_put_back) and FETCH_PUT_BACK says "start it again
 * once a fetch has finished" (narrated once per crawl). Otherwise FETCH_BEGUN: f->id is
 * set; if the socket failed, the next step reports it. */
enum fetch_begin_result fetch_begin(struct fetch *f, struct crawl *crawl, int fd_limit);

/* connect(). DONE: connected (always, on a blocking socket, unless it failed or timed
 * out); WANT_WRITE: under way, call fetch_connect_result() once the socket is writable. */
enum fetch_status fetch_connect(struct fetch *f);

/* After a non-blocking connect: has it finished? getsockopt(SO_ERROR) and getpeername(),
 * neither of which waits. DONE: connected; WANT_WRITE: not yet (or the next address of the
 * host is being tried on the same descriptor). */
enum fetch_status fetch_connect_result(struct fetch *f);

/* One send() of what is left of the request. DONE: all of it sent; WANT_WRITE: not all
 * yet (a short write, or "would block"): call again when writable. */
enum fetch_status fetch_send(struct fetch *f);

/* One recv(), fed to the response parser. DONE: the response is complete; WANT_READ:
 * more to come (or "would block"): call again when readable. FAILED: recv failed, or the
 * response is broken (the parser's reason). */
enum fetch_status fetch_recv(struct fetch *f);

/* Seconds left before -t ends this fetch (<= 0: passed); in ms for poll-style waits. */
double fetch_time_left(const struct fetch *f);
double fetch_time_left_ms(const struct fetch *f);

/* Close the socket (if open), report the outcome to the crawl (crawl_done with note, or
 * crawl_failed with f->why), release the response. */
void fetch_report(struct crawl *crawl, struct fetch *f, const char *note);

/* "connect 0.1 ms, wait 100.3 ms, read 0.0 ms, 2 recv": where a fetch's time went. */
const char *fetch_timing_note(const struct fetch *f, char *buf, size_t size);

/* 08's run of 03's sequence, after fetch_begin: connect, send, recv until done, on a
 * blocking socket. Returns the last step's answer (DONE for a complete response). */
enum fetch_status fetch_blocking(struct fetch *f);

#endif
