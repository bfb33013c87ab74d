/* http.h — HTTP/1.0 GET: the request text, and an incremental response parser.
 *
 * The parser is fed bytes as they arrive, in chunks of any size (one byte, a whole
 * buffer), so the blocking, busy-looping, select, coroutine and thread crawlers all use
 * the same code. It never reads past what it was given, never trusts a length it was
 * told, and caps both the header and the body: a hostile or broken server gets a clear
 * error, never a crash or an unbounded allocation.
 */
#ifndef ASYNCLAB_HTTP_H
#define ASYNCLAB_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "url.h"

enum {
    HTTP_HEADER_CAP = 64 * 1024,     /* status line + headers */
    HTTP_BODY_CAP = 8 * 1024 * 1024, /* the largest body a crawler will keep */
    HTTP_ERROR_MAX = 160,
};

enum http_result {
    HTTP_MORE,  /* feed me more bytes (or tell me the connection closed) */
    HTTP_DONE,  /* a complete response: status, headers and the whole body */
    HTTP_ERROR, /* the response is broken; the reason is in response.error */
};

struct http_response {
    /* What the parser found. */
    int status;                  /* 200, 404, ...; 0 until the status line is read */
    long long content_length;    /* -1 when the server sent none: body ends at EOF */
    char location[URL_PATH_MAX]; /* the Location header of a redirect, else "" */
    char *body;                  /* the body so far, always NUL-terminated (for scanning) */
    size_t body_len;
    char error[HTTP_ERROR_MAX]; /* why HTTP_ERROR, e.g. "connection closed mid-body" */
    bool count_only;            /* set after init: count body bytes in body_len, keep none
                                   (body stays NULL; the caps still apply) */

    /* The parser's own state: leave alone. */
    int phase;
    size_t body_cap_limit, header_cap_limit;
    size_t body_alloc;
    char *head; /* the status line and headers collected so far */
    size_t head_len;
    size_t interim_len; /* bytes of 1xx responses skipped before this head */
};

/* Prepare a response to be filled. body_cap and header_cap of 0 mean the defaults
 * above. Allocates nothing until bytes arrive. */
void http_response_init(struct http_response *r, size_t body_cap, size_t header_cap);

/* Give the parser the next n bytes received. Interim 1xx responses (100 Continue) are
 * skipped: the response is the one after them. Returns HTTP_DONE as soon as the response
 * is complete (a Content-Length body fully read), HTTP_ERROR on malformed input or a
 * cap exceeded, HTTP_MORE otherwise. After DONE or ERROR further calls change nothing. */
enum http_result http_response_feed(struct http_response *r, const char *data, size_t n);

/* The connection was closed by the server (recv returned 0). Returns HTTP_DONE if that
 * ends a valid response (a body without Content-Length), HTTP_ERROR otherwise, e.g.
 * "connection closed before the status line" or "connection closed mid-body (120 of
 * 1000 bytes)". */
enum http_result http_response_finish(struct http_response *r);

/* True once the status line and all the headers are in (the body is what comes next):
 * tells "timed out while receiving the headers" from "... the body". */
bool http_response_has_headers(const struct http_response *r);

/* Release the body and header buffers. The struct may be initialised again. */
void http_response_free(struct http_response *r);

/* Write "GET <path> HTTP/1.0\r\nHost: <host[:port]>\r\n...\r\n\r\n" into buf.
 * Returns its length, or -1 if it does not fit. */
int http_format_request(const struct url *u, char *buf, size_t size);

/* The server's side: parse "METHOD SP /target SP HTTP/d.d" (the line ends at line_end; no
 * NUL needed) into method and path (query and fragment cut off). 0, or -1 if malformed. */
int http_parse_request_line(const char *line, const char *line_end, char *method,
                            size_t method_size, char *path, size_t path_size);

/* Where a request's headers end (just past the empty line), or 0 if not yet. */
size_t http_request_headers_end(const char *buf, size_t len);

#endif
