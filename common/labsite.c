/* labsite.c — the lab server's content: the generated site and the fault pages.
 *
 * Everything here depends only on the request (and the page count and port): no
 * sockets, no clocks. 00-labserver decides when to send; this file decides what.
 */
#include "labsite.h"

#include "errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    SEND_CHUNK = 64 * 1024,    /* the longest stretch answer_next() hands out at once */
    MANY_LINKS = 20000,        /* links on /fault/many-links */
    LONG_HEADER = 1024 * 1024, /* /fault/long-header: one header line of 1 MiB */
    DRIP_MS = 20,              /* /fault/slow: one byte per DRIP_MS */
    SLOW_DRIP_MS = 200,        /* /fault/drip-headers, /fault/drip-body: one byte per 200 ms */
};
static const long long HUGE_BODY = 50LL * 1024 * 1024; /* /fault/huge: 52,428,800 bytes */

static void text_reserve(struct text *t, size_t more)
{
    if (t->len + more + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 1024;
    while (cap < t->len + more + 1)
        cap *= 2;
    t->data = xrealloc(t->data, cap);
    t->cap = cap;
}

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("vsnprintf failed");
    text_reserve(t, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static void text_add_bytes(struct text *t, const void *bytes, size_t n)
{
    text_reserve(t, n);
    memcpy(t->data + t->len, bytes, n);
    t->len += n;
    t->data[t->len] = '\0';
}

/* ------------------------------------------------------------------------------------
 * The answer's parts (labsite.h). A pattern buffer holds its unit repeated to one extra
 * SEND_CHUNK, so a stretch of up to SEND_CHUNK bytes from any offset is one pointer.
 */
struct pattern {
    char *bytes;   /* the unit repeated to period + SEND_CHUNK bytes */
    size_t period; /* length of the unit */
};

static void pattern_init(struct pattern *p, const char *unit)
{
    p->period = strlen(unit);
    p->bytes = xrealloc(NULL, p->period + SEND_CHUNK);
    for (size_t i = 0; i < p->period + SEND_CHUNK; i++)
        p->bytes[i] = unit[i % p->period];
}

/* The stretch of bytes at offset `at`, part by part: head, shared, fill, tail. */
static bool stretch_at(const struct answer *a, long long at, const char **bytes, size_t *n)
{
    if (at < (long long)a->head.len) {
        *bytes = a->head.data + at;
        *n = a->head.len - (size_t)at;
        return true;
    }
    at -= (long long)a->head.len;
    if (at < (long long)a->shared_len) {
        *bytes = a->shared + at;
        *n = a->shared_len - (size_t)at;
        return true;
    }
    at -= (long long)a->shared_len;
    if (a->fill != NULL && (a->fill_len < 0 || at < a->fill_len)) {
        long long left = a->fill_len < 0 ? SEND_CHUNK : a->fill_len - at;
        *bytes = a->fill->bytes + at % (long long)a->fill->period;
        *n = left < SEND_CHUNK ? (size_t)left : SEND_CHUNK;
        return true;
    }
    if (a->fill != NULL)
        at -= a->fill_len;
    if (at < (long long)a->tail.len) {
        *bytes = a->tail.data + at;
        *n = a->tail.len - (size_t)at;
        return true;
    }
    return false;
}

bool answer_next(const struct answer *a, const char **bytes, size_t *n)
{
    if (a->end > 0 && a->sent >= a->end)
        return false;
    if (!stretch_at(a, a->sent, bytes, n))
        return false;
    if (a->end > 0 && (long long)*n > a->end - a->sent)
        *n = (size_t)(a->end - a->sent);
    return true;
}

void answer_free(struct answer *a)
{
    free(a->head.data);
    free(a->tail.data);
    memset(a, 0, sizeof *a);
}

/* Where "\r\n\r\n" ends in buf, or -1. */
static long long blank_line_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            return (long long)i + 4;
    return -1;
}

/* HEAD: cut the answer just after its headers, whatever page built it. An answer whose
 * headers never end (the fault pages that break them) is all headers: it stays whole. */
static void cut_to_headers(struct answer *a)
{
    long long offset = 0, at;
    a->body_len = 0;
    if ((at = blank_line_end(a->head.data, a->head.len)) >= 0) {
        a->end = offset + at;
        return;
    }
    offset += (long long)a->head.len;
    if ((at = blank_line_end(a->shared, a->shared_len)) >= 0) {
        a->end = offset + at;
        return;
    }
    if (a->fill != NULL && a->fill_len < 0)
        return;
    offset += (long long)a->shared_len + (a->fill != NULL ? a->fill_len : 0);
    if ((at = blank_line_end(a->tail.data, a->tail.len)) >= 0)
        a->end = offset + at;
}

static const char *status_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Unknown";
    }
}

/* The status line and headers of an ordinary response. extra holds more header lines,
 * each ending in \r\n, or "". */
static void add_headers(struct text *t, int status, const char *type, const char *extra,
                        size_t body_len)
{
    text_add(t,
             "HTTP/1.0 %d %s\r\nServer: asynclab-labserver\r\nContent-Type: %s\r\n"
             "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
             status, status_reason(status), type, body_len, extra);
}

/* A complete, ordinary response: headers with Content-Length, then the body. */
static void answer_complete(struct answer *a, int status, const char *type, const char *extra,
                            const char *body, size_t body_len)
{
    a->status = status;
    a->body_len = (long long)body_len;
    add_headers(&a->head, status, type, extra, body_len);
    text_add_bytes(&a->head, body, body_len);
}

void labsite_error(struct answer *a, int status)
{
    struct text body = {0};
    text_add(&body,
             "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n"
             "<body><h1>%d %s</h1><p>asynclab lab server.</p></body></html>\n",
             status, status_reason(status), status, status_reason(status));
    answer_complete(a, status, "text/html", status == 405 ? "Allow: GET, HEAD\r\n" : "", body.data,
                    body.len);
    free(body.data);
}

/* ------------------------------------------------------------------------------------
 * The generated site. Page 0 is `/`; the children of page i are LABSITE_FANOUT*i+1 ..
 * LABSITE_FANOUT*i+LABSITE_FANOUT (those <= N), so a crawl from `/` reaches every page and each
 * level has several pages to fetch at once. Every byte depends only on the page number and N (never
 * on the port), so docs/00-labserver.md can state exact byte counts.
 */
static const char *const filler[] = {
    "A crawler spends most of its life waiting: for a connection, for the first byte, "
    "for the rest of the page.",
    "This server holds every answer back for a fixed delay, as a distant server would, "
    "without holding back anybody else.",
    "One thread and one event loop serve every connection here; nothing sleeps and "
    "nothing spins.",
    "Fetched one after another, these pages cost the sum of their delays; fetched "
    "together, about one delay per level of the tree.",
    "Every page is generated from its number alone, so two runs of the server give the "
    "same bytes.",
    "The links on this page are written in several ways on purpose: quoted, unquoted, "
    "upper case and relative.",
    "A correct crawl visits each page once, stays on this host, ignores fragments and "
    "reports the one dead link.",
    "Counting bytes is a good test: a crawler that loses or repeats a page gets a "
    "different total.",
};
enum { FILLERS = sizeof filler / sizeof filler[0] };

/* One link to child page `child`, written in one of five ways depending on its place
 * among its siblings. The relative form differs on `/` and on /page/i so that both
 * resolve to /page/child. */
static void add_child_link(struct text *t, long page, long child)
{
    switch ((child - 1) % LABSITE_FANOUT) {
    case 0:
        text_add(t, "<li><a href=\"/page/%ld\">page %ld</a></li>\n", child, child);
        break;
    case 1:
        text_add(t, "<li><a href='/page/%ld'>page %ld</a></li>\n", child, child);
        break;
    case 2:
        text_add(t, "<li><a href=/page/%ld>page %ld</a></li>\n", child, child);
        break;
    case 3:
        text_add(t, "<li><A HREF=\"/page/%ld\">page %ld</A></li>\n", child, child);
        break;
    default:
        text_add(t, "<li><a href=\"%spage/%ld\">page %ld</a></li>\n", page == 0 ? "" : "../", child,
                 child);
    }
}

static void render_page(long page, long pages, struct text *t)
{
    long first = LABSITE_FANOUT * page + 1, last = LABSITE_FANOUT * page + LABSITE_FANOUT;
    if (last > pages)
        last = pages;

    text_add(t, "<!DOCTYPE html>\n<html>\n");
    if (page == 0) {
        text_add(t, "<head><title>asynclab site: home</title></head>\n<body id=\"top\">\n"
                    "<h1>asynclab test site</h1>\n");
        text_add(t, "<p>%ld pages below this one, %d children per page.</p>\n", pages,
                 LABSITE_FANOUT);
    } else {
        long parent = (page - 1) / LABSITE_FANOUT, next = page % pages + 1;
        char up[32] = "/";
        if (parent > 0)
            snprintf(up, sizeof up, "/page/%ld", parent);
        text_add(t,
                 "<head><title>asynclab site: page %ld</title></head>\n<body id=\"top\">\n"
                 "<h1>Page %ld</h1>\n",
                 page, page);
        text_add(t,
                 "<p><a href=\"/\">home</a> | <a class=\"up\"\n   href=\"%s\">up</a> | "
                 "<a href=\"%ld\">next: page %ld</a></p>\n",
                 up, next, next);
    }
    if (first <= last) {
        text_add(t, "<h2>Children</h2>\n<ul>\n");
        for (long child = first; child <= last; child++)
            add_child_link(t, page, child);
        text_add(t,
                 "</ul>\n<p>Once more, <a href=\"/page/%ld\">page %ld</a>, and "
                 "<a href=\"/page/%ld#top\">the top of page %ld</a>.</p>\n",
                 first, first, first, first);
    } else {
        text_add(t, "<p>No children here. <a href=\"#top\">Back to the top</a>.</p>\n");
    }
    if (page == 0)
        text_add(t, "<p>Broken on purpose: <a href=\"/page/missing\">a page that does not "
                    "exist</a>.</p>\n");
    text_add(t, "<p>Elsewhere: <a href=\"http://offsite.invalid/\">a site that is not this "
                "one</a>.</p>\n<p>");
    for (long i = 0; i < 6 + page % 5; i++)
        text_add(t, "%s%s", i ? "\n" : "", filler[(page + i) % FILLERS]);
    text_add(t, "</p>\n</body>\n</html>\n");
}

/* "123" -> 123 when it is a plain decimal in [1, max] (no sign, no leading zero). */
static long parse_page_number(const char *s, long max)
{
    if (*s < '1' || *s > '9')
        return -1;
    long n = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        n = n * 10 + (*s - '0');
        if (n > max)
            return -1;
    }
    return n;
}

/* ------------------------------------------------------------------------------------
 * The fault pages: each misbehaves in one documented way (docs/00-labserver.md).
 */
struct labsite {
    long pages;
    int port;
    struct text many_links; /* /fault/many-links, headers and all: 858 KB built once */
    long long many_links_body;
    struct pattern huge_body, endless_header, long_header_value;
};

struct fault {
    const char *path;
    void (*prepare)(const struct labsite *site, struct answer *a);
};

static void fault_close_early(const struct labsite *site, struct answer *a)
{
    (void)site, (void)a; /* nothing at all: an empty answer, then our side closes */
}

static void fault_close_mid_headers(const struct labsite *site, struct answer *a)
{
    (void)site;
    a->status = 200;
    text_add(&a->head, "HTTP/1.0 200 OK\r\nContent-Ty");
}

static void fault_close_mid_body(const struct labsite *site, struct answer *a)
{
    (void)site;
    a->status = 200;
    a->body_len = 100;
    text_add(&a->head, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n"
                       "\r\n");
    for (int i = 0; i < 10; i++)
        text_add(&a->head, "%-9d\n", i * 10); /* 10 lines of 10 bytes: 100 of the 1000 */
}

static void fault_never(const struct labsite *site, struct answer *a)
{
    (void)site;
    a->pace = PACE_NEVER;
}

static void fault_bad_status(const struct labsite *site, struct answer *a)
{
    (void)site;
    a->body_len = 6;
    text_add(&a->head, "this is not an HTTP status line\r\nContent-Length: 6\r\n\r\nhello\n");
}

static void fault_huge(const struct labsite *site, struct answer *a)
{
    (void)site;
    a->status = 200;
    a->body_len = HUGE_BODY;
    text_add(&a->head,
             "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %lld\r\n\r\n",
             HUGE_BODY);
    a->fill = &site->huge_body;
    a->fill_len = HUGE_BODY;
}

static void fault_endless_header(const struct labsite *site, struct answer *a)
{
    (void)site;
    a->status = 200;
    a->body_len = -1;
    text_add(&a->head, "HTTP/1.0 200 OK\r\n");
    a->fill = &site->endless_header;
    a->fill_len = -1;
}

static void fault_long_header(const struct labsite *site, struct answer *a)
{
    (void)site;
    static const char name[] = "X-Long: ", body[] = "<p>after a header line of 1 MiB</p>\n";
    a->status = 200;
    a->body_len = (long long)strlen(body);
    text_add(&a->head, "HTTP/1.0 200 OK\r\n%s", name);
    a->fill = &site->long_header_value; /* the line, CRLF included, is exactly LONG_HEADER bytes */
    a->fill_len = LONG_HEADER - (long long)strlen(name) - 2;
    text_add(&a->tail, "\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n\r\n%s", strlen(body),
             body);
}

static void fault_slow(const struct labsite *site, struct answer *a)
{
    (void)site;
    a->status = 200;
    a->body_len = 13;
    a->pace = PACE_DRIP;
    a->drip_ms = DRIP_MS;
    text_add(&a->head, "HTTP/1.0 200 OK\r\nContent-Length: 13\r\n\r\nslow but ok.\n"); /* 52 */
}

/* Headers that take 14 s to arrive: a client whose timer restarts on every byte waits
 * for all of them; a client with a deadline per fetch (-t) gives up on time. */
static void fault_drip_headers(const struct labsite *site, struct answer *a)
{
    (void)site;
    a->status = 200;
    a->body_len = 9;
    a->pace = PACE_DRIP;
    a->drip_ms = SLOW_DRIP_MS;
    text_add(&a->head, "HTTP/1.0 200 OK\r\nX-Drip: one byte every 200 ms\r\n"
                       "Content-Length: 9\r\n\r\n"); /* 70 bytes: 14 s */
    text_add(&a->tail, "dripped.\n");
}

/* Headers at once, then a 100-byte body one byte every 200 ms: 20 s in all. */
static void fault_drip_body(const struct labsite *site, struct answer *a)
{
    (void)site;
    a->status = 200;
    a->body_len = 100;
    a->pace = PACE_DRIP;
    a->drip_ms = SLOW_DRIP_MS;
    text_add(&a->head, "HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n");
    a->drip_after = (long long)a->head.len;
    for (int i = 0; i < 10; i++)
        text_add(&a->tail, "drip-body\n"); /* 10 x 10 bytes */
}

static void fault_binary(const struct labsite *site, struct answer *a)
{
    (void)site;
    unsigned char body[512];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (unsigned char)(i % 256); /* NUL, control and high bytes, twice */
    answer_complete(a, 200, "application/octet-stream", "", (const char *)body, sizeof body);
}

static void fault_no_length(const struct labsite *site, struct answer *a)
{
    (void)site;
    static const char body[] = "<!DOCTYPE html>\n<html><body><p>This page has no "
                               "Content-Length: it ends when the connection closes.</p>"
                               "</body></html>\n";
    a->status = 200;
    a->body_len = (long long)strlen(body);
    text_add(&a->head, "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n%s", body);
}

static void redirect_to(struct answer *a, const char *location)
{
    struct text header = {0};
    static const char body[] = "redirecting\n";
    text_add(&header, "Location: %s\r\n", location);
    answer_complete(a, 302, "text/plain", header.data, body, strlen(body));
    free(header.data);
}

static void fault_redirect(const struct labsite *site, struct answer *a)
{
    (void)site;
    redirect_to(a, "/");
}

static void fault_redirect_self(const struct labsite *site, struct answer *a)
{
    (void)site;
    redirect_to(a, "/fault/redirect-self");
}

/* Served from the copy built once by labsite_new(): no per-request work or memory. */
static void fault_many_links(const struct labsite *site, struct answer *a)
{
    a->status = 200;
    a->body_len = site->many_links_body;
    a->shared = site->many_links.data;
    a->shared_len = site->many_links.len;
}

static void build_many_links(struct labsite *site)
{
    struct text body = {0};
    text_add(&body, "<!DOCTYPE html>\n<html><body><h1>%d links</h1>\n", MANY_LINKS);
    for (int i = 1; i <= MANY_LINKS; i++)
        text_add(&body, "<a href=\"/fault/many-links/%d\">%d</a>\n", i, i);
    text_add(&body, "</body></html>\n");
    add_headers(&site->many_links, 200, "text/html", "", body.len);
    text_add_bytes(&site->many_links, body.data, body.len);
    site->many_links_body = (long long)body.len;
    free(body.data);
}

static void fault_tricky_links(const struct labsite *site, struct answer *a)
{
    struct text body = {0};
    text_add(&body,
             "<!DOCTYPE html>\n<html><body><h1>Links a crawler must think about</h1>\n"
             "<p><a href=\"http://offsite.invalid/page/1\">another host</a></p>\n"
             "<p><a href=\"//127.0.0.1:%d/page/2\">protocol-relative, this server</a></p>\n"
             "<p><a href=\"../../../page/1\">dot segments beyond the root</a></p>\n"
             "<p><a href=\"/page/3?a=1&amp;b=2\">an entity in the query</a></p>\n"
             "<p><a href=\"javascript:void(0)\">script</a></p>\n"
             "<p><a href=\"mailto:x@y\">mail</a></p>\n"
             "<p>And one that never ends: <a href=\"/page/4",
             site->port);
    answer_complete(a, 200, "text/html", "", body.data, body.len);
    free(body.data);
}

static const struct fault faults[] = {
    {"/fault/close-early", fault_close_early},
    {"/fault/close-mid-headers", fault_close_mid_headers},
    {"/fault/close-mid-body", fault_close_mid_body},
    {"/fault/never", fault_never},
    {"/fault/bad-status", fault_bad_status},
    {"/fault/huge", fault_huge},
    {"/fault/endless-header", fault_endless_header},
    {"/fault/long-header", fault_long_header},
    {"/fault/slow", fault_slow},
    {"/fault/drip-headers", fault_drip_headers},
    {"/fault/drip-body", fault_drip_body},
    {"/fault/binary", fault_binary},
    {"/fault/no-length", fault_no_length},
    {"/fault/redirect", fault_redirect},
    {"/fault/redirect-self", fault_redirect_self},
    {"/fault/many-links", fault_many_links},
    {"/fault/tricky-links", fault_tricky_links},
};

static void route_get(const struct labsite *site, const char *path, struct answer *a)
{
    long page = -1;
    if (strcmp(path, "/") == 0)
        page = 0;
    else if (strncmp(path, "/page/", 6) == 0)
        page = parse_page_number(path + 6, site->pages);
    if (page >= 0) {
        struct text body = {0};
        render_page(page, site->pages, &body);
        answer_complete(a, 200, "text/html", "", body.data, body.len);
        free(body.data);
        return;
    }
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        if (strcmp(path, faults[i].path) == 0) {
            faults[i].prepare(site, a);
            return;
        }
    }
    if (strncmp(path, "/fault/many-links/", 18) == 0 &&
        parse_page_number(path + 18, MANY_LINKS) > 0) {
        static const char leaf[] = "<!DOCTYPE html>\n<html><body><p>a leaf</p></body></html>\n";
        answer_complete(a, 200, "text/html", "", leaf, strlen(leaf));
        return;
    }
    labsite_error(a, 404);
}

void labsite_route(const struct labsite *site, const char *method, const char *path,
                   struct answer *a)
{
    bool head_only = strcmp(method, "HEAD") == 0;
    if (!head_only && strcmp(method, "GET") != 0)
        labsite_error(a, 405);
    else
        route_get(site, path, a);
    if (head_only)
        cut_to_headers(a); /* the same headers as GET, and nothing after them */
}

struct labsite *labsite_new(long pages, int port)
{
    struct labsite *site = xrealloc(NULL, sizeof *site);
    *site = (struct labsite){0};
    site->pages = pages;
    site->port = port;
    build_many_links(site);
    pattern_init(&site->huge_body, "asynclab /fault/huge: 50 MiB of this line, as fast as you "
                                   "read\n");
    pattern_init(&site->endless_header,
                 "X-Endless: this header never ends; a client must cap it\r\n");
    pattern_init(&site->long_header_value, "x");
    return site;
}

void labsite_free(struct labsite *site)
{
    if (site == NULL)
        return;
    free(site->many_links.data);
    free(site->huge_body.bytes);
    free(site->endless_header.bytes);
    free(site->long_header_value.bytes);
    free(site);
}
