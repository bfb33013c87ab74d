/* http.c — the GET request, and an incremental HTTP/1.0 response parser (see http.h).
 *
 * The parser is a small state machine: HEAD (collecting the status line and headers, a
 * line at a time) then BODY (copying bytes until Content-Length or end of file) then DONE
 * or ERROR. Each line is checked as soon as its '\n' arrives, so a broken server is
 * reported at the first bad line, not after a timeout. Every buffer is capped before it
 * grows: whatever the server sends, memory stays below the caps.
 */
#include "http.h"

#include "ascii.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PHASE_HEAD, PHASE_BODY, PHASE_DONE, PHASE_ERROR };

enum { HEAD_FIRST_ALLOC = 1024, BODY_FIRST_ALLOC = 4096 };

static enum http_result fail(struct http_response *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum http_result fail(struct http_response *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    r->phase = PHASE_ERROR;
    return HTTP_ERROR;
}

static enum http_result result_of(const struct http_response *r)
{
    if (r->phase == PHASE_DONE)
        return HTTP_DONE;
    if (r->phase == PHASE_ERROR)
        return HTTP_ERROR;
    return HTTP_MORE;
}

/* A cap as people say it: "64 KiB", "8 MiB", "1000 bytes". */
static const char *cap_text(size_t bytes, char *buf, size_t size)
{
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
        snprintf(buf, size, "%zu MiB", bytes / (1024 * 1024));
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(buf, size, "%zu KiB", bytes / 1024);
    else
        snprintf(buf, size, "%zu bytes", bytes);
    return buf;
}

/* Bytes a header value or a reason phrase may not hold: controls other than tab, DEL. */
static bool is_control(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* RFC 9110 "tchar": the characters of a header name. */
static bool is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || ascii_is_digit(c) ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

void http_response_init(struct http_response *r, size_t body_cap, size_t header_cap)
{
    memset(r, 0, sizeof *r);
    r->content_length = -1;
    r->body_cap_limit = body_cap ? body_cap : HTTP_BODY_CAP;
    r->header_cap_limit = header_cap ? header_cap : HTTP_HEADER_CAP;
    r->phase = PHASE_HEAD;
}

void http_response_free(struct http_response *r)
{
    free(r->body);
    free(r->head);
    r->body = NULL;
    r->head = NULL;
    r->body_len = r->body_alloc = r->head_len = 0;
}

/* "HTTP/1.1 200 OK": "HTTP/", a digit, ".", a digit, a space, three digits, and either
 * nothing more or a space and a reason phrase. */
static enum http_result parse_status_line(struct http_response *r, const char *s, size_t n)
{
    if (n < 12 || memcmp(s, "HTTP/", 5) != 0 || !ascii_is_digit((unsigned char)s[5]) ||
        s[6] != '.' || !ascii_is_digit((unsigned char)s[7]) || s[8] != ' ')
        return fail(r, "malformed status line");
    int status = 0;
    for (size_t i = 9; i < 12; i++) {
        if (!ascii_is_digit((unsigned char)s[i]))
            return fail(r, "malformed status line");
        status = status * 10 + (s[i] - '0');
    }
    if (status < 100 || (n > 12 && s[12] != ' '))
        return fail(r, "malformed status line");
    for (size_t i = 13; i < n; i++)
        if (is_control((unsigned char)s[i]))
            return fail(r, "malformed status line");
    r->status = status;
    return HTTP_MORE;
}

/* One element of a Content-Length list: digits only, no sign, no overflow. Returns the
 * value, or -1 (too large: -2). */
static long long content_length_value(const char *v, size_t n)
{
    if (n == 0)
        return -1;
    long long value = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ascii_is_digit((unsigned char)v[i]))
            return -1;
        int digit = v[i] - '0';
        if (value > (LLONG_MAX - digit) / 10)
            return -2;
        value = value * 10 + digit;
    }
    return value;
}

/* "5", or a list of the same number ("5, 5", or a second Content-Length header saying 5
 * again), which RFC 9110 lets a recipient accept as that number. Two different numbers
 * mean the body's end is unknown: refused. */
static enum http_result parse_content_length(struct http_response *r, const char *v, size_t n)
{
    for (size_t i = 0; i <= n;) {
        size_t start = i;
        while (i < n && v[i] != ',')
            i++;
        size_t from = start, to = i;
        while (from < to && (v[from] == ' ' || v[from] == '\t'))
            from++;
        while (to > from && (v[to - 1] == ' ' || v[to - 1] == '\t'))
            to--;
        long long value = content_length_value(v + from, to - from);
        if (value == -2)
            return fail(r, "bad Content-Length: too large");
        if (value < 0)
            return fail(r, "bad Content-Length");
        if (r->content_length >= 0 && r->content_length != value)
            return fail(r, "bad Content-Length: two different values (%lld and %lld)",
                        r->content_length, value);
        if ((unsigned long long)value > r->body_cap_limit) {
            char cap[32];
            return fail(r, "body larger than %s (Content-Length: %lld)",
                        cap_text(r->body_cap_limit, cap, sizeof cap), value);
        }
        r->content_length = value;
        i++; /* past the ',' (or past the end) */
    }
    return HTTP_MORE;
}

/* "Name: value" with optional white space around the value. */
static enum http_result parse_header_line(struct http_response *r, const char *s, size_t n)
{
    size_t name_len = 0;
    while (name_len < n && is_token_char((unsigned char)s[name_len]))
        name_len++;
    if (name_len == 0 || name_len == n || s[name_len] != ':')
        return fail(r, "malformed header line");
    const char *v = s + name_len + 1;
    size_t v_len = n - name_len - 1;
    while (v_len > 0 && (v[0] == ' ' || v[0] == '\t')) {
        v++;
        v_len--;
    }
    while (v_len > 0 && (v[v_len - 1] == ' ' || v[v_len - 1] == '\t'))
        v_len--;
    for (size_t i = 0; i < v_len; i++)
        if (is_control((unsigned char)v[i]))
            return fail(r, "malformed header line");

    if (ascii_equals_nocase(s, name_len, "content-length"))
        return parse_content_length(r, v, v_len);
    if (ascii_equals_nocase(s, name_len, "transfer-encoding") &&
        !ascii_equals_nocase(v, v_len, "identity"))
        return fail(r, "Transfer-Encoding is not supported (this is an HTTP/1.0 client)");
    if (ascii_equals_nocase(s, name_len, "location")) {
        if (v_len >= sizeof r->location)
            return fail(r, "Location header longer than %zu bytes", sizeof r->location - 1);
        memcpy(r->location, v, v_len);
        r->location[v_len] = '\0';
    }
    return HTTP_MORE;
}

/* Make room for `more` body bytes plus the NUL, doubling the buffer (never past the cap
 * and never past a known Content-Length). */
static enum http_result reserve_body(struct http_response *r, size_t more)
{
    size_t need = r->body_len + more + 1;
    if (need <= r->body_alloc)
        return HTTP_MORE;
    size_t limit = r->body_cap_limit + 1;
    if (r->content_length >= 0)
        limit = (size_t)r->content_length + 1;
    size_t size = r->body_alloc ? r->body_alloc : BODY_FIRST_ALLOC;
    while (size < need)
        size *= 2;
    if (size > limit)
        size = limit;
    char *body = realloc(r->body, size);
    if (body == NULL)
        return fail(r, "out of memory for a body of %zu bytes", size);
    r->body = body;
    r->body_alloc = size;
    return HTTP_MORE;
}

static enum http_result append_body(struct http_response *r, const char *data, size_t n)
{
    if (r->content_length < 0 && n > r->body_cap_limit - r->body_len) {
        char cap[32];
        return fail(r, "body larger than %s", cap_text(r->body_cap_limit, cap, sizeof cap));
    }
    if (r->count_only) {
        r->body_len += n;
        return HTTP_MORE;
    }
    if (reserve_body(r, n) != HTTP_MORE)
        return HTTP_ERROR;
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return HTTP_MORE;
}

/* The empty line after the headers: what comes next is the body (if any). */
/* A 1xx answer ("100 Continue", "103 Early Hints") is interim: it has no body and the
 * real response follows it on the same connection. Forget it and read the next status
 * line; its bytes still count against the header cap, so endless 1xx lines end there.
 * 101 would switch protocols, which this client never asks for. */
static enum http_result skip_interim(struct http_response *r)
{
    if (r->status == 101)
        return fail(r, "101 Switching Protocols, not asked for");
    r->interim_len += r->head_len;
    r->head_len = 0;
    r->status = 0;
    r->content_length = -1;
    r->location[0] = '\0';
    return HTTP_MORE;
}

static enum http_result end_of_head(struct http_response *r)
{
    free(r->head); /* every line has been read: the header text is no longer needed */
    r->head = NULL;
    if (r->status >= 100 && r->status < 200)
        return skip_interim(r);
    if (r->status == 204 || r->status == 304) /* these never have a body */
        r->content_length = 0;
    r->phase = PHASE_BODY;
    if (!r->count_only) {
        if (reserve_body(r, 0) != HTTP_MORE)
            return HTTP_ERROR;
        r->body[0] = '\0';
    }
    if (r->content_length == 0)
        r->phase = PHASE_DONE;
    return result_of(r);
}

/* One whole line of the head, without its "\n" (a "\r" before it is dropped here). */
static enum http_result head_line(struct http_response *r, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (r->status == 0)
        return parse_status_line(r, s, n);
    if (n == 0)
        return end_of_head(r);
    return parse_header_line(r, s, n);
}

/* The size of the head buffer that holds len bytes: a power of two from 1 KiB, at most the
 * cap. A function of head_len alone, so the struct need not remember it. */
static size_t head_alloc_for(const struct http_response *r, size_t len)
{
    size_t size = HEAD_FIRST_ALLOC;
    while (size < len)
        size *= 2;
    return size < r->header_cap_limit ? size : r->header_cap_limit;
}

/* Do the first five bytes of the response, as far as they have come, read "HTTP/"? The
 * bytes already in r->head were checked when they arrived; look at the new ones. */
static bool starts_like_status_line(const struct http_response *r, const char *data, size_t n)
{
    static const char prefix[] = "HTTP/";
    for (size_t i = r->head_len; i < 5 && i - r->head_len < n; i++)
        if (data[i - r->head_len] != prefix[i])
            return false;
    return true;
}

/* Take bytes of the head from data, up to and including one '\n' at most. Returns how
 * many bytes were used. */
static size_t feed_head(struct http_response *r, const char *data, size_t n)
{
    const char *newline = memchr(data, '\n', n);
    size_t take = newline ? (size_t)(newline - data) + 1 : n;
    /* Garbage usually shows in the first bytes: say so at once, however it is chunked. */
    if (r->status == 0 && !starts_like_status_line(r, data, take)) {
        fail(r, "malformed status line");
        return n;
    }
    if (take > r->header_cap_limit - r->head_len - r->interim_len) {
        char cap[32];
        fail(r, "headers larger than %s", cap_text(r->header_cap_limit, cap, sizeof cap));
        return n;
    }
    size_t size = head_alloc_for(r, r->head_len + take);
    if (r->head == NULL || size > head_alloc_for(r, r->head_len)) {
        char *head = realloc(r->head, size);
        if (head == NULL) {
            fail(r, "out of memory for the headers");
            return n;
        }
        r->head = head;
    }
    memcpy(r->head + r->head_len, data, take);
    r->head_len += take;
    if (newline != NULL) {
        size_t line = r->head_len - 1;
        while (line > 0 && r->head[line - 1] != '\n')
            line--;
        head_line(r, r->head + line, r->head_len - 1 - line);
    }
    return take;
}

static void feed_body(struct http_response *r, const char *data, size_t n)
{
    if (r->content_length >= 0) {
        size_t left = (size_t)r->content_length - r->body_len;
        if (n > left)
            n = left; /* bytes after the body are not part of this response */
    }
    if (append_body(r, data, n) != HTTP_MORE)
        return;
    if (r->content_length >= 0 && r->body_len == (size_t)r->content_length)
        r->phase = PHASE_DONE;
}

enum http_result http_response_feed(struct http_response *r, const char *data, size_t n)
{
    size_t used = 0;
    while (used < n && r->phase == PHASE_HEAD)
        used += feed_head(r, data + used, n - used);
    if (used < n && r->phase == PHASE_BODY)
        feed_body(r, data + used, n - used);
    return result_of(r);
}

enum http_result http_response_finish(struct http_response *r)
{
    if (r->phase == PHASE_HEAD && r->status == 0)
        return fail(r, "connection closed before the status line");
    if (r->phase == PHASE_HEAD)
        return fail(r, "connection closed in the headers");
    if (r->phase == PHASE_BODY && r->content_length >= 0)
        return fail(r, "connection closed mid-body (%zu of %lld bytes)", r->body_len,
                    r->content_length);
    if (r->phase == PHASE_BODY)
        r->phase = PHASE_DONE;
    return result_of(r);
}

/* A request line is cut by the first space, CR or LF: never let one through. */
static bool fit_for_request(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s == 0x7f)
            return false;
    return true;
}

int http_format_request(const struct url *u, char *buf, size_t size)
{
    if (u->path[0] != '/' || !fit_for_request(u->path) || u->host[0] == '\0' ||
        !fit_for_request(u->host))
        return -1;
    bool literal = strchr(u->host, ':') != NULL;
    char port[8] = "";
    if (u->port != 80)
        snprintf(port, sizeof port, ":%d", u->port);
    int len = snprintf(buf, size,
                       "GET %s HTTP/1.0\r\n"
                       "Host: %s%s%s%s\r\n"
                       "User-Agent: asynclab\r\n"
                       "Connection: close\r\n"
                       "\r\n",
                       u->path, literal ? "[" : "", u->host, literal ? "]" : "", port);
    if (len < 0 || (size_t)len >= size)
        return -1;
    return len;
}

bool http_response_has_headers(const struct http_response *r)
{
    return r->phase == PHASE_BODY || r->phase == PHASE_DONE;
}

/* ---- requests (the lab server's side) ------------------------------------------------ */

int http_parse_request_line(const char *line, const char *line_end, char *method,
                            size_t method_size, char *path, size_t path_size)
{
    if (line_end > line && line_end[-1] == '\r')
        line_end--;
    /* The method: a token of letters, digits and a few marks. */
    const char *p = line;
    while (p < line_end && *p != ' ') {
        unsigned char ch = (unsigned char)*p++;
        if (ch == '\0' ||
            (!ascii_is_alpha(ch) && !ascii_is_digit(ch) && strchr("!#$%&'*+-.^_`|~", ch) == NULL))
            return -1;
    }
    size_t method_len = (size_t)(p - line);
    if (method_len == 0 || method_len >= method_size || p >= line_end)
        return -1;
    memcpy(method, line, method_len);
    method[method_len] = '\0';

    /* The target: starts with '/', no spaces or control bytes. */
    const char *target = ++p;
    if (target >= line_end || *target != '/')
        return -1;
    size_t path_len = 0;
    bool path_over = false;
    for (; p < line_end && *p != ' '; p++) {
        if ((unsigned char)*p <= 32 || *p == 127)
            return -1;
        if (*p == '?' || *p == '#')
            path_over = true;
        if (!path_over)
            path_len++;
    }
    if (path_len >= path_size)
        return -1;
    memcpy(path, target, path_len);
    path[path_len] = '\0';

    /* The version: exactly "HTTP/d.d", then the end of the line. */
    if (p >= line_end || line_end - ++p != 8 || strncmp(p, "HTTP/", 5) != 0 ||
        !ascii_is_digit((unsigned char)p[5]) || p[6] != '.' || !ascii_is_digit((unsigned char)p[7]))
        return -1;
    return 0;
}

size_t http_request_headers_end(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        size_t j = i + 1;
        if (j < len && buf[j] == '\r')
            j++;
        if (j < len && buf[j] == '\n')
            return j + 1;
    }
    return 0;
}
