/* fetch.c — see fetch.h. */
#include "fetch.h"
#include "clock.h"
#include "crawler.h"
#include "errors.h"
#include "interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* ---- the host, resolved once -------------------------------------------------------------- */

int fetch_site_resolve(struct fetch_site *site, const struct url *origin)
{
    *site = (struct fetch_site){0};
    site->addresses = net_resolve(origin->host, origin->port, site->why, sizeof site->why);
    return site->addresses != NULL ? 0 : -1;
}

void fetch_site_free(struct fetch_site *site)
{
    net_resolve_free(site->addresses);
    site->addresses = NULL;
}

/* ---- the record ----------------------------------------------------------------------------- */

void fetch_init(struct fetch *f, struct fetch_site *site, const struct url *url,
                const struct crawl_options *opt, bool blocking, const char *who)
{
    *f = (struct fetch){.fd = -1, .blocking = blocking, .verbose = opt->verbose, .url = *url};
    f->site = site;
    f->address = site->addresses;
    f->timeout_s = opt->timeout_s;
    f->last = FETCH_DONE;
    f->told = -1;
    snprintf(f->who, sizeof f->who, "%s", who);
    int length = http_format_request(url, f->request, sizeof f->request);
    f->request_len = length > 0 ? (size_t)length : 0;
    http_response_init(&f->response, 0, 0);
}

double fetch_time_left(const struct fetch *f)
{
    return f->deadline - clock_now();
}

double fetch_time_left_ms(const struct fetch *f)
{
    double ms = fetch_time_left(f) * 1000.0;
    return ms > 0 ? ms : 0;
}

/* -v: one narration line for f, "   0.104s  task 2  fd 5    <what>  /page/3". */
static void narrate(const struct fetch *f, const char *fmt, ...)
{
    if (!f->verbose)
        return;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    printf("%8.3fs  %s%sfd %-4d %s  %s\n", clock_elapsed(), f->who, f->who[0] ? "  " : "", f->fd,
           what, f->url.path);
}

/* What the fetch is doing now: what a timeout or a signal would interrupt. */
static enum fetch_during during(const struct fetch *f)
{
    switch (f->phase) {
    case FETCH_CONNECTING:
        return FETCH_WHILE_CONNECTING;
    case FETCH_SENDING:
        return FETCH_WHILE_SENDING;
    case FETCH_RECEIVING:
        return http_response_has_headers(&f->response) ? FETCH_WHILE_RECEIVING_BODY
                                                       : FETCH_WHILE_RECEIVING_HEADERS;
    case FETCH_OVER:
        break;
    }
    return FETCH_WHILE_FINISHING;
}

static const char *during_text(enum fetch_during d)
{
    static const char *const text[] = {
        [FETCH_WHILE_CONNECTING] = "connecting",
        [FETCH_WHILE_SENDING] = "sending",
        [FETCH_WHILE_RECEIVING_HEADERS] = "receiving the headers",
        [FETCH_WHILE_RECEIVING_BODY] = "receiving the body",
        [FETCH_WHILE_FINISHING] = "finishing",
    };
    return text[d];
}

/* The one place a failure becomes words: "connect 127.0.0.1:1: ECONNREFUSED Connection
 * refused", "timed out after 2 s while receiving the body", "interrupted by SIGINT while
 * connecting", the parser's reason. brief: the short form for the line that says a fetch
 * waits for a descriptor ("descriptor 1024 is beyond FD_SETSIZE"). Returns buf. */
static const char *failure_text(const struct fetch *f, bool brief, char *buf, size_t size)
{
    const struct fetch_failure *x = &f->failure;
    char cause[128];
    if (x->err != 0)
        errno_describe(x->err, cause, sizeof cause);
    switch (x->kind) {
    case FETCH_FAIL_NONE:
        snprintf(buf, size, "%s", "");
        break;
    case FETCH_FAIL_RESOLVE:
        snprintf(buf, size, "%s", f->site->why);
        break;
    case FETCH_FAIL_REQUEST_TOO_LONG:
        snprintf(buf, size, "send: request too long");
        break;
    case FETCH_FAIL_NO_DESCRIPTOR:
    case FETCH_FAIL_SOCKET:
        snprintf(buf, size, "socket: %s", cause);
        break;
    case FETCH_FAIL_BEYOND_FD_LIMIT:
        if (brief)
            snprintf(buf, size, "descriptor %d is beyond FD_SETSIZE", x->number);
        else
            snprintf(buf, size,
                     "descriptor %d is beyond FD_SETSIZE (%d), the most select() can watch",
                     x->number, x->limit);
        break;
    case FETCH_FAIL_SETSOCKOPT:
        snprintf(buf, size, "setsockopt %s: %s",
                 x->number == SO_RCVTIMEO ? "SO_RCVTIMEO" : "SO_SNDTIMEO", cause);
        break;
    case FETCH_FAIL_CONNECT:
        net_describe_failure("connect", f->url.host, f->url.port, x->err, buf, size);
        break;
    case FETCH_FAIL_SEND:
        snprintf(buf, size, "send: %s", cause);
        break;
    case FETCH_FAIL_RECV:
        snprintf(buf, size, "recv: %s", cause);
        break;
    case FETCH_FAIL_TIMED_OUT:
        snprintf(buf, size, "timed out after %g s while %s", f->timeout_s, during_text(x->during));
        break;
    case FETCH_FAIL_INTERRUPTED:
        snprintf(buf, size, "interrupted by %s while %s",
                 x->number == SIGINT ? "SIGINT" : "SIGTERM", during_text(x->during));
        break;
    case FETCH_FAIL_BAD_RESPONSE:
        snprintf(buf, size, "%s", f->response.error);
        break;
    case FETCH_FAIL_ABANDONED:
        snprintf(buf, size, "abandoned while %s", during_text(x->during));
        break;
    }
    return buf;
}

static enum fetch_status over(struct fetch *f, enum fetch_status status)
{
    f->phase = FETCH_OVER;
    f->t_end = clock_now();
    f->last = status;
    return status;
}

/* Note why f failed (kind, errno, what it was doing), in words too; the fetch goes on to
 * fetch_begin's accounting or ends (fail). */
static void note_failure(struct fetch *f, enum fetch_failure_kind kind, int err)
{
    f->failure = (struct fetch_failure){.kind = kind, .err = err, .during = during(f)};
    if (kind == FETCH_FAIL_INTERRUPTED)
        f->failure.number = fetch_interrupted();
}

/* The failure noted is the fetch's end: put it in words once, and stop. */
static enum fetch_status failure_over(struct fetch *f)
{
    failure_text(f, false, f->why, sizeof f->why);
    return over(f, f->failure.kind == FETCH_FAIL_TIMED_OUT ? FETCH_TIMED_OUT : FETCH_FAILED);
}

static enum fetch_status fail(struct fetch *f, enum fetch_failure_kind kind, int err)
{
    note_failure(f, kind, err);
    return failure_over(f);
}

/* The system call that was to do `kind`'s work failed with errno err (a signal's EINTR
 * included). */
static enum fetch_status failed(struct fetch *f, enum fetch_failure_kind kind, int err)
{
    if (err == EINTR && fetch_interrupted() != 0)
        kind = FETCH_FAIL_INTERRUPTED;
    return fail(f, kind, err);
}

static enum fetch_status timed_out(struct fetch *f)
{
    return fail(f, FETCH_FAIL_TIMED_OUT, 0);
}

/* Every step starts here: a fetch that is over, interrupted or past its deadline goes no
 * further. Returns FETCH_DONE to go on. */
static enum fetch_status check(struct fetch *f)
{
    if (f->phase == FETCH_OVER)
        return f->last;
    if (fetch_interrupted() != 0)
        return failed(f, FETCH_FAIL_INTERRUPTED, EINTR);
    if (fetch_time_left(f) <= 0)
        return timed_out(f);
    return FETCH_DONE;
}

/* Narrate a step's answer when it differs from the last one (so that a spinning 04 says
 * "would block" once, not a million times). */
static enum fetch_status said(struct fetch *f, enum fetch_status status, const char *what)
{
    int key = (int)f->phase * 8 + (int)status;
    if (key != f->told)
        narrate(f, "%s", what);
    f->told = key;
    f->last = status;
    return status;
}

/* The connection is up: note the time (--timeline, --svg) and go on to sending. */
static enum fetch_status connected(struct fetch *f, const char *what)
{
    f->t_connected = clock_now();
    f->phase = FETCH_SENDING;
    return said(f, FETCH_DONE, what);
}

/* On a blocking socket: bound the next send/connect (SO_SNDTIMEO) or recv (SO_RCVTIMEO) by
 * the time left. A zero timeval would mean "no limit", so never pass less than 1 us. 0, or
 * -1 with the failure noted (the caller ends the fetch with failure_over). */
static int bound_by_deadline(struct fetch *f, int option)
{
    if (!f->blocking)
        return 0;
    struct timeval tv = clock_timeval(fetch_time_left(f));
    if (tv.tv_sec == 0 && tv.tv_usec == 0)
        tv.tv_usec = 1;
    if (setsockopt(f->fd, SOL_SOCKET, option, &tv, sizeof tv) == 0)
        return 0;
    note_failure(f, FETCH_FAIL_SETSOCKOPT, errno);
    f->failure.number = option;
    return -1;
}

/* A socket for f->address, non-blocking unless f->blocking; -1 with errno set. */
static int open_socket(const struct fetch *f)
{
    const struct addrinfo *ai = f->address;
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0 || f->blocking || net_set_nonblocking(fd, true) == 0)
        return fd;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

/* ---- the steps --------------------------------------------------------------------------------
 */

enum fetch_begin_result fetch_begin(struct fetch *f, struct crawl *crawl, int fd_limit)
{
    f->t_start = clock_now();
    f->deadline = f->t_start + f->timeout_s;
    if (f->address == NULL)
        note_failure(f, FETCH_FAIL_RESOLVE, 0);
    else if (f->request_len == 0)
        note_failure(f, FETCH_FAIL_REQUEST_TOO_LONG, 0);
    else if ((f->fd = open_socket(f)) < 0)
        note_failure(
            f, errno == EMFILE || errno == ENFILE ? FETCH_FAIL_NO_DESCRIPTOR : FETCH_FAIL_SOCKET,
            errno);
    else if (f->fd >= fd_limit) { /* select() cannot watch it: as good as no descriptor */
        note_failure(f, FETCH_FAIL_BEYOND_FD_LIMIT, 0);
        f->failure.number = f->fd;
        f->failure.limit = fd_limit;
        close(f->fd);
        f->fd = -1;
    }
    enum fetch_failure_kind kind = f->failure.kind;
    bool no_descriptor = kind == FETCH_FAIL_NO_DESCRIPTOR || kind == FETCH_FAIL_BEYOND_FD_LIMIT;
    if (no_descriptor && crawl->in_flight > 0) { /* not this page's fault: try it again later */
        char reason[NET_WHY_MAX];
        if (f->site->put_back++ == 0 && !crawl->opt.quiet)
            printf("%s: waiting for one of %d fetches to finish\n",
                   failure_text(f, true, reason, sizeof reason), crawl->in_flight);
        crawl_put_back(crawl, &f->url);
        http_response_free(&f->response);
        return FETCH_PUT_BACK;
    }
    f->id = crawl_begin(crawl, &f->url);
    if (kind != FETCH_FAIL_NONE)
        failure_over(f);
    return FETCH_BEGUN;
}

/* Does a blocking connect() need the interrupt timer (interrupt.h) to end at -t? Linux ends
 * it by SO_SNDTIMEO; elsewhere (macOS) SO_SNDTIMEO does not bound connect. The timer's
 * path also runs on Linux when $ASYNCLAB_CONNECT_TIMER is set, so that a test covers it. */
static bool needs_interrupt_timer(const struct fetch *f)
{
#ifdef __linux__
    return f->blocking && getenv("ASYNCLAB_CONNECT_TIMER") != NULL;
#else
    return f->blocking;
#endif
}

/* connect(). On a blocking socket, asleep until the handshake is done or -t passes (then
 * -1 with EINPROGRESS from SO_SNDTIMEO, or EINTR from the interrupt timer). */
static int connect_bounded(struct fetch *f)
{
    struct interrupt_timer timer;
    bool timed = needs_interrupt_timer(f);
    if (timed)
        interrupt_at(&timer, f->deadline);
    int rc = connect(f->fd, f->address->ai_addr, f->address->ai_addrlen);
    int err = errno;
    if (timed)
        interrupt_cancel(&timer);
    errno = err;
    return rc;
}

/* connect() to the next address of the host on the same descriptor number (dup2), so that
 * an engine that files waits by descriptor never sees it change. */
static bool try_next_address(struct fetch *f)
{
    if (f->address == NULL || f->address->ai_next == NULL)
        return false;
    f->address = f->address->ai_next;
    int fd = open_socket(f);
    if (fd < 0)
        return false;
    bool ok = dup2(fd, f->fd) == f->fd;
    close(fd);
    return ok;
}

enum fetch_status fetch_connect(struct fetch *f)
{
    enum fetch_status status = check(f);
    if (status != FETCH_DONE)
        return status;
    for (;;) {
        if (!needs_interrupt_timer(f) && bound_by_deadline(f, SO_SNDTIMEO) != 0)
            return failure_over(f); /* Linux: SO_SNDTIMEO bounds connect() */
        if (connect_bounded(f) == 0)
            break;
        int err = errno;
        f->would_block = err == EINPROGRESS;
        if (f->would_block && !f->blocking)
            return said(f, FETCH_WANT_WRITE, "connect(): in progress, wait for writable");
        if (f->blocking && (err == EINPROGRESS || net_would_block(err)))
            return timed_out(f); /* SO_SNDTIMEO ran out: Linux says EINPROGRESS */
        if (err == EINTR && fetch_interrupted() == 0 && fetch_time_left(f) <= 0)
            return timed_out(f); /* the interrupt timer's signal, at the deadline */
        if (err == EINTR || !try_next_address(f))
            return failed(f, FETCH_FAIL_CONNECT, err);
    }
    return connected(f, "connect(): connected");
}

enum fetch_status fetch_connect_result(struct fetch *f)
{
    enum fetch_status status = check(f);
    if (status != FETCH_DONE)
        return status;
    int err = net_connect_result(f->fd);
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    if (err == 0 && getpeername(f->fd, (struct sockaddr *)&peer, &len) != 0)
        err = errno;
    f->would_block = err == ENOTCONN;
    if (f->would_block)
        return FETCH_WANT_WRITE; /* the handshake is still under way */
    if (err != 0) {
        if (!try_next_address(f))
            return failed(f, FETCH_FAIL_CONNECT, err);
        return fetch_connect(f);
    }
    return connected(f, "connect(): done (getsockopt SO_ERROR 0)");
}

enum fetch_status fetch_send(struct fetch *f)
{
    enum fetch_status status = check(f);
    if (status != FETCH_DONE)
        return status;
    if (bound_by_deadline(f, SO_SNDTIMEO) != 0)
        return failure_over(f);
    ssize_t n = send(f->fd, f->request + f->sent, f->request_len - f->sent, 0);
    f->would_block = n < 0 && net_would_block(errno);
    if (f->would_block && f->blocking)
        return timed_out(f); /* SO_SNDTIMEO ran out */
    if (f->would_block)
        return said(f, FETCH_WANT_WRITE, "send(): would block, wait for writable");
    if (n < 0)
        return failed(f, FETCH_FAIL_SEND, errno);
    const char *sent_now = f->request + f->sent;
    f->sent += (size_t)n;
    if (f->sent < f->request_len)
        status = said(f, FETCH_WANT_WRITE, "send(): part of the request sent");
    else {
        f->phase = FETCH_RECEIVING;
        status = said(f, FETCH_DONE, "send(): request sent");
    }
    if (f->show_text)
        fetch_text_show(&f->text, '>', sent_now, (size_t)n);
    return status;
}

enum fetch_status fetch_recv(struct fetch *f)
{
    enum fetch_status status = check(f);
    if (status != FETCH_DONE)
        return status;
    if (bound_by_deadline(f, SO_RCVTIMEO) != 0)
        return failure_over(f);
    char buffer[FETCH_RECV_SIZE];
    ssize_t n = recv(f->fd, buffer, sizeof buffer, 0);
    f->recv_calls++;
    f->would_block = n < 0 && net_would_block(errno);
    if (f->would_block && f->blocking)
        return timed_out(f); /* SO_RCVTIMEO ran out */
    if (f->would_block)
        return said(f, FETCH_WANT_READ, "recv(): would block, wait for readable");
    if (n < 0)
        return failed(f, FETCH_FAIL_RECV, errno);
    if (f->t_first_byte == 0)
        f->t_first_byte = clock_now();
    enum http_result result = n == 0 ? http_response_finish(&f->response)
                                     : http_response_feed(&f->response, buffer, (size_t)n);
    if (result == HTTP_MORE)
        status = said(f, FETCH_WANT_READ, "recv(): got bytes, more to come");
    else if (result == HTTP_ERROR) {
        status = fail(f, FETCH_FAIL_BAD_RESPONSE, 0);
    } else {
        status = over(f, FETCH_DONE);
        narrate(f, "recv(): response done, status %d", f->response.status);
    }
    if (f->show_text)
        fetch_text_show(&f->text, '<', buffer, (size_t)n);
    return status;
}

enum fetch_status fetch_blocking(struct fetch *f)
{
    enum fetch_status status = fetch_connect(f); /* sleeps in connect() */
    if (status == FETCH_DONE)
        status = fetch_send(f); /* sleeps in send() while the kernel has no room */
    while (status == FETCH_WANT_WRITE)
        status = fetch_send(f);
    if (status == FETCH_DONE)
        status = fetch_recv(f); /* sleeps in recv() until bytes come */
    while (status == FETCH_WANT_READ)
        status = fetch_recv(f);
    return status;
}

/* ---- the outcome ------------------------------------------------------------------------------
 */

const char *fetch_timing_note(const struct fetch *f, char *buf, size_t size)
{
    double end = f->t_end > 0 ? f->t_end : clock_now();
    double first = f->t_first_byte > 0 ? f->t_first_byte : end;
    snprintf(buf, size, "connect %.1f ms, wait %.1f ms, read %.1f ms, %d recv",
             (f->t_connected - f->t_start) * 1000, (first - f->t_connected) * 1000,
             (end - first) * 1000, f->recv_calls);
    return buf;
}

void fetch_report(struct crawl *crawl, struct fetch *f, const char *note)
{
    /* -v's HTTP text: the body as far as the parser took it (none if it refused the head). */
    if (f->show_text)
        fetch_text_end(&f->text,
                       http_response_has_headers(&f->response) || f->response.body_len > 0,
                       f->response.body_len);
    /* The phases for --svg, filed from the times the steps took: the steps may run outside
     * any lock (08), and only this call is made under the crawl's. */
    struct chart_fetch *rec = &crawl->records[f->id];
    double program_start = clock_now() - clock_elapsed();
    if (f->t_connected > 0)
        rec->connected = f->t_connected - program_start;
    if (f->t_first_byte > 0)
        rec->first_byte = f->t_first_byte - program_start;
    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
    if (f->phase != FETCH_OVER) { /* an engine that stops early (a signal) abandons it */
        fail(f, FETCH_FAIL_ABANDONED, 0);
    }
    if (f->last == FETCH_DONE)
        crawl_done(crawl, f->id, &f->response, note);
    else
        crawl_failed(crawl, f->id, f->why,
                     f->failure.kind == FETCH_FAIL_CONNECT ||
                         f->failure.kind == FETCH_FAIL_RESOLVE);
    http_response_free(&f->response);
}
