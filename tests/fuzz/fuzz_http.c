/* fuzz_http.c — libFuzzer harness for common/http.c: the incremental response parser.
 *
 * Input layout (so that libFuzzer mutates the chunking along with the bytes):
 *   byte 0      the caps: 0 = the defaults, else a small header cap and body cap derived
 *               from it, so that the cap checks are reached by short inputs;
 *   byte 1      k = 1 + byte % 16, the number of chunk sizes that follow;
 *   k bytes     the chunk sizes, used in turn: 0 feeds zero bytes, 255 feeds all the rest;
 *   the rest    what the "server" sends, fed in those chunks, then http_response_finish().
 * Checked after every call:
 *   - body_len <= the body cap, and <= Content-Length when one was given;
 *   - the body, once there is one, is NUL-terminated at body_len;
 *   - error and location are NUL-terminated inside their arrays, error non-empty on ERROR;
 *   - once DONE or ERROR, every later feed or finish returns the same and changes nothing;
 *   - the outcome equals that of feeding the same bytes in one piece (chunking is invisible):
 *     result and status, and on DONE also Content-Length, body and Location; on ERROR the
 *     error text too when FUZZ_HTTP_STRICT=1 (it differs today: see docs/robustness.md,
 * "Findings"). Build and run: make fuzz (see docs/robustness.md).
 */
#include "http.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const struct http_response *r)
{
    fprintf(stderr, "fuzz_http: %s (status %d, body_len %zu, content_length %lld, error '%.*s')\n",
            what, r->status, r->body_len, r->content_length, HTTP_ERROR_MAX, r->error);
    abort();
}

static void check_invariants(const struct http_response *r, enum http_result res, size_t body_cap)
{
    if (r->body_len > body_cap)
        broken("body_len above the body cap", r);
    if (r->content_length >= 0 && r->body_len > (size_t)r->content_length)
        broken("body_len above Content-Length", r);
    if (r->content_length > (long long)body_cap)
        broken("Content-Length above the cap accepted", r);
    if (r->body != NULL && r->body[r->body_len] != '\0')
        broken("body not NUL-terminated", r);
    if (r->body == NULL && r->body_len != 0)
        broken("body_len without a body", r);
    if (memchr(r->error, '\0', sizeof r->error) == NULL)
        broken("error not terminated", r);
    if (memchr(r->location, '\0', sizeof r->location) == NULL)
        broken("location not terminated", r);
    if (res == HTTP_ERROR && r->error[0] == '\0')
        broken("ERROR without a reason", r);
    if (res == HTTP_DONE && (r->status < 100 || r->status > 999))
        broken("DONE without a valid status", r);
    if (res == HTTP_DONE && r->body == NULL)
        broken("DONE without a body buffer", r);
}

/* What must not change once the parser has said DONE or ERROR. */
struct outcome {
    enum http_result res;
    int status;
    long long content_length;
    size_t body_len;
    uint64_t body_hash;
    char error[HTTP_ERROR_MAX];
    char location[URL_PATH_MAX];
};

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static void take_outcome(const struct http_response *r, enum http_result res, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    o->res = res;
    o->status = r->status;
    o->content_length = r->content_length;
    o->body_len = r->body_len;
    o->body_hash = r->body ? hash_bytes(r->body, r->body_len) : 0;
    memcpy(o->error, r->error, sizeof o->error);
    memcpy(o->location, r->location, sizeof o->location);
}

static bool identical(const struct outcome *a, const struct outcome *b)
{
    return a->res == b->res && a->status == b->status && a->content_length == b->content_length &&
           a->body_len == b->body_len && a->body_hash == b->body_hash &&
           strcmp(a->error, b->error) == 0 && strcmp(a->location, b->location) == 0;
}

/* Equal outcomes. After an ERROR only the result and status count (how much body came
 * before the error depends on the chunking) and the error text when same_error. */
static bool same_outcome(const struct outcome *a, const struct outcome *b, bool same_error)
{
    if (a->res != b->res || a->status != b->status)
        return false;
    if (a->res == HTTP_ERROR)
        return !same_error || strcmp(a->error, b->error) == 0;
    return a->content_length == b->content_length && a->body_len == b->body_len &&
           a->body_hash == b->body_hash && strcmp(a->error, b->error) == 0 &&
           strcmp(a->location, b->location) == 0;
}

static void check_stable(const struct http_response *r, enum http_result res,
                         const struct outcome *final, const char *when)
{
    struct outcome now;
    take_outcome(r, res, &now);
    if (!identical(&now, final)) {
        fprintf(stderr, "fuzz_http: changed after DONE/ERROR (%s)\n", when);
        broken("not stable", r);
    }
}

/* The state of one run of chunked feeding. */
struct progress {
    enum http_result res;
    size_t body_cap;
    bool settled;         /* DONE or ERROR seen */
    struct outcome final; /* what it was then */
};

static void feed_checked(struct http_response *r, const char *bytes, size_t n, struct progress *p)
{
    p->res = http_response_feed(r, bytes, n);
    check_invariants(r, p->res, p->body_cap);
    if (p->settled) {
        check_stable(r, p->res, &p->final, "feed");
    } else if (p->res != HTTP_MORE) {
        p->settled = true;
        take_outcome(r, p->res, &p->final);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t header_cap = 0, body_cap = 0;
    if (data[0] != 0) {
        header_cap = 16 + (size_t)(data[0] & 0x0f) * 64; /* 16 .. 976 bytes */
        body_cap = 1 + (size_t)(data[0] >> 4) * 37;      /* 1 .. 556 bytes */
    }
    size_t k = 1 + data[1] % 16;
    if (size < 2 + k)
        return 0;
    const uint8_t *sizes = data + 2;
    const char *bytes = (const char *)data + 2 + k;
    size_t n = size - 2 - k;

    struct http_response r;
    http_response_init(&r, body_cap, header_cap);
    size_t real_body_cap = body_cap ? body_cap : HTTP_BODY_CAP;
    struct progress p = {.res = HTTP_MORE, .body_cap = real_body_cap};
    size_t at = 0;
    for (size_t turn = 0; (at < n || turn < k) && turn <= n + k; turn++) {
        size_t want = sizes[turn % k];
        size_t chunk = want == 255 ? n - at : want;
        if (chunk > n - at)
            chunk = n - at;
        feed_checked(&r, bytes + at, chunk, &p);
        at += chunk;
    }
    if (at < n) /* what a run of zero-size chunks left over, in one piece */
        feed_checked(&r, bytes + at, n - at, &p);

    enum http_result res = http_response_finish(&r);
    check_invariants(&r, res, real_body_cap);
    if (res == HTTP_MORE)
        broken("finish returned MORE", &r);
    if (p.settled)
        check_stable(&r, res, &p.final, "finish");
    struct outcome final;
    take_outcome(&r, res, &final);
    /* After finish, neither more bytes nor another finish may change anything. */
    check_stable(&r, http_response_feed(&r, "HTTP/1.0 200 OK\r\n\r\nx", 20), &final, "late feed");
    check_stable(&r, http_response_finish(&r), &final, "second finish");

    /* The same bytes in one piece must give the same outcome. */
    struct http_response whole;
    http_response_init(&whole, body_cap, header_cap);
    enum http_result whole_res = http_response_feed(&whole, bytes, n);
    check_invariants(&whole, whole_res, real_body_cap);
    whole_res = http_response_finish(&whole);
    struct outcome one_piece;
    take_outcome(&whole, whole_res, &one_piece);
    static int strict = -1; /* FUZZ_HTTP_STRICT=1: the error texts must match too */
    if (strict < 0)
        strict = getenv("FUZZ_HTTP_STRICT") != NULL && strcmp(getenv("FUZZ_HTTP_STRICT"), "1") == 0;
    if (!same_outcome(&final, &one_piece, strict)) {
        fprintf(stderr, "fuzz_http: chunked: res %d error '%s'; one piece: res %d error '%s'\n",
                final.res, final.error, one_piece.res, one_piece.error);
        broken("chunking changed the outcome", &r);
    }

    http_response_free(&r);
    http_response_free(&whole);
    return 0;
}
