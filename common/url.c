/* url.c — parse, resolve and compare http:// URLs (see url.h).
 *
 * A URL that reaches this file may come from a hostile page, so every check here is also
 * a defence: no byte that could end a request line early (space, CR, LF, any control
 * character) ever gets into a struct url, every length is checked before it is copied,
 * and nothing is allocated.
 */
#include "url.h"

#include "ascii.h"

#include <stdio.h>
#include <string.h>

/* The limits as the messages below state them. */
_Static_assert(URL_PATH_MAX == 2048 && URL_TEXT_MAX == 2336, "update the messages");

static const char WHY_HTTPS[] =
    "https is not supported (TLS is outside this lab): use an http:// URL";

/* Space, DEL and the control characters: never allowed anywhere in a URL. */
static bool is_forbidden(unsigned char c)
{
    return c <= ' ' || c == 0x7f;
}

/* The length of the scheme at the start of s ("http" in "http://..."), or 0 if s does not
 * start with one (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"). */
static size_t scheme_length(const char *s, size_t n)
{
    if (n == 0 || !ascii_is_alpha((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':')
            return i;
        if (!ascii_is_alpha(c) && !ascii_is_digit(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

/* Why a scheme other than http is refused. *why must be a constant string, so the schemes
 * a page is likely to use have a message each and any other gets a general one. */
static const char *why_scheme(const char *s, size_t n)
{
#define OTHER(name)                                                                                \
    {                                                                                              \
        name, "unsupported scheme " name ": only http:// URLs are fetched"                         \
    }
    static const struct {
        const char *name, *why;
    } known[] = {
        {"https", WHY_HTTPS}, OTHER("ftp"),  OTHER("ftps"), OTHER("file"), OTHER("mailto"),
        OTHER("javascript"),  OTHER("data"), OTHER("tel"),  OTHER("ws"),   OTHER("wss"),
        OTHER("gopher"),      OTHER("news"), OTHER("irc"),  OTHER("ssh"),  OTHER("sftp"),
        OTHER("about"),       OTHER("blob"), OTHER("sms"),
    };
#undef OTHER
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (ascii_equals_nocase(s, n, known[i].name))
            return known[i].why;
    return "unsupported scheme: only http:// URLs are fetched";
}

/* Copy the host part s[0..n) into out->host, lower case; "[::1]" becomes "::1". */
static int parse_host(const char *s, size_t n, struct url *out, const char **why)
{
    bool literal = n > 0 && s[0] == '[';
    if (literal) {
        if (n < 2 || s[n - 1] != ']') {
            *why = "bad IPv6 address: expected [address]";
            return -1;
        }
        s++;
        n -= 2;
    }
    if (n == 0) {
        *why = "empty host name";
        return -1;
    }
    if (n >= URL_HOST_MAX) {
        *why = "host name too long";
        return -1;
    }
    bool colon = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (literal && (ascii_is_hex(c) || c == ':' || c == '.')) {
            colon = colon || c == ':';
        } else if (literal ||
                   !(ascii_is_alpha(c) || ascii_is_digit(c) || c == '-' || c == '.' || c == '_')) {
            *why = literal ? "bad IPv6 address: only hex digits, ':' and '.' are allowed"
                           : "bad character in host name";
            return -1;
        }
        out->host[i] = (char)ascii_to_lower(c);
    }
    if (literal && !colon) {
        *why = "bad IPv6 address: expected [address]";
        return -1;
    }
    out->host[n] = '\0';
    return 0;
}

static int parse_port(const char *s, size_t n, int *port, const char **why)
{
    if (n == 0) {
        *why = "empty port after ':'";
        return -1;
    }
    long value = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ascii_is_digit((unsigned char)s[i])) {
            *why = "bad port: not a number";
            return -1;
        }
        value = value * 10 + (s[i] - '0');
        if (value > 65535)
            break; /* out of range already; stop before the number can overflow */
    }
    if (value < 1 || value > 65535) {
        *why = "bad port: must be 1 to 65535";
        return -1;
    }
    *port = (int)value;
    return 0;
}

/* The authority "host[:port]" (no user info) into out->host and out->port. */
static int parse_authority(const char *s, size_t n, struct url *out, const char **why)
{
    if (memchr(s, '@', n) != NULL) {
        *why = "user names in URLs are refused (user@host)";
        return -1;
    }
    /* The port separator is the last ':' that is not inside an [IPv6] literal. */
    size_t host_end = n;
    const char *bracket = memchr(s, ']', n);
    size_t from = bracket ? (size_t)(bracket - s) + 1 : 0;
    const char *colon = memchr(s + from, ':', n - from);
    if (colon != NULL)
        host_end = (size_t)(colon - s);
    if (bracket != NULL && host_end != (size_t)(bracket - s) + 1) {
        *why = "bad IPv6 address: expected [address]";
        return -1;
    }
    if (parse_host(s, host_end, out, why) != 0)
        return -1;
    out->port = 80;
    if (colon != NULL)
        return parse_port(colon + 1, n - host_end - 1, &out->port, why);
    return 0;
}

/* Drop the last segment and its '/' from out[0..*o). */
static void pop_segment(const char *out, size_t *o)
{
    while (*o > 0 && out[*o - 1] != '/')
        (*o)--;
    if (*o > 0)
        (*o)--;
}

/* RFC 3986 section 5.2.4, "remove_dot_segments", from in[0..n) into out (at least n
 * bytes). Returns the output length, which is never more than n. A ".." above the root
 * has nowhere to go and is dropped, so "/../x" is "/x". */
static size_t remove_dot_segments(const char *in, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        const char *s = in + i;
        size_t left = n - i;
        if (left >= 3 && memcmp(s, "../", 3) == 0) {
            i += 3;
        } else if (left >= 2 && memcmp(s, "./", 2) == 0) {
            i += 2;
        } else if (left >= 3 && memcmp(s, "/./", 3) == 0) {
            i += 2;
        } else if (left == 2 && memcmp(s, "/.", 2) == 0) {
            out[o++] = '/';
            break;
        } else if (left >= 4 && memcmp(s, "/../", 4) == 0) {
            i += 3;
            pop_segment(out, &o);
        } else if (left == 3 && memcmp(s, "/..", 3) == 0) {
            pop_segment(out, &o);
            out[o++] = '/';
            break;
        } else if ((left == 1 && s[0] == '.') || (left == 2 && memcmp(s, "..", 2) == 0)) {
            break;
        } else {
            size_t seg = (s[0] == '/') ? 1 : 0; /* move one segment, with its leading '/' */
            while (seg < left && s[seg] != '/')
                seg++;
            memcpy(out + o, s, seg);
            o += seg;
            i += seg;
        }
    }
    return o;
}

/* Append s[0..n) to out->path at *len, writing bytes above 127 as %XX (what a browser
 * sends for them). Fails if the result would not fit. */
static int append_path(struct url *out, size_t *len, const char *s, size_t n, const char **why)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t need = c < 0x80 ? 1 : 3;
        if (*len + need >= URL_PATH_MAX) {
            *why = "path too long (the limit is 2047 bytes)";
            return -1;
        }
        if (c < 0x80) {
            out->path[(*len)++] = (char)c;
        } else {
            out->path[(*len)++] = '%';
            out->path[(*len)++] = hex[c >> 4];
            out->path[(*len)++] = hex[c & 15];
        }
    }
    out->path[*len] = '\0';
    return 0;
}

/* out->path = remove_dot_segments(prefix + path) + query, where the query (with its '?')
 * is kept as it is. prefix is the base's directory when merging a relative path. */
static int build_path(struct url *out, const char *prefix, size_t prefix_len, const char *path,
                      size_t path_len, const char *query, size_t query_len, const char **why)
{
    char merged[URL_PATH_MAX + URL_TEXT_MAX], clean[URL_PATH_MAX + URL_TEXT_MAX];
    if (prefix_len + path_len >= sizeof merged) {
        *why = "path too long (the limit is 2047 bytes)";
        return -1;
    }
    memcpy(merged, prefix, prefix_len);
    memcpy(merged + prefix_len, path, path_len);
    size_t n = remove_dot_segments(merged, prefix_len + path_len, clean);
    size_t len = 0;
    out->path[0] = '\0';
    if (n == 0 || clean[0] != '/') { /* "http://host" and "http://host?q" mean path "/" */
        if (append_path(out, &len, "/", 1, why) != 0)
            return -1;
    }
    if (append_path(out, &len, clean, n, why) != 0)
        return -1;
    return append_path(out, &len, query, query_len, why);
}

/* The checks every URL text gets first: its length, and no space or control byte. */
static int check_text(const char *text, size_t *len, const char **why)
{
    *len = strnlen(text, URL_TEXT_MAX + 1);
    if (*len > URL_TEXT_MAX) {
        *why = "URL too long (the limit is 2336 bytes)";
        return -1;
    }
    for (size_t i = 0; i < *len; i++) {
        if (is_forbidden((unsigned char)text[i])) {
            *why = "URL contains a space or a control character";
            return -1;
        }
    }
    return 0;
}

/* "path[?query][#fragment]" split in place: returns the lengths of the path and query
 * parts; the fragment is dropped. */
static void split_path(const char *s, size_t n, size_t *path_len, size_t *query_len)
{
    const char *hash = memchr(s, '#', n);
    if (hash != NULL)
        n = (size_t)(hash - s);
    const char *q = memchr(s, '?', n);
    *path_len = q ? (size_t)(q - s) : n;
    *query_len = n - *path_len;
}

/* Parse "//host[:port][/path][?query][#fragment]" (what follows "http:"). out is written
 * only on success. */
static int parse_after_scheme(const char *s, size_t n, struct url *out, const char **why)
{
    struct url result;
    if (n < 2 || s[0] != '/' || s[1] != '/') {
        *why = "expected // after http:, as in http://host/path";
        return -1;
    }
    s += 2;
    n -= 2;
    size_t auth = 0;
    while (auth < n && s[auth] != '/' && s[auth] != '?' && s[auth] != '#')
        auth++;
    if (parse_authority(s, auth, &result, why) != 0)
        return -1;
    size_t path_len, query_len;
    split_path(s + auth, n - auth, &path_len, &query_len);
    if (build_path(&result, "", 0, s + auth, path_len, s + auth + path_len, query_len, why) != 0)
        return -1;
    *out = result;
    return 0;
}

int url_parse(const char *text, struct url *out, const char **why)
{
    size_t n;
    if (check_text(text, &n, why) != 0)
        return -1;
    size_t scheme = scheme_length(text, n);
    /* "localhost:8080/" is a host and a port without the scheme, not a scheme "localhost". */
    if (scheme == 0 || (scheme + 1 < n && ascii_is_digit((unsigned char)text[scheme + 1]))) {
        *why = "no scheme: expected http://host[:port]/path";
        return -1;
    }
    if (!ascii_equals_nocase(text, scheme, "http")) {
        *why = why_scheme(text, scheme);
        return -1;
    }
    return parse_after_scheme(text + scheme + 1, n - scheme - 1, out, why);
}

/* Leading and trailing white space in an href is ignored, as a browser does. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_forbidden((unsigned char)(*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_forbidden((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

int url_resolve(const struct url *base, const char *ref, struct url *out, const char **why)
{
    size_t n = strnlen(ref, URL_TEXT_MAX + 1);
    trim(&ref, &n);
    char copy[URL_TEXT_MAX + 1];
    if (n > URL_TEXT_MAX) {
        *why = "URL too long (the limit is 2336 bytes)";
        return -1;
    }
    memcpy(copy, ref, n);
    copy[n] = '\0';
    if (check_text(copy, &n, why) != 0)
        return -1;

    const char *s = copy;
    size_t scheme = scheme_length(s, n);
    if (scheme > 0 && !ascii_equals_nocase(s, scheme, "http")) {
        *why = why_scheme(s, scheme);
        return -1;
    }
    if (scheme > 0) { /* "http://h/x" is absolute; "http:x" is relative, as in browsers */
        s += scheme + 1;
        n -= scheme + 1;
    }
    if (n >= 2 && s[0] == '/' && s[1] == '/')
        return parse_after_scheme(s, n, out, why);

    struct url result;
    memcpy(result.host, base->host, sizeof result.host);
    result.port = base->port;
    size_t path_len, query_len;
    split_path(s, n, &path_len, &query_len);
    const char *query = s + path_len;

    size_t base_path_len = strcspn(base->path, "?");
    int rc;
    if (path_len == 0 && query_len == 0) { /* "" and "#frag": the same page */
        rc = build_path(&result, "", 0, base->path, base_path_len, base->path + base_path_len,
                        strlen(base->path + base_path_len), why);
    } else if (path_len == 0) { /* "?q": the same path, another query */
        rc = build_path(&result, "", 0, base->path, base_path_len, query, query_len, why);
    } else if (s[0] == '/') {
        rc = build_path(&result, "", 0, s, path_len, query, query_len, why);
    } else { /* relative: replace the base's last segment */
        size_t dir = base_path_len;
        while (dir > 0 && base->path[dir - 1] != '/')
            dir--;
        rc = build_path(&result, base->path, dir, s, path_len, query, query_len, why);
    }
    if (rc != 0)
        return -1;
    *out = result;
    return 0;
}

void url_format(const struct url *u, char *buf, size_t size)
{
    bool literal = strchr(u->host, ':') != NULL;
    char port[8] = "";
    if (u->port != 80)
        snprintf(port, sizeof port, ":%d", u->port);
    snprintf(buf, size, "http://%s%s%s%s%s", literal ? "[" : "", u->host, literal ? "]" : "", port,
             u->path);
}

bool url_same_origin(const struct url *a, const struct url *b)
{
    return a->port == b->port && strcmp(a->host, b->host) == 0;
}
