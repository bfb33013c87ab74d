/* url.h — http:// URLs: parse, resolve a link against the page it was found on, compare.
 *
 * Only what a crawler needs: scheme http, a host, an optional port, a path with its
 * query. A fragment (#...) names a place inside a page, not another page, so it is
 * always dropped. Every function is pure (no allocation, no global state).
 */
#ifndef ASYNCLAB_URL_H
#define ASYNCLAB_URL_H

#include <stdbool.h>
#include <stddef.h>

enum {
    URL_HOST_MAX = 256,  /* host name, without brackets for IPv6 literals */
    URL_PATH_MAX = 2048, /* path and query; a longer URL is refused */
    URL_TEXT_MAX = URL_HOST_MAX + URL_PATH_MAX + 32, /* room for url_format() */
};

struct url {
    char host[URL_HOST_MAX]; /* lower case; "::1" for [::1] */
    int port;                /* 1..65535; 80 when the URL names none */
    char path[URL_PATH_MAX]; /* starts with '/'; dot segments removed; query kept; no fragment */
};

/* Parse an absolute URL "http://host[:port][/path][?query][#fragment]".
 * Returns 0, or -1 with *why set to a one-line reason (a string constant), e.g.
 * "https is not supported (TLS is outside this lab): use an http:// URL". */
int url_parse(const char *text, struct url *out, const char **why);

/* Resolve a reference found on the page at base, as a browser would (RFC 3986 section 5):
 * "http://other/x", "//host/x", "/abs", "rel", "../up", "./here", "?q", "#frag", "".
 * Returns 0, or -1 with *why set (unsupported scheme, bad port, too long, ...). */
int url_resolve(const struct url *base, const char *ref, struct url *out, const char **why);

/* The canonical text "http://host[:port]/path": the port only when it is not 80.
 * Two URLs are the same page exactly when their canonical texts are equal. */
void url_format(const struct url *u, char *buf, size_t size);

/* Same scheme (always http), host and port. */
bool url_same_origin(const struct url *a, const struct url *b);

#endif
