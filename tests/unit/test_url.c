/* test_url.c — unit checks for common/url.c: parse, resolve, format, same origin.
 *
 * One line per check: "ok - <what>" or "not ok - <what>: got X, expected Y", then
 * "test_url: N checks, M failed". Exit status 1 if any check failed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "check.h"

/* A printable, shortened copy of s for the report line: control bytes as \xNN. */
static const char *shown(const char *s, char *buf, size_t size)
{
    size_t o = 0, n = strlen(s);
    for (size_t i = 0; i < n && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == 48 && n > 60) {
            o += (size_t)snprintf(buf + o, size - o, "...(%zu bytes)", n);
            break;
        }
        if (c < 0x20 || c >= 0x7f)
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o] = '\0';
    return buf;
}

/* The outcome of a parse or resolve as one string: the canonical URL, or "error: why". */
static const char *outcome(int rc, const struct url *u, const char *why, char *buf, size_t size)
{
    if (rc == 0)
        url_format(u, buf, size);
    else
        snprintf(buf, size, "error: %s", why ? why : "(no reason)");
    return buf;
}

/* expected is the canonical URL, or "error: <start of the reason>". */
static void check_outcome(const char *what, int rc, const struct url *u, const char *why,
                          const char *expected)
{
    char got[URL_TEXT_MAX + 200];
    outcome(rc, u, why, got, sizeof got);
    bool ok = strncmp(expected, "error: ", 7) == 0 ? strncmp(got, expected, strlen(expected)) == 0
                                                   : strcmp(got, expected) == 0;
    check(ok, what, got, expected);
}

static void expect_parse(const char *text, const char *expected)
{
    char what[300], t[200];
    snprintf(what, sizeof what, "parse \"%s\"", shown(text, t, sizeof t));
    struct url u;
    const char *why = NULL;
    int rc = url_parse(text, &u, &why);
    check_outcome(what, rc, &u, why, expected);
}

static void expect_resolve(const char *base, const char *ref, const char *expected)
{
    char what[400], b[200], r[200];
    snprintf(what, sizeof what, "resolve \"%s\" against %s", shown(ref, r, sizeof r),
             shown(base, b, sizeof b));
    struct url base_url, u;
    const char *why = NULL;
    if (url_parse(base, &base_url, &why) != 0) {
        check(false, what, why, "a valid base URL");
        return;
    }
    int rc = url_resolve(&base_url, ref, &u, &why);
    check_outcome(what, rc, &u, why, expected);
}

/* A string of n copies of c after prefix, in a buffer the caller frees. */
static char *repeat(const char *prefix, char c, size_t n)
{
    size_t len = strlen(prefix);
    char *s = malloc(len + n + 1);
    if (s == NULL) {
        perror("malloc");
        exit(2);
    }
    memcpy(s, prefix, len);
    memset(s + len, c, n);
    s[len + n] = '\0';
    return s;
}

static void test_parse_valid(void)
{
    expect_parse("http://example.com", "http://example.com/");
    expect_parse("http://example.com/", "http://example.com/");
    expect_parse("HTTP://Example.COM/Path/To", "http://example.com/Path/To");
    expect_parse("hTtP://h/", "http://h/");
    expect_parse("http://127.0.0.1:8080/a/b?x=1#frag", "http://127.0.0.1:8080/a/b?x=1");
    expect_parse("http://h:80/x", "http://h/x");
    expect_parse("http://h:0080/x", "http://h/x");
    expect_parse("http://h:1/", "http://h:1/");
    expect_parse("http://h:65535/", "http://h:65535/");
    expect_parse("http://h?q=1", "http://h/?q=1");
    expect_parse("http://h#f", "http://h/");
    expect_parse("http://h/#", "http://h/");
    expect_parse("http://h/a/./b/../c", "http://h/a/c");
    expect_parse("http://h/../../x", "http://h/x");
    expect_parse("http://h/a?b/../c", "http://h/a?b/../c");
    expect_parse("http://h/a/b/..", "http://h/a/");
    expect_parse("http://[::1]:8080/x", "http://[::1]:8080/x");
    expect_parse("http://[FE80::1]/", "http://[fe80::1]/");
    expect_parse("http://[::ffff:127.0.0.1]/", "http://[::ffff:127.0.0.1]/");
    expect_parse("http://h/caf\xc3\xa9", "http://h/caf%C3%A9");
    expect_parse("http://h/~user/a%20b", "http://h/~user/a%20b");
    expect_parse("http://my-host.example_1.org/", "http://my-host.example_1.org/");

    struct url u;
    memset(&u, 0, sizeof u);
    const char *why = NULL;
    int rc = url_parse("http://LOCALHOST:9090/p?q", &u, &why);
    char got[URL_TEXT_MAX + 64];
    snprintf(got, sizeof got, "%d %s %d %s", rc, u.host, u.port, u.path);
    check(rc == 0 && strcmp(got, "0 localhost 9090 /p?q") == 0, "parse fills host, port, path", got,
          "0 localhost 9090 /p?q");
    rc = url_parse("http://[::1]/", &u, &why);
    snprintf(got, sizeof got, "%d %s %d %s", rc, u.host, u.port, u.path);
    check(rc == 0 && strcmp(got, "0 ::1 80 /") == 0, "IPv6 host stored without brackets", got,
          "0 ::1 80 /");
}

static void test_parse_invalid(void)
{
    expect_parse("https://h/", "error: https is not supported (TLS is outside this lab)");
    expect_parse("HTTPS://h/", "error: https is not supported (TLS is outside this lab)");
    expect_parse("ftp://h/file", "error: unsupported scheme ftp");
    expect_parse("FTP://h/file", "error: unsupported scheme ftp");
    expect_parse("gopher://h/", "error: unsupported scheme gopher");
    expect_parse("mailto:someone@example.com", "error: unsupported scheme mailto");
    expect_parse("foo+bar://h/", "error: unsupported scheme: only http://");
    expect_parse("example.com/x", "error: no scheme");
    expect_parse("localhost:8080/", "error: no scheme");
    expect_parse("127.0.0.1:8080/", "error: no scheme");
    expect_parse("//h/x", "error: no scheme");
    expect_parse("/x", "error: no scheme");
    expect_parse("", "error: no scheme");
    expect_parse("http:", "error: expected // after http:");
    expect_parse("http:/h/x", "error: expected // after http:");
    expect_parse("http://", "error: empty host");
    expect_parse("http:///x", "error: empty host");
    expect_parse("http://:8080/", "error: empty host");
    expect_parse("http://?q", "error: empty host");
    expect_parse("http://[]/", "error: empty host");
    expect_parse("http://h:0/", "error: bad port: must be 1 to 65535");
    expect_parse("http://h:65536/", "error: bad port: must be 1 to 65535");
    expect_parse("http://h:99999999999999999999999/", "error: bad port: must be 1 to 65535");
    expect_parse("http://h:abc/", "error: bad port: not a number");
    expect_parse("http://h:80a/", "error: bad port: not a number");
    expect_parse("http://h:-1/", "error: bad port: not a number");
    expect_parse("http://h:+80/", "error: bad port: not a number");
    expect_parse("http://h:/", "error: empty port after ':'");
    expect_parse("http://h:", "error: empty port after ':'");
    expect_parse("http://user@h/", "error: user names in URLs are refused");
    expect_parse("http://user:secret@h/", "error: user names in URLs are refused");
    expect_parse("http://@h/", "error: user names in URLs are refused");
    expect_parse("http://h/a b", "error: URL contains a space or a control character");
    expect_parse("http://h/a\r\nHost: evil", "error: URL contains a space or a control");
    expect_parse("http://h/a\nb", "error: URL contains a space or a control character");
    expect_parse("http://h/a\tb", "error: URL contains a space or a control character");
    expect_parse(" http://h/", "error: URL contains a space or a control character");
    expect_parse("http://h/ ", "error: URL contains a space or a control character");
    expect_parse("http://h/\x7f", "error: URL contains a space or a control character");
    expect_parse("http://h/#a b", "error: URL contains a space or a control character");
    expect_parse("http://h\x01/", "error: URL contains a space or a control character");
    expect_parse("http://ho$t/", "error: bad character in host name");
    expect_parse("http://h\xc3\xa9/", "error: bad character in host name");
    expect_parse("http://h%41/", "error: bad character in host name");
    expect_parse("http://[::1/", "error: bad IPv6 address");
    expect_parse("http://[::1]x/", "error: bad IPv6 address");
    expect_parse("http://[xyz]/", "error: bad IPv6 address");
    expect_parse("http://[127.0.0.1]/", "error: bad IPv6 address");
    expect_parse("http://h]/", "error: bad character in host name");
    expect_parse("http://[::1]:0/", "error: bad port: must be 1 to 65535");
}

static void test_parse_limits(void)
{
    char *s = repeat("http://h/", 'a', 10 * 1024);
    expect_parse(s, "error: URL too long");
    free(s);
    s = repeat("http://h/", 'a', 1024 * 1024);
    expect_parse(s, "error: URL too long");
    free(s);

    s = repeat("http://h/", 'a', URL_PATH_MAX - 2); /* "/" + 2046 = 2047 bytes: fits */
    struct url u;
    const char *why = NULL;
    int rc = url_parse(s, &u, &why);
    char got[64];
    snprintf(got, sizeof got, "rc=%d len=%zu", rc, rc == 0 ? strlen(u.path) : 0);
    check(rc == 0 && strlen(u.path) == URL_PATH_MAX - 1, "a path of 2047 bytes fits", got,
          "rc=0 len=2047");
    free(s);

    s = repeat("http://h/", 'a', URL_PATH_MAX - 1); /* 2048 bytes of path: one too many */
    expect_parse(s, "error: path too long");
    free(s);

    s = repeat("http://h/", '\xe9', 800); /* 800 bytes become 2400 as %E9 */
    expect_parse(s, "error: path too long");
    free(s);

    s = repeat("http://", 'h', URL_HOST_MAX);
    expect_parse(s, "error: host name too long");
    free(s);

    s = repeat("http://", 'h', URL_HOST_MAX - 1);
    rc = url_parse(s, &u, &why);
    snprintf(got, sizeof got, "rc=%d", rc);
    check(rc == 0 && strlen(u.host) == URL_HOST_MAX - 1, "a host of 255 bytes fits", got, "rc=0");
    free(s);
}

/* RFC 3986 section 5.4: every example, with our canonical form (a path is never empty). */
static void test_resolve_rfc3986(void)
{
    static const char *const table[][2] = {
        /* 5.4.1 normal examples */
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g/"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q"},
        {"g#s", "http://a/b/c/g"},
        {"g?y#s", "http://a/b/c/g?y"},
        {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"},
        {"g;x?y#s", "http://a/b/c/g;x?y"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
        /* 5.4.2 abnormal examples */
        {"../../../g", "http://a/g"},
        {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"},
        {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g"},
        {"g#s/../x", "http://a/b/c/g"},
        {"http:g", "http://a/b/c/g"}, /* the "backward compatible" reading, as browsers do */
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        expect_resolve("http://a/b/c/d;p?q", table[i][0], table[i][1]);
}

static void test_resolve_crawler(void)
{
    const char *base = "http://127.0.0.1:8080/dir/page.html?x=1";
    expect_resolve(base, "http://other.example/x", "http://other.example/x");
    expect_resolve(base, "HTTP://Other.Example:8080/y#top", "http://other.example:8080/y");
    expect_resolve(base, "//cdn.example/lib.js", "http://cdn.example/lib.js");
    expect_resolve(base, "//cdn.example:81", "http://cdn.example:81/");
    expect_resolve(base, "/abs", "http://127.0.0.1:8080/abs");
    expect_resolve(base, "rel.html", "http://127.0.0.1:8080/dir/rel.html");
    expect_resolve(base, "../up", "http://127.0.0.1:8080/up");
    expect_resolve(base, "../../../../../../etc/passwd", "http://127.0.0.1:8080/etc/passwd");
    expect_resolve(base, "/../../x", "http://127.0.0.1:8080/x");
    expect_resolve(base, "./here", "http://127.0.0.1:8080/dir/here");
    expect_resolve(base, "?y=2", "http://127.0.0.1:8080/dir/page.html?y=2");
    expect_resolve(base, "#section", "http://127.0.0.1:8080/dir/page.html?x=1");
    expect_resolve(base, "", "http://127.0.0.1:8080/dir/page.html?x=1");
    expect_resolve(base, "  /padded\n", "http://127.0.0.1:8080/padded");
    expect_resolve(base, "caf\xc3\xa9.html", "http://127.0.0.1:8080/dir/caf%C3%A9.html");
    expect_resolve("http://[::1]:8080/a/b", "c", "http://[::1]:8080/a/c");
    expect_resolve("http://h/", "//[::1]/x", "http://[::1]/x");

    expect_resolve(base, "https://secure.example/", "error: https is not supported");
    expect_resolve(base, "mailto:a@b.example", "error: unsupported scheme mailto");
    expect_resolve(base, "javascript:alert(1)", "error: unsupported scheme javascript");
    expect_resolve(base, "ftp://files.example/", "error: unsupported scheme ftp");
    expect_resolve(base, "data:text/html,hi", "error: unsupported scheme data");
    expect_resolve(base, "//h:0/", "error: bad port: must be 1 to 65535");
    expect_resolve(base, "//h:65536/", "error: bad port: must be 1 to 65535");
    expect_resolve(base, "//h:abc/", "error: bad port: not a number");
    expect_resolve(base, "//", "error: empty host");
    expect_resolve(base, "http://", "error: empty host");
    expect_resolve(base, "//user@h/", "error: user names in URLs are refused");
    expect_resolve(base, "/a\r\nX-Injected: 1", "error: URL contains a space or a control");
    expect_resolve(base, "/a b", "error: URL contains a space or a control character");
    expect_resolve(base, "/a\x00hidden", "http://127.0.0.1:8080/a"); /* C string ends at NUL */

    char *s = repeat("/", 'a', 10 * 1024);
    expect_resolve(base, s, "error: URL too long");
    free(s);
    s = repeat("", 'a', URL_PATH_MAX - 4); /* fits alone, not after "/dir/" */
    expect_resolve(base, s, "error: path too long");
    free(s);
}

static void test_resolve_details(void)
{
    struct url u;
    const char *why = NULL;
    char got[URL_TEXT_MAX];

    url_parse("http://h/a/b", &u, &why);
    int rc = url_resolve(&u, "c/d", &u, &why); /* out may be the base itself */
    url_format(&u, got, sizeof got);
    check(rc == 0 && strcmp(got, "http://h/a/c/d") == 0, "resolve into the base struct itself", got,
          "http://h/a/c/d");

    url_parse("http://h/a", &u, &why);
    rc = url_resolve(&u, "https://x/", &u, &why);
    url_format(&u, got, sizeof got);
    check(rc == -1 && strcmp(got, "http://h/a") == 0, "a failed resolve leaves out alone", got,
          "http://h/a");

    url_parse("http://h:81/a", &u, &why);
    rc = url_parse("http://x:0/b", &u, &why); /* fails in the port, after the host */
    url_format(&u, got, sizeof got);
    check(rc == -1 && strcmp(got, "http://h:81/a") == 0, "a failed parse leaves out alone", got,
          "http://h:81/a");
}

static void test_format_and_origin(void)
{
    struct url a, b;
    const char *why = NULL;
    char got[URL_TEXT_MAX];

    url_parse("http://example.com:8080/a?b", &a, &why);
    char small[12];
    memset(small, 'X', sizeof small);
    url_format(&a, small, sizeof small);
    check(strcmp(small, "http://exam") == 0, "url_format truncates to the buffer", small,
          "http://exam");

    url_parse("http://[::1]:80/", &a, &why);
    url_format(&a, got, sizeof got);
    check(strcmp(got, "http://[::1]/") == 0, "url_format: IPv6 in brackets, port 80 left out", got,
          "http://[::1]/");

    struct {
        const char *x, *y;
        bool same;
    } pairs[] = {
        {"http://h/", "http://h:80/other?q", true},
        {"http://H/", "http://h/", true},
        {"http://h/", "http://h:81/", false},
        {"http://h/", "http://h.example/", false},
        {"http://127.0.0.1/", "http://localhost/", false},
        {"http://[::1]:8080/", "http://[::1]:8080/x", true},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        url_parse(pairs[i].x, &a, &why);
        url_parse(pairs[i].y, &b, &why);
        bool same = url_same_origin(&a, &b);
        char what[200];
        snprintf(what, sizeof what, "same origin %s %s", pairs[i].x, pairs[i].y);
        check(same == pairs[i].same, what, same ? "true" : "false",
              pairs[i].same ? "true" : "false");
    }

    url_parse("http://127.0.0.1:8080/", &a, &why);
    url_resolve(&a, "http://elsewhere.example:8080/", &b, &why);
    check(!url_same_origin(&a, &b), "an absolute link to another host resolves, other origin",
          "same origin", "other origin");
}

int main(void)
{
    test_parse_valid();
    test_parse_invalid();
    test_parse_limits();
    test_resolve_rfc3986();
    test_resolve_crawler();
    test_resolve_details();
    test_format_and_origin();
    return check_report("test_url");
}
