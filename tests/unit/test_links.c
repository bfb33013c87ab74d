/* test_links.c — unit checks for common/links.c: which hrefs the scanner reports.
 *
 * Every page is copied into a buffer of exactly its length (no NUL after it), so a read
 * past the end shows under valgrind and AddressSanitizer.
 *
 * One line per check: "ok - <what>" or "not ok - <what>: got X, expected Y", then
 * "test_links: N checks, M failed". Exit status 1 if any check failed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links.h"
#include "check.h"

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        perror("malloc");
        exit(2);
    }
    return p;
}

/* The links reported, joined with '|'; control and non-ASCII bytes as \xNN; long ones
 * as their length (over 60). */
struct found {
    char text[4096];
    size_t used, calls;
};

static void collect(const char *href, void *ctx)
{
    struct found *f = ctx;
    char item[256];
    size_t n = strlen(href);
    if (n > 60) {
        snprintf(item, sizeof item, "(%zu bytes)", n);
    } else {
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)href[i];
            if (c < 0x20 || c >= 0x7f)
                o += (size_t)snprintf(item + o, sizeof item - o, "\\x%02x", c);
            else
                item[o++] = (char)c;
        }
        item[o] = '\0';
    }
    f->used += (size_t)snprintf(f->text + f->used, sizeof f->text - f->used, "%s%s",
                                f->calls ? "|" : "", item);
    if (f->used >= sizeof f->text)
        f->used = sizeof f->text - 1;
    f->calls++;
}

/* Scan len bytes (an exact-size copy) and return the links as "a|b|c". */
static const char *scan(const char *html, size_t len, struct found *f)
{
    char *page = xmalloc(len);
    memcpy(page, html, len);
    f->text[0] = '\0';
    f->used = f->calls = 0;
    size_t count = links_scan(page, len, collect, f);
    free(page);
    if (count != f->calls)
        snprintf(f->text, sizeof f->text, "returned %zu but reported %zu", count, f->calls);
    return f->text;
}

static void expect_links_n(const char *what, const char *html, size_t len, const char *expected)
{
    struct found f;
    const char *got = scan(html, len, &f);
    check(strcmp(got, expected) == 0, what, got, expected);
}

static void expect_links(const char *what, const char *html, const char *expected)
{
    expect_links_n(what, html, strlen(html), expected);
}

static void test_tags_and_quotes(void)
{
    expect_links("double quotes", "<p><a href=\"/a\">A</a></p>", "/a");
    expect_links("single quotes", "<a href='/b'>B</a>", "/b");
    expect_links("no quotes, ends at '>'", "<a href=/c>C</a>", "/c");
    expect_links("no quotes, ends at white space", "<a href=/d title=x>D</a>", "/d");
    expect_links("no quotes, ends at a newline", "<a href=/e\nclass=x>E</a>", "/e");
    expect_links("upper case tag and attribute", "<A HREF=\"/f\">F</A>", "/f");
    expect_links("mixed case attribute", "<a HrEf='/g'>", "/g");
    expect_links("href after other attributes", "<a class=\"nav\" id=top href=\"/h\">", "/h");
    expect_links("newline between <a and href", "<a\nhref=\"/i\">", "/i");
    expect_links("tab, CR and form feed as white space",
                 "<a\thref='/j'><a\r\nhref='/k'><a\fhref=/l>", "/j|/k|/l");
    expect_links("spaces around '='", "<a href = \"/m\">", "/m");
    expect_links("newlines around '='", "<a href\n=\n'/n'>", "/n");
    expect_links("quoted value across a newline: the newline is dropped", "<a href=\"/o\np\">",
                 "/op");
    expect_links("'>' inside a quoted attribute", "<a title=\"a>b\" href=\"/q\">", "/q");
    expect_links("other quote inside the value", "<a href='/say\"hi\"'>", "/say\"hi\"");
    expect_links("space before '>'", "<a href=\"/r\" >", "/r");
    expect_links("self-closing slash", "<a href=\"/s\"/>", "/s");
    expect_links("boolean attribute before href", "<a download href=/t>", "/t");
    expect_links("first href wins", "<a href=/first href=/second>", "/first");
    expect_links("several links in document order",
                 "<ul><li><a href=1>1</a><li><a href=2>2</a>\n<li><a href=3>3</a></ul>", "1|2|3");
    expect_links("nested <a> tags both count", "<a href=\"/x\"><a href=\"/y\">", "/x|/y");
    expect_links("<a> without href", "<a name=top>top</a><a>", "");
    expect_links("white space around the value is trimmed", "<a href=\"  /u\t\n \">", "/u");
}

static void test_not_links(void)
{
    expect_links("<abbr> is not <a>", "<abbr title=x href=\"/no\">x</abbr>", "");
    expect_links("<area>, <aside>, <audio> are not <a>",
                 "<area href=/no1><aside href=/no2><audio href=/no3>", "");
    expect_links("<a-x> and <a:b> are not <a ...>", "<a-x href=/no1><a:b href=/no2>", "");
    expect_links("<link href> is not <a>", "<link rel=stylesheet href=/style.css>", "");
    expect_links("data-href does not match", "<a data-href=\"/no\">", "");
    expect_links("data-href before href", "<a data-href=\"/no\" href=\"/yes\">", "/yes");
    expect_links("xhref and hrefs do not match", "<a xhref=/no1 hrefs=/no2>", "");
    expect_links("href in the text is not an attribute", "<p>href=\"/no\"</p><a>href=/no</a>", "");
    expect_links("links inside a comment", "<!-- <a href=/hidden> --><a href=/shown>", "/shown");
    expect_links("unterminated comment", "<a href=/before><!-- <a href=/hidden>", "/before");
    expect_links("empty href", "<a href=\"\">x</a><a href=''><a href=>", "");
    expect_links("href of white space only", "<a href=\"  \n\t\">", "");
    expect_links("href without a value", "<a href>x</a><a href class=y>", "");
}

static void test_schemes(void)
{
    expect_links("javascript: is skipped", "<a href=\"javascript:void(0)\">", "");
    expect_links("scheme case does not matter", "<a href=\"JavaScript:alert(1)\">", "");
    expect_links("leading white space before the scheme", "<a href=\" \n javascript:alert(1)\">",
                 "");
    expect_links("mailto, tel, data, ftp, file, irc skipped",
                 "<a href=\"mailto:a@b.example\"><a href=\"tel:+123\"><a href=\"data:text/html,x\">"
                 "<a href=\"ftp://f.example/\"><a href=\"file:///etc/passwd\"><a href=irc://x>",
                 "");
    expect_links("a scheme hidden by an entity is still skipped",
                 "<a href=\"java&#115;cript:alert(1)\"><a href=\"&#32;javascript:x\">", "");
    expect_links("http and https kept (any case)",
                 "<a href=\"http://other.example/x\"><a href=\"HTTPS://secure.example/\">",
                 "http://other.example/x|HTTPS://secure.example/");
    expect_links("absolute link to another host", "<a href=http://elsewhere.example:8080/p>",
                 "http://elsewhere.example:8080/p");
    expect_links("protocol-relative link", "<a href=\"//cdn.example/lib.js\">",
                 "//cdn.example/lib.js");
    expect_links("../ beyond the root is reported as written", "<a href=\"../../../../up\">",
                 "../../../../up");
    expect_links("a colon after a slash is not a scheme", "<a href=\"a/b:c\"><a href=\"?t=1:2\">",
                 "a/b:c|?t=1:2");
    expect_links("fragment-only link", "<a href=\"#section\">", "#section");
}

static void test_entities(void)
{
    expect_links("&amp; in a query", "<a href=\"/p?a=1&amp;b=2\">", "/p?a=1&b=2");
    expect_links("&lt; &gt; &quot; &#39; &apos;", "<a href='/&lt;&gt;&quot;&#39;&apos;'>",
                 "/<>\"''");
    expect_links("decimal and hex references", "<a href=\"/&#65;&#x42;&#X43;&#x2f;d\">", "/ABC/d");
    expect_links("non-ASCII reference as UTF-8", "<a href=\"/caf&#233;\">", "/caf\\xc3\\xa9");
    expect_links("four-byte character", "<a href=\"/&#x1F600;\">", "/\\xf0\\x9f\\x98\\x80");
    expect_links("unknown entities left as they are", "<a href=\"/&copy;&nbsp;&foo;\">",
                 "/&copy;&nbsp;&foo;");
    expect_links("entity without ';' left alone", "<a href=\"/p?a=1&amp&b=2\">", "/p?a=1&amp&b=2");
    expect_links("bad numeric references left alone",
                 "<a href=\"/&#;&#x;&#xZZ;&#0;&#xD800;&#x110000;&#99999999999;\">",
                 "/&#;&#x;&#xZZ;&#0;&#xD800;&#x110000;&#99999999999;");
    expect_links("decoded once, not twice", "<a href=\"/&amp;amp;\">", "/&amp;");
    expect_links("entity in an unquoted value", "<a href=/x?a&amp;b>", "/x?a&b");
    expect_links("entity at the very end", "<a href=\"/x&amp\">", "/x&amp");
}

static void test_truncated_and_binary(void)
{
    expect_links("unterminated quote at EOF",
                 "<a href=\"/ok\">ok</a><a href=\"/never>and the rest of the page", "/ok");
    expect_links("unterminated tag at EOF", "<a href=/ok></a><a href=/never", "/ok");
    expect_links("closed quote, no '>' at EOF", "<a href=/ok><a href=\"/never\"", "/ok");
    expect_links("page ends after <a", "<a href=/ok><a", "/ok");
    expect_links("page ends after <a and a space", "<a href=/ok><a ", "/ok");
    expect_links("page ends after href=", "<a href=/ok><a href=", "/ok");
    expect_links("page ends after <", "<a href=/ok><", "/ok");
    expect_links_n("empty page", "", 0, "");
    check(links_scan(NULL, 0, collect, NULL) == 0, "NULL page of length 0", "links", "none");

    const char binary[] = "\0\xff<a href=/bin>\0<\0a href=/no>\x80<a\0href=/no>"
                          "<a href=\"/nul\0inside\"><a href=/after>\xfe";
    expect_links_n("NUL and high bytes around tags", binary, sizeof binary - 1, "/bin|/after");

    struct found f;
    size_t n = links_scan("<a href=/1><a href=/2>", 22, NULL, &f);
    char got[32];
    snprintf(got, sizeof got, "%zu", n);
    check(n == 2, "no callback: links are only counted", got, "2");
}

static void test_sizes(void)
{
    /* An href of exactly LINK_MAX bytes is kept; one more and it is skipped. */
    char *page = xmalloc(3 * LINK_MAX + 100);
    int at = sprintf(page, "<a href=\"/");
    memset(page + at, 'x', LINK_MAX - 1);
    strcpy(page + at + LINK_MAX - 1, "\">");
    char expected[32];
    snprintf(expected, sizeof expected, "(%d bytes)", LINK_MAX);
    expect_links("href of exactly LINK_MAX bytes", page, expected);
    at = sprintf(page, "<a href=\"/");
    memset(page + at, 'x', LINK_MAX);
    strcpy(page + at + LINK_MAX, "\"><a href=/next>");
    expect_links("href over LINK_MAX is skipped", page, "/next");

    /* Decoding comes first: 512 "&amp;" are 2560 bytes of page but 512 of href. */
    at = sprintf(page, "<a href=\"");
    for (int i = 0; i < LINK_MAX / 4; i++)
        at += sprintf(page + at, "&amp;");
    strcpy(page + at, "\">");
    expect_links("long page text that decodes under LINK_MAX", page, "(512 bytes)");
    free(page);

    /* 20,000 links on one page. */
    size_t size = 20000 * 40;
    page = xmalloc(size);
    size_t len = 0;
    for (int i = 0; i < 20000; i++)
        len += (size_t)snprintf(page + len, size - len, "<li><a href=\"/p/%d\">%d</a>\n", i, i);
    struct found f;
    scan(page, len, &f);
    char got[64];
    snprintf(got, sizeof got, "%zu", f.calls);
    check(f.calls == 20000, "a page with 20,000 links", got, "20000");
    free(page);
}

/* Every prefix of a page: no crash, and the links found are always a prefix of the
 * links in the whole page (a cut tag is simply not reported yet). */
static void test_every_prefix(void)
{
    const char page[] = "<html><!-- c --><a href=\"/one\">1</a> <A\nHREF='/t&amp;wo'>2</A>"
                        "<abbr href=/no><a title=\"x>y\" href=/three><a href=\"mailto:x\">"
                        "<a data-href=/no href = \"/four\" >";
    struct found whole;
    scan(page, sizeof page - 1, &whole);
    check(strcmp(whole.text, "/one|/t&wo|/three|/four") == 0, "the sample page", whole.text,
          "/one|/t&wo|/three|/four");
    bool ok = true;
    size_t bad = 0;
    for (size_t len = 0; len < sizeof page && ok; len++) {
        struct found part;
        scan(page, len, &part);
        ok = strncmp(whole.text, part.text, strlen(part.text)) == 0;
        bad = len;
    }
    char got[64];
    snprintf(got, sizeof got, "prefix of %zu bytes differs", bad);
    check(ok, "every prefix of the sample page", got, "a prefix of the full list");
}

/* Seeded random bytes with tag-like pieces mixed in: must not crash or read past the end,
 * and the count returned must equal the calls made. */
static void test_random_pages(void)
{
    static const char *const pieces[] = {"<a ", "<a", "href",  "=",  "\"",
                                         "'",   ">",  "&amp;", "&#", "<!--",
                                         "-->", " ",  "\n",    "/x", "javascript:"};
    unsigned state = 12345;
    bool ok = true;
    char got[160] = "";
    for (int round = 0; round < 200 && ok; round++) {
        size_t len = 0, size = 4096;
        char *page = xmalloc(size);
        while (len < size - 16) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            if (state % 3 == 0) {
                const char *p = pieces[(state >> 8) % (sizeof pieces / sizeof pieces[0])];
                memcpy(page + len, p, strlen(p));
                len += strlen(p);
            } else {
                page[len++] = (char)(state >> 16);
            }
        }
        struct found f;
        scan(page, len, &f);
        ok = strncmp(f.text, "returned", 8) != 0;
        if (!ok)
            snprintf(got, sizeof got, "round %d: %.120s", round, f.text);
        free(page);
    }
    check(ok, "200 random pages of 4 KiB", got, "count equal to the calls");
}

/* What a browser does and the old scanner did not (issue 10). */
static void test_like_a_browser(void)
{
    expect_links("<a/href=...>: '/' separates the name from an attribute",
                 "<a/href=/yes1><A/HREF='/yes2'><a/ href=\"/yes3\">", "/yes1|/yes2|/yes3");
    expect_links("links inside <script> are code, not links",
                 "<script>var s = '<a href=\"/no\">';</script><a href=/yes>", "/yes");
    expect_links("<script> with attributes, upper case end tag",
                 "<script type=\"text/x\" data-x='>'><a href=/no></SCRIPT ><a href=/yes>", "/yes");
    expect_links("</script inside a longer name does not end it",
                 "<script>x='</scripts><a href=/no>'</script><a href=/yes>", "/yes");
    expect_links("<style> is skipped", "<style>a::after{content:'<a href=/no>'}</style><a href=/y>",
                 "/y");
    expect_links("<scripts> and <styles> are not <script>",
                 "<scripts><a href=/one></scripts><styles><a href=/two>", "/one|/two");
    expect_links("unterminated <script> hides the rest", "<a href=/before><script><a href=/no>",
                 "/before");
    expect_links("unterminated <script> tag", "<a href=/before><script src='x", "/before");
    expect_links("<!-- inside a script is text: </script> still ends it",
                 "<script><!-- </script><a href=/yes> --></script>", "/yes");
    expect_links("empty comments <!--> and <!--->", "<!--><a href=/one><!---><a href=/two>",
                 "/one|/two");
    expect_links("links after a comment", "<!-- <a href=/no> -- > --><a href=/yes>", "/yes");
    expect_links("spaces around an href are trimmed", "<a href=\"  /x  \"><a href=' /y'>", "/x|/y");
    expect_links("tab, CR and LF inside an href are dropped",
                 "<a href=\"/long/\n    path\"><a href='/t\ta\rb'>", "/long/    path|/tab");
    expect_links("encoded newline (&#10;) inside an href is dropped", "<a href=\"/a&#10;b&#9;c\">",
                 "/abc");
    expect_links("a space inside an href stays", "<a href=\"/a b\">", "/a b");
    expect_links("only tabs and newlines: no link", "<a href=\"\t\r\n\">", "");
    expect_links(
        "java\\tscript: with a tab is still javascript:", "<a href=\"java\tscript:alert(1)\">", "");
}

int main(void)
{
    test_tags_and_quotes();
    test_not_links();
    test_like_a_browser();
    test_schemes();
    test_entities();
    test_truncated_and_binary();
    test_sizes();
    test_every_prefix();
    test_random_pages();
    return check_report("test_links");
}
