/* fuzz_url.c — libFuzzer harness for common/url.c: url_parse, url_resolve, url_format.
 *
 * The input is two texts separated by the first '\n': a start URL and a link found on
 * that page. Whatever the bytes, the parser must not crash, and every URL it accepts must
 *   - be clean: a host of allowed characters, a port 1..65535, a path that starts with '/',
 *     no space, control byte or '#' anywhere (these would break a request line);
 *   - survive a round trip: url_format() text parses back to exactly the same URL;
 *   - format into a GET request (http_format_request never refuses a parsed URL);
 *   - resolve to itself when its canonical text is resolved against any base.
 * Build and run: make fuzz (see docs/robustness.md).
 */
#include "http.h"
#include "url.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: say which, and abort so libFuzzer keeps the input. */
static void broken(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_url: %s: %s\n", what, detail);
    abort();
}

static void check_clean(const struct url *u, const char *from)
{
    size_t host_len = strnlen(u->host, sizeof u->host);
    size_t path_len = strnlen(u->path, sizeof u->path);
    if (host_len == 0 || host_len == sizeof u->host)
        broken("host empty or not terminated", from);
    if (path_len == sizeof u->path || u->path[0] != '/')
        broken("path not terminated or not starting with '/'", from);
    if (u->port < 1 || u->port > 65535)
        broken("port out of range", from);
    for (size_t i = 0; i < host_len; i++) {
        unsigned char c = (unsigned char)u->host[i];
        if (c <= ' ' || c >= 0x7f || (c >= 'A' && c <= 'Z') || strchr("/?#@[]", c) != NULL)
            broken("bad byte in host", from);
    }
    for (size_t i = 0; i < path_len; i++) {
        unsigned char c = (unsigned char)u->path[i];
        if (c <= ' ' || c >= 0x7f || c == '#')
            broken("bad byte in path", from);
    }
}

static bool same_url(const struct url *a, const struct url *b)
{
    return a->port == b->port && strcmp(a->host, b->host) == 0 && strcmp(a->path, b->path) == 0;
}

/* Everything an accepted URL must satisfy. */
static void check_accepted(const struct url *u, const struct url *base, const char *from)
{
    check_clean(u, from);

    char text[URL_TEXT_MAX];
    url_format(u, text, sizeof text);
    if (strlen(text) + 1 >= sizeof text)
        broken("url_format output truncated", from);
    struct url again;
    const char *why = NULL;
    if (url_parse(text, &again, &why) != 0)
        broken("formatted URL does not parse", text);
    if (!same_url(u, &again))
        broken("round trip changed the URL", text);
    if (!url_same_origin(u, &again))
        broken("url_same_origin false on equal URLs", text);

    struct url resolved;
    if (url_resolve(base, text, &resolved, &why) != 0 || !same_url(u, &resolved))
        broken("canonical text does not resolve to itself", text);

    char request[URL_TEXT_MAX + 256];
    int len = http_format_request(u, request, sizeof request);
    if (len <= 0 || (size_t)len != strlen(request))
        broken("http_format_request refused a parsed URL", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Two NUL-terminated texts: what comes before the first '\n', and what follows. */
    char *copy = malloc(size + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *ref = memchr(copy, '\n', size);
    if (ref != NULL)
        *ref++ = '\0';
    else
        ref = copy + size;

    static const char fallback[] = "http://example.test:8080/a/b/c?q=1";
    struct url base, out;
    const char *why = NULL;
    if (url_parse(copy, &base, &why) == 0) {
        check_accepted(&base, &base, copy);
    } else {
        if (why == NULL || why[0] == '\0')
            broken("url_parse failed without a reason", copy);
        if (url_parse(fallback, &base, &why) != 0)
            broken("the fallback base does not parse", fallback);
    }

    why = NULL;
    if (url_resolve(&base, ref, &out, &why) == 0)
        check_accepted(&out, &base, ref);
    else if (why == NULL || why[0] == '\0')
        broken("url_resolve failed without a reason", ref);

    free(copy);
    return 0;
}
