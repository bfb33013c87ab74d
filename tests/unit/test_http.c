/* test_http.c — unit checks for common/http.c: the request text and the incremental
 * response parser, fed whole, one byte at a time, split at every offset and in random
 * chunk sizes (fixed seed), with every broken response a crawler may meet.
 *
 * One line per check: "ok - <what>" or "not ok - <what>: got X, expected Y", then
 * "test_http: N checks, M failed". Exit status 1 if any check failed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "check.h"

/* A short printable form of n bytes: "\x00" for what is not printable, "..." after 40. */
static void escape(const char *s, size_t n, char *buf, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == 40) {
            o += (size_t)snprintf(buf + o, size - o, "...");
            break;
        }
        if (c < 0x20 || c >= 0x7f || c == '\\')
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = '\0';
}

/* The state of a response as one line, e.g. "DONE 200 len=5 body=hello" or
 * "error: malformed status line". Also checks what must always hold: the body is
 * NUL-terminated and never allocated past its cap. */
static const char *describe(const struct http_response *r, enum http_result res, char *buf,
                            size_t size)
{
    if (r->body != NULL && r->body[r->body_len] != '\0')
        return "BROKEN: body not NUL-terminated";
    if (r->body_alloc > r->body_cap_limit + 1)
        return "BROKEN: body allocated past its cap";
    if (res == HTTP_DONE && r->body == NULL)
        return "BROKEN: DONE without a body buffer";
    if (res == HTTP_ERROR) {
        snprintf(buf, size, "error: %s", r->error);
        return buf;
    }
    char body[200] = "";
    if (r->body != NULL)
        escape(r->body, r->body_len, body, sizeof body);
    char location[300] = "";
    if (r->location[0] != '\0')
        snprintf(location, sizeof location, " location=%.200s", r->location);
    snprintf(buf, size, "%s %d len=%zu%s%s%s", res == HTTP_DONE ? "DONE" : "MORE", r->status,
             r->body_len, location, r->body_len ? " body=" : "", body);
    return buf;
}

/* Tiny deterministic generator (xorshift32) so that "random" chunks are the same on every
 * machine and every run. */
static unsigned next_random(unsigned *state)
{
    unsigned x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Feed len bytes in pieces: sizes[] in turn (the last one repeats), then finish() if
 * closed. Returns the description of the final state. */
static const char *run_split(const char *data, size_t len, size_t first, size_t rest, bool closed,
                             char *buf, size_t size)
{
    struct http_response r;
    http_response_init(&r, 0, 0);
    enum http_result res = HTTP_MORE;
    size_t off = 0, piece = first;
    while (off < len) {
        size_t n = piece < len - off ? piece : len - off;
        res = http_response_feed(&r, data + off, n);
        off += n;
        piece = rest;
    }
    if (closed)
        res = http_response_finish(&r);
    describe(&r, res, buf, size);
    http_response_free(&r);
    return buf;
}

static const char *run_random(const char *data, size_t len, unsigned seed, bool closed, char *buf,
                              size_t size)
{
    struct http_response r;
    http_response_init(&r, 0, 0);
    enum http_result res = HTTP_MORE;
    size_t off = 0;
    while (off < len) {
        size_t n = 1 + next_random(&seed) % 17;
        if (n > len - off)
            n = len - off;
        res = http_response_feed(&r, data + off, n);
        off += n;
    }
    if (closed)
        res = http_response_finish(&r);
    describe(&r, res, buf, size);
    http_response_free(&r);
    return buf;
}

/* One response, four ways: whole, a byte at a time, split in two at every offset, and 20
 * random chunkings. Each must end in the same expected state. */
static void expect_response(const char *name, const char *data, size_t len, bool closed,
                            const char *expected)
{
    char got[400], what[200];

    snprintf(what, sizeof what, "%s (whole)", name);
    check_text(what, run_split(data, len, len, len, closed, got, sizeof got), expected);

    snprintf(what, sizeof what, "%s (one byte at a time)", name);
    check_text(what, run_split(data, len, 1, 1, closed, got, sizeof got), expected);

    snprintf(what, sizeof what, "%s (split at every offset)", name);
    bool ok = true;
    for (size_t at = 1; at < len && ok; at++)
        ok = strcmp(run_split(data, len, at, len, closed, got, sizeof got), expected) == 0;
    check(ok, what, got, expected);

    snprintf(what, sizeof what, "%s (20 random chunkings)", name);
    ok = true;
    for (unsigned seed = 1; seed <= 20 && ok; seed++)
        ok = strcmp(run_random(data, len, seed * 2654435761u, closed, got, sizeof got), expected) ==
             0;
    check(ok, what, got, expected);
}

#define BYTES(s) s, sizeof(s) - 1

static void test_good_responses(void)
{
    expect_response("200 with Content-Length",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello"), false,
                    "DONE 200 len=5 body=hello");
    expect_response("bare LF line ends", BYTES("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi"), false,
                    "DONE 200 len=2 body=hi");
    expect_response("no Content-Length: body ends at EOF",
                    BYTES("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nhello world"), true,
                    "DONE 200 len=11 body=hello world");
    expect_response("no Content-Length, not closed yet", BYTES("HTTP/1.0 200 OK\r\n\r\nhello"),
                    false, "MORE 200 len=5 body=hello");
    expect_response("status line without a reason", BYTES("HTTP/1.0 404\r\n\r\n"), true,
                    "DONE 404 len=0");
    expect_response("empty reason after the space", BYTES("HTTP/1.0 500 \r\n\r\n"), true,
                    "DONE 500 len=0");
    expect_response("bytes after the body are ignored",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.0 500 x\r\n"),
                    false, "DONE 200 len=3 body=abc");
    expect_response("Content-Length 0 is done at the blank line",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), false, "DONE 200 len=0");
    expect_response("204 has no body", BYTES("HTTP/1.0 204 No Content\r\n\r\n"), false,
                    "DONE 204 len=0");
    expect_response("redirect: status and location",
                    BYTES("HTTP/1.0 301 Moved Permanently\r\nLocation: /new/place\r\n"
                          "Content-Length: 0\r\n\r\n"),
                    false, "DONE 301 len=0 location=/new/place");
    expect_response("redirect to itself",
                    BYTES("HTTP/1.0 302 Found\r\nlocation:   /fault/redirect-self  \r\n\r\n"), true,
                    "DONE 302 len=0 location=/fault/redirect-self");
    expect_response("header names in any case, space around values",
                    BYTES("HTTP/1.1 200 OK\r\ncontent-LENGTH: \t 3 \t\r\n\r\nxyz"), false,
                    "DONE 200 len=3 body=xyz");
    expect_response("two equal Content-Lengths",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"),
                    false, "DONE 200 len=2 body=ok");
    expect_response("Content-Length list of identical values",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello"), false,
                    "DONE 200 len=5 body=hello");
    expect_response(
        "Content-Length list without spaces, then the same header again",
        BYTES("HTTP/1.0 200 OK\r\nContent-Length: 2,2,\t2\r\nContent-Length: 2\r\n\r\nok"), false,
        "DONE 200 len=2 body=ok");
    expect_response(
        "100 Continue before the response",
        BYTES("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
        false, "DONE 200 len=5 body=hello");
    expect_response("103 Early Hints with headers, then a redirect",
                    BYTES("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n"
                          "Location: /not-this\r\nContent-Length: 9\r\n\r\n"
                          "HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n"),
                    false, "DONE 302 len=0 location=/new");
    expect_response("two interim responses, body to EOF",
                    BYTES("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\n\n"
                          "HTTP/1.0 200 OK\r\n\r\nbody"),
                    true, "DONE 200 len=4 body=body");
    expect_response("empty header value",
                    BYTES("HTTP/1.0 200 OK\r\nX-Empty:\r\nContent-Length: 1\r\n\r\n!"), false,
                    "DONE 200 len=1 body=!");
    expect_response("binary body with NUL bytes",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\n\0a\0\xff\r\n"), false,
                    "DONE 200 len=6 body=\\x00a\\x00\\xff\\x0d\\x0a");
    expect_response("binary body to EOF", BYTES("HTTP/1.0 200 OK\r\n\r\n\0\0\0"), true,
                    "DONE 200 len=3 body=\\x00\\x00\\x00");
    expect_response("reason phrase with UTF-8 and tab",
                    BYTES("HTTP/1.0 200 \xc3\xa7"
                          "a\tva\r\n\r\n"),
                    true, "DONE 200 len=0");
}

static void test_broken_responses(void)
{
    expect_response("closed before the status line", "", 0, true,
                    "error: connection closed before the status line");
    expect_response("closed inside the status line", BYTES("HTTP/1."), true,
                    "error: connection closed before the status line");
    expect_response("closed after the status line", BYTES("HTTP/1.0 200 OK\r\n"), true,
                    "error: connection closed in the headers");
    expect_response("closed mid-headers", BYTES("HTTP/1.0 200 OK\r\nContent-Le"), true,
                    "error: connection closed in the headers");
    char mid_body[200];
    int n = snprintf(mid_body, sizeof mid_body, "HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\n");
    memset(mid_body + n, 'x', 100);
    expect_response("closed mid-body", mid_body, (size_t)n + 100, true,
                    "error: connection closed mid-body (100 of 1000 bytes)");
    expect_response("closed right after the headers",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n"), true,
                    "error: connection closed mid-body (0 of 10 bytes)");

    static const char *const bad_status[] = {
        "<html><body>not http</body></html>\r\n",
        "garbage\r\n\r\n",
        "http/1.0 200 OK\r\n\r\n",
        "HTTP/1.0 2000 OK\r\n\r\n",
        "HTTP/1.0 20 OK\r\n\r\n",
        "HTTP/1.0 200OK\r\n\r\n",
        "HTTP/1.0  200 OK\r\n\r\n",
        "HTTP/10 200 OK\r\n\r\n",
        "HTTP/1.x 200 OK\r\n\r\n",
        "HTTP/1.0 099 Low\r\n\r\n",
        "HTTP/1.0 2x0 OK\r\n\r\n",
        "HTTP/1.0 200 O\x01K\r\n\r\n",
        "\r\nHTTP/1.0 200 OK\r\n\r\n",
        "ICY 200 OK\r\n\r\n",
        "HTTP/1.0\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad_status / sizeof bad_status[0]; i++) {
        char name[100], shown[80];
        escape(bad_status[i], strlen(bad_status[i]), shown, sizeof shown);
        snprintf(name, sizeof name, "garbage status \"%s\"", shown);
        expect_response(name, bad_status[i], strlen(bad_status[i]), true,
                        "error: malformed status line");
    }
    expect_response("NUL in the status line", BYTES("HTTP/1.0 200 O\0K\r\n\r\n"), true,
                    "error: malformed status line");

    static const char *const bad_header[] = {
        "HTTP/1.0 200 OK\r\nNoColonHere\r\n\r\n",
        "HTTP/1.0 200 OK\r\nX: a\r\n folded: continuation\r\n\r\n",
        "HTTP/1.0 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.0 200 OK\r\n: no name\r\n\r\n",
        "HTTP/1.0 200 OK\r\nX-Ctl: a\x01z\r\n\r\n",
        "HTTP/1.0 200 OK\r\nX-CR: a\rb\r\n\r\n",
        "HTTP/1.0 200 OK\r\nName : x\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad_header / sizeof bad_header[0]; i++) {
        char name[120], shown[80];
        escape(bad_header[i] + 17, strlen(bad_header[i]) - 17, shown, sizeof shown);
        snprintf(name, sizeof name, "bad header \"%s\"", shown);
        expect_response(name, bad_header[i], strlen(bad_header[i]), true,
                        "error: malformed header line");
    }
    expect_response("NUL in a header name", BYTES("HTTP/1.0 200 OK\r\nX\0Y: 1\r\n\r\n"), true,
                    "error: malformed header line");

    static const char *const bad_length[] = {"abc", "-1", "+5",   "1 2", "",   "0x10",
                                             "5,",  ",5", "5,,5", "5;5", "1.0"};
    for (size_t i = 0; i < sizeof bad_length / sizeof bad_length[0]; i++) {
        char name[80], text[120];
        int len = snprintf(text, sizeof text, "HTTP/1.0 200 OK\r\nContent-Length: %s\r\n\r\nx",
                           bad_length[i]);
        snprintf(name, sizeof name, "bad Content-Length \"%s\"", bad_length[i]);
        expect_response(name, text, (size_t)len, true, "error: bad Content-Length");
    }
    expect_response("Content-Length that overflows",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
                    true, "error: bad Content-Length: too large");
    expect_response("two different Content-Lengths",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"),
                    true, "error: bad Content-Length: two different values (2 and 3)");
    expect_response("a Content-Length list of different values",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 3, 30\r\n\r\nabc"), true,
                    "error: bad Content-Length: two different values (3 and 30)");
    expect_response("Content-Length list after a different header",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 5\r\nContent-Length: 5, 6\r\n\r\n"),
                    true, "error: bad Content-Length: two different values (5 and 6)");
    expect_response(
        "101 Switching Protocols is refused",
        BYTES("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nHTTP/1.0 200 OK\r\n"), true,
        "error: 101 Switching Protocols, not asked for");
    expect_response("100 Continue then nothing", BYTES("HTTP/1.1 100 Continue\r\n\r\n"), true,
                    "error: connection closed before the status line");
    expect_response("100 Continue then garbage", BYTES("HTTP/1.1 100 Continue\r\n\r\n<html>"), true,
                    "error: malformed status line");
    expect_response("Content-Length above the body cap",
                    BYTES("HTTP/1.0 200 OK\r\nContent-Length: 52428800\r\n\r\n"), false,
                    "error: body larger than 8 MiB (Content-Length: 52428800)");
    expect_response("chunked transfer encoding",
                    BYTES("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
                    true, "error: Transfer-Encoding is not supported (this is an HTTP/1.0 client)");
}

/* Feed a generated stream in chunks until the parser stops asking for more. Returns how
 * many bytes it took. make(i, buf, size) writes chunk number i. */
typedef size_t (*chunk_fn)(size_t i, char *buf, size_t size);

static size_t feed_stream(struct http_response *r, chunk_fn make, size_t max_bytes,
                          enum http_result *res)
{
    static char chunk[64 * 1024];
    size_t fed = 0;
    *res = HTTP_MORE;
    for (size_t i = 0; fed < max_bytes && *res == HTTP_MORE; i++) {
        size_t n = make(i, chunk, sizeof chunk);
        *res = http_response_feed(r, chunk, n);
        fed += n;
    }
    return fed;
}

static size_t status_then_body(size_t i, char *buf, size_t size)
{
    if (i == 0)
        return (size_t)snprintf(buf, size, "HTTP/1.0 200 OK\r\n\r\n");
    memset(buf, 'b', size);
    return size;
}

static size_t status_then_big_header(size_t i, char *buf, size_t size)
{
    if (i == 0)
        return (size_t)snprintf(buf, size, "HTTP/1.0 200 OK\r\nX-Big: ");
    memset(buf, 'h', size);
    return size;
}

static size_t endless_headers(size_t i, char *buf, size_t size)
{
    if (i == 0)
        return (size_t)snprintf(buf, size, "HTTP/1.0 200 OK\r\n");
    return (size_t)snprintf(buf, size, "X-Header-%zu: value\r\n", i);
}

static size_t endless_continues(size_t i, char *buf, size_t size)
{
    (void)i;
    return (size_t)snprintf(buf, size, "HTTP/1.1 100 Continue\r\n\r\n");
}

static void test_caps(void)
{
    struct http_response r;
    enum http_result res;
    char got[400], expected[100];

    /* Garbage longer than the header cap, without a newline: the same verdict however it
     * is chunked (the fuzzer found "headers larger than ..." whole, "malformed" in bytes). */
    static char garbage[HTTP_HEADER_CAP + 1000];
    memset(garbage, 'g', sizeof garbage);
    check_text(
        "garbage over the header cap, whole",
        run_split(garbage, sizeof garbage, sizeof garbage, sizeof garbage, false, got, sizeof got),
        "error: malformed status line");
    check_text("garbage over the header cap, one byte at a time",
               run_split(garbage, sizeof garbage, 1, 1, false, got, sizeof got),
               "error: malformed status line");

    /* 50 MB without Content-Length, in 64 KiB chunks: stops at the cap, memory stays small. */
    http_response_init(&r, 0, 0);
    size_t fed = feed_stream(&r, status_then_body, 50u * 1000 * 1000, &res);
    check_text("50 MB body without Content-Length is capped", describe(&r, res, got, sizeof got),
               "error: body larger than 8 MiB");
    snprintf(got, sizeof got, "%zu bytes fed, %zu allocated", fed, r.body_alloc);
    check(fed <= HTTP_BODY_CAP + 2 * 64 * 1024 && r.body_alloc <= HTTP_BODY_CAP + 1,
          "the body cap stops reading at 8 MiB", got, "about 8 MiB fed, at most 8 MiB + 1");
    http_response_free(&r);

    /* A body of exactly the cap is fine. */
    http_response_init(&r, 0, 0);
    fed = feed_stream(&r, status_then_body, 19 + (size_t)HTTP_BODY_CAP, &res);
    res = http_response_finish(&r);
    check_text("a body of exactly 8 MiB to EOF", describe(&r, res, got, sizeof got),
               "DONE 200 len=8388608 body=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...");
    http_response_free(&r);

    /* A 1 MiB header line, fed in 64 KiB pieces. */
    http_response_init(&r, 0, 0);
    fed = feed_stream(&r, status_then_big_header, 1024 * 1024, &res);
    check_text("1 MiB header line", describe(&r, res, got, sizeof got),
               "error: headers larger than 64 KiB");
    snprintf(got, sizeof got, "%zu bytes fed", fed);
    check(fed <= HTTP_HEADER_CAP + 64 * 1024, "the header cap stops reading at 64 KiB", got,
          "at most 128 KiB");
    http_response_free(&r);

    http_response_init(&r, 0, 0);
    feed_stream(&r, endless_headers, 10 * 1024 * 1024, &res);
    check_text("endless headers", describe(&r, res, got, sizeof got),
               "error: headers larger than 64 KiB");
    http_response_free(&r);

    http_response_init(&r, 0, 0);
    fed = feed_stream(&r, endless_continues, 10 * 1024 * 1024, &res);
    check_text("endless 100 Continue responses", describe(&r, res, got, sizeof got),
               "error: headers larger than 64 KiB");
    check(fed <= HTTP_HEADER_CAP + 64, "endless 100 Continue stops at the header cap", "more",
          "at most the cap");
    http_response_free(&r);

    /* Caps of our own choosing, named in the message. */
    const char head[] =
        "HTTP/1.0 200 OK\r\nX-Pad: 0123456789012345678901234567890123456789\r\n\r\n";
    size_t head_len = sizeof head - 1;
    http_response_init(&r, 1000, head_len);
    res = http_response_feed(&r, head, head_len);
    check_text("a head of exactly the header cap", describe(&r, res, got, sizeof got),
               "MORE 200 len=0");
    char body[1001];
    memset(body, 'z', sizeof body);
    res = http_response_feed(&r, body, 1000);
    res = http_response_feed(&r, body, 1);
    check_text("body cap of 1000 bytes, to EOF", describe(&r, res, got, sizeof got),
               "error: body larger than 1000 bytes");
    http_response_free(&r);

    http_response_init(&r, 1000, head_len - 1);
    res = http_response_feed(&r, head, head_len);
    snprintf(expected, sizeof expected, "error: headers larger than %zu bytes", head_len - 1);
    check_text("header cap one byte short", describe(&r, res, got, sizeof got), expected);
    http_response_free(&r);

    http_response_init(&r, 1000, 0);
    res = http_response_feed(&r, BYTES("HTTP/1.0 200 OK\r\nContent-Length: 1001\r\n"));
    check_text("Content-Length over a 1000-byte cap, refused at the header",
               describe(&r, res, got, sizeof got),
               "error: body larger than 1000 bytes (Content-Length: 1001)");
    http_response_free(&r);

    http_response_init(&r, 2048, 0);
    res = http_response_feed(&r, BYTES("HTTP/1.0 200 OK\r\nContent-Length: 2048\r\n\r\n"));
    memset(body, 'q', sizeof body);
    for (int i = 0; i < 3; i++)
        res = http_response_feed(&r, body, 1000);
    char state[300];
    snprintf(got, sizeof got, "%s, alloc %zu", describe(&r, res, state, sizeof state),
             r.body_alloc);
    check(res == HTTP_DONE && r.body_len == 2048 && r.body_alloc == 2049,
          "Content-Length equal to a KiB cap", got, "DONE, 2048 bytes in 2049");
    http_response_free(&r);

    /* A Location longer than the struct can hold. */
    char text[URL_PATH_MAX + 100];
    int len = snprintf(text, sizeof text, "HTTP/1.0 302 Found\r\nLocation: /");
    memset(text + len, 'l', URL_PATH_MAX);
    memcpy(text + len + URL_PATH_MAX, "\r\n\r\n", 4);
    http_response_init(&r, 0, 0);
    res = http_response_feed(&r, text, (size_t)len + URL_PATH_MAX + 4);
    check_text("Location too long", describe(&r, res, got, sizeof got),
               "error: Location header longer than 2047 bytes");
    http_response_free(&r);
}

static void test_body_growth(void)
{
    struct http_response r;
    enum http_result res = HTTP_MORE;
    char got[200];
    http_response_init(&r, 0, 0);
    http_response_feed(&r, BYTES("HTTP/1.0 200 OK\r\n\r\n"));
    unsigned state = 42;
    size_t grew = 0, last_alloc = r.body_alloc;
    bool geometric = true;
    char byte;
    for (size_t i = 0; i < 300 * 1000; i++) {
        byte = (char)next_random(&state);
        res = http_response_feed(&r, &byte, 1);
        if (r.body_alloc != last_alloc) {
            grew++;
            geometric = geometric && r.body_alloc >= 2 * last_alloc;
            last_alloc = r.body_alloc;
        }
    }
    snprintf(got, sizeof got, "%zu reallocations, geometric %s, result %d", grew,
             geometric ? "yes" : "no", (int)res);
    check(grew <= 8 && geometric && res == HTTP_MORE,
          "300,000 one-byte feeds: the body buffer doubles", got, "at most 8 doublings");
    res = http_response_finish(&r);
    state = 42;
    bool same = res == HTTP_DONE && r.body_len == 300 * 1000 && r.body[r.body_len] == '\0';
    for (size_t i = 0; i < r.body_len && same; i++)
        same = r.body[i] == (char)next_random(&state);
    check(same, "300,000 random bytes kept exactly", "different bytes", "the same bytes");
    http_response_free(&r);
}

static void test_after_the_end(void)
{
    struct http_response r;
    char got[400];
    http_response_init(&r, 0, 0);
    check(r.body == NULL && r.head == NULL && r.status == 0 && r.content_length == -1,
          "init allocates nothing", "something", "nothing allocated, status 0, length -1");
    enum http_result res = http_response_feed(&r, "", 0);
    check_text("feeding nothing asks for more", describe(&r, res, got, sizeof got), "MORE 0 len=0");

    res = http_response_feed(&r, BYTES("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    res = http_response_feed(&r, BYTES("more bytes"));
    check_text("feed after DONE changes nothing", describe(&r, res, got, sizeof got),
               "DONE 200 len=2 body=ok");
    res = http_response_finish(&r);
    check_text("finish after DONE is still DONE", describe(&r, res, got, sizeof got),
               "DONE 200 len=2 body=ok");
    http_response_free(&r);
    http_response_free(&r); /* twice is harmless */
    check(r.body == NULL && r.head == NULL, "free leaves no dangling buffers", "pointers", "NULL");

    http_response_init(&r, 0, 0); /* the same struct again */
    res = http_response_feed(&r, BYTES("BROKEN\r\n"));
    res = http_response_feed(&r, BYTES("HTTP/1.0 200 OK\r\n\r\n"));
    res = http_response_finish(&r);
    check_text("after ERROR, nothing changes", describe(&r, res, got, sizeof got),
               "error: malformed status line");
    http_response_free(&r);

    http_response_init(&r, 0, 0);
    res = http_response_feed(&r, BYTES("<!DOCTYPE html>"));
    check_text("garbage is reported before the line ends", describe(&r, res, got, sizeof got),
               "error: malformed status line");
    http_response_free(&r);
}

static void expect_request(const char *what, const char *host, int port, const char *path,
                           size_t size, const char *expected)
{
    struct url u;
    snprintf(u.host, sizeof u.host, "%s", host);
    u.port = port;
    snprintf(u.path, sizeof u.path, "%s", path);
    char buf[URL_TEXT_MAX + 200], got[URL_TEXT_MAX + 300];
    int len = http_format_request(&u, buf, size);
    if (len < 0)
        snprintf(got, sizeof got, "-1");
    else
        escape(buf, (size_t)len, got, sizeof got);
    char want[URL_TEXT_MAX + 300];
    if (strcmp(expected, "-1") == 0)
        snprintf(want, sizeof want, "-1");
    else
        escape(expected, strlen(expected), want, sizeof want);
    bool ok = strcmp(got, want) == 0 && (len < 0 || (size_t)len == strlen(buf));
    check(ok, what, got, want);
}

static void test_request(void)
{
    expect_request("request for port 80", "example.com", 80, "/a?b=1", 200,
                   "GET /a?b=1 HTTP/1.0\r\nHost: example.com\r\nUser-Agent: asynclab\r\n"
                   "Connection: close\r\n\r\n");
    expect_request("request names another port in Host", "127.0.0.1", 8080, "/", 200,
                   "GET / HTTP/1.0\r\nHost: 127.0.0.1:8080\r\nUser-Agent: asynclab\r\n"
                   "Connection: close\r\n\r\n");
    expect_request("request to an IPv6 host", "::1", 8080, "/x", 200,
                   "GET /x HTTP/1.0\r\nHost: [::1]:8080\r\nUser-Agent: asynclab\r\n"
                   "Connection: close\r\n\r\n");
    const char *exact = "GET / HTTP/1.0\r\nHost: h\r\nUser-Agent: asynclab\r\n"
                        "Connection: close\r\n\r\n";
    expect_request("request in a buffer that just fits", "h", 80, "/", strlen(exact) + 1, exact);
    expect_request("request in a buffer one byte short", "h", 80, "/", strlen(exact), "-1");
    expect_request("request with CR LF in the path is refused", "h", 80, "/a\r\nX-Evil: 1", 200,
                   "-1");
    expect_request("request with a space in the path is refused", "h", 80, "/a b", 200, "-1");
    expect_request("request with a path not starting with / is refused", "h", 80, "a", 200, "-1");
    expect_request("request with an empty host is refused", "", 80, "/", 200, "-1");

    struct url u;
    const char *why;
    char buf[URL_TEXT_MAX + 200];
    char *long_url = malloc(URL_PATH_MAX + 20);
    if (long_url == NULL) {
        perror("malloc");
        exit(2);
    }
    snprintf(long_url, URL_PATH_MAX + 20, "http://h/");
    memset(long_url + 9, 'p', URL_PATH_MAX - 2);
    long_url[9 + URL_PATH_MAX - 2] = '\0';
    int rc = url_parse(long_url, &u, &why);
    int len = http_format_request(&u, buf, sizeof buf);
    char got[64];
    snprintf(got, sizeof got, "rc=%d len=%d", rc, len);
    check(rc == 0 && len > URL_PATH_MAX, "request for the longest path fits URL_TEXT_MAX + 200",
          got, "rc=0, len > 2048");
    free(long_url);
}

int main(void)
{
    test_good_responses();
    test_broken_responses();
    test_caps();
    test_body_growth();
    test_after_the_end();
    test_request();
    return check_report("test_http");
}
