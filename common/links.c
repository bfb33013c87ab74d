/* links.c — find the href of every <a> tag in a page (see links.h).
 *
 * A scanner, not a parser: it walks the bytes once, skips comments and the text of
 * <script> and <style>, and at each "<a" followed by white space, '/' or '>' reads the
 * tag's attributes the way a browser's tokenizer does (name, then
 * optional "=" and a value in double quotes, single quotes or none). Every read is bounded
 * by len: the input may hold NUL bytes and need not end in one.
 */
#include "links.h"

#include "ascii.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Where the value of one tag's href lies in the page. */
struct span {
    const char *start;
    size_t len;
};

/* Read the attributes of a tag from p (just after "<a"). Returns the position after the
 * closing '>', or NULL if the page ends first (the tag is unterminated). *href is the
 * first href attribute's value, or start NULL if there is none. */
static const char *read_tag(const char *p, const char *end, struct span *href)
{
    href->start = NULL;
    href->len = 0;
    for (;;) {
        while (p < end && (ascii_is_space((unsigned char)*p) || *p == '/'))
            p++;
        if (p == end)
            return NULL;
        if (*p == '>')
            return p + 1;

        const char *name = p; /* a name runs to white space, '/', '>' or '=' */
        p++;                  /* (a first '=' belongs to the name, as in browsers) */
        while (p < end && !ascii_is_space((unsigned char)*p) && *p != '/' && *p != '>' && *p != '=')
            p++;
        size_t name_len = (size_t)(p - name);
        while (p < end && ascii_is_space((unsigned char)*p))
            p++;
        if (p == end || *p != '=')
            continue; /* an attribute without a value */
        p++;
        while (p < end && ascii_is_space((unsigned char)*p))
            p++;
        if (p == end)
            return NULL;

        const char *value;
        size_t value_len;
        if (*p == '"' || *p == '\'') {
            const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));
            if (close == NULL)
                return NULL; /* an unterminated quote swallows the rest of the page */
            value = p + 1;
            value_len = (size_t)(close - value);
            p = close + 1;
        } else {
            value = p;
            while (p < end && !ascii_is_space((unsigned char)*p) && *p != '>')
                p++;
            value_len = (size_t)(p - value);
        }
        if (href->start == NULL && ascii_equals_nocase(name, name_len, "href")) {
            href->start = value;
            href->len = value_len;
        }
    }
}

/* UTF-8 for a character number; 0 bytes if it is not one a page may use. */
static size_t utf8_encode(unsigned long c, char *out)
{
    if (c == 0 || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
        return 0;
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/* "&#NN;" or "&#xHH;" at s (n bytes available): the character's UTF-8 into out. Returns
 * how many input bytes it used, or 0 if this is not a numeric reference we decode. */
static size_t decode_number(const char *s, size_t n, char *out, size_t *out_len)
{
    size_t i = 2; /* past "&#" */
    bool hex = i < n && (s[i] == 'x' || s[i] == 'X');
    if (hex)
        i++;
    unsigned long c = 0;
    size_t digits = 0;
    for (; i < n && digits < 8; i++, digits++) {
        unsigned char d = (unsigned char)s[i];
        if (ascii_is_digit(d))
            c = c * (hex ? 16 : 10) + (d - '0');
        else if (hex && ascii_to_lower(d) >= 'a' && ascii_to_lower(d) <= 'f')
            c = c * 16 + (ascii_to_lower(d) - 'a' + 10);
        else
            break;
    }
    if (digits == 0 || i >= n || s[i] != ';')
        return 0;
    *out_len = utf8_encode(c, out);
    return *out_len ? i + 1 : 0;
}

/* One character reference at s ("&..."), decoded into out. Returns the input bytes used,
 * or 0 if it is not one we know (it is then copied as it stands). */
static size_t decode_entity(const char *s, size_t n, char *out, size_t *out_len)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    if (n >= 3 && s[1] == '#')
        return decode_number(s, n, out, out_len);
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t len = strlen(named[i].name);
        if (n >= len && memcmp(s, named[i].name, len) == 0) {
            out[0] = named[i].c;
            *out_len = 1;
            return len;
        }
    }
    return 0;
}

/* The href with its character references decoded, into out (LINK_MAX + 1 bytes).
 * Returns its length, or LINK_MAX + 1 if it is longer than LINK_MAX. */
static size_t decode_href(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char ch[4];
        size_t ch_len = 1, used = 0;
        if (s[i] == '&')
            used = decode_entity(s + i, n - i, ch, &ch_len);
        if (used == 0) {
            ch[0] = s[i];
            ch_len = 1;
            used = 1;
        }
        if (o + ch_len > LINK_MAX)
            return LINK_MAX + 1;
        memcpy(out + o, ch, ch_len);
        o += ch_len;
        i += used;
    }
    out[o] = '\0';
    return o;
}

/* A page's link worth following: http(s) or relative. "javascript:", "mailto:" and the
 * other schemes are not web pages. */
static bool is_web_link(const char *s, size_t n)
{
    if (n == 0 || !ascii_is_alpha((unsigned char)s[0]))
        return true; /* no scheme: relative */
    size_t i = 1;
    while (i < n && (ascii_is_alpha((unsigned char)s[i]) || ascii_is_digit((unsigned char)s[i]) ||
                     s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i == n || s[i] != ':')
        return true; /* "page.html", "a/b:c" */
    return ascii_equals_nocase(s, i, "http") || ascii_equals_nocase(s, i, "https");
}

/* Decode, trim and filter one href; report it if it is a link to a web page. */
static bool report_href(struct span href, links_fn found, void *ctx)
{
    char buf[LINK_MAX + 1];
    size_t n = decode_href(href.start, href.len, buf);
    if (n > LINK_MAX || memchr(buf, '\0', n) != NULL) /* a NUL would cut the string short */
        return false;
    char *s = buf; /* browsers ignore white space around a URL */
    while (n > 0 && ascii_is_space((unsigned char)s[0])) {
        s++;
        n--;
    }
    while (n > 0 && ascii_is_space((unsigned char)s[n - 1]))
        n--;
    size_t kept = 0; /* and drop every tab, CR and LF inside it (an href wrapped in the source) */
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            s[kept++] = s[i];
    n = kept;
    if (n == 0 || !is_web_link(s, n))
        return false;
    s[n] = '\0';
    if (found != NULL)
        found(s, ctx);
    return true;
}

/* True if the tag at p ("<...") is named name: the name, then white space, '/' or '>'
 * ("<a href", "<a/href", "<a>"; not "<abbr" or "<a-x"). */
static bool opens_tag(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    return (size_t)(end - p) >= n + 2 && ascii_equals_nocase(p + 1, n, name) &&
           (ascii_is_space((unsigned char)p[n + 1]) || p[n + 1] == '/' || p[n + 1] == '>');
}

/* Where a comment that opens at lt ("<!--") ends, or NULL if it never does. "<!-->" and
 * "<!--->" are empty comments to a browser: the search for "-->" starts inside "<!--". */
static const char *skip_comment(const char *lt, const char *end)
{
    for (const char *p = lt + 2; end - p >= 3; p++)
        if (memcmp(p, "-->", 3) == 0)
            return p + 3;
    return NULL;
}

/* <script> and <style> hold text, not tags: an "<a href" in a script is code that builds
 * a link, not one. Skip from after the opening tag (at p) to the matching end tag.
 * Returns where scanning resumes, or NULL if the page ends first. */
static const char *skip_raw_text(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    for (; (size_t)(end - p) >= n + 2; p++)
        if (p[0] == '<' && p[1] == '/' && ascii_equals_nocase(p + 2, n, name) &&
            (end - p == (ptrdiff_t)(n + 2) || ascii_is_space((unsigned char)p[n + 2]) ||
             p[n + 2] == '/' || p[n + 2] == '>'))
            return p + 2 + n;
    return NULL;
}

size_t links_scan(const char *html, size_t len, links_fn found, void *ctx)
{
    if (html == NULL || len == 0)
        return 0;
    const char *p = html, *end = html + len;
    size_t count = 0;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (lt == NULL)
            break;
        p = lt + 1;
        if ((size_t)(end - lt) >= 4 && memcmp(lt, "<!--", 4) == 0) {
            p = skip_comment(lt, end);
            if (p == NULL)
                break;
            continue;
        }
        const char *raw = opens_tag(lt, end, "script")  ? "script"
                          : opens_tag(lt, end, "style") ? "style"
                                                        : NULL;
        if (raw != NULL) {
            struct span ignored;
            const char *after = read_tag(lt + 1 + strlen(raw), end, &ignored);
            p = after ? skip_raw_text(after, end, raw) : NULL;
            if (p == NULL)
                break;
            continue;
        }
        if (!opens_tag(lt, end, "a"))
            continue;
        struct span href;
        const char *after = read_tag(lt + 2, end, &href);
        if (after == NULL)
            break; /* the page ends inside this tag */
        p = after;
        if (href.start != NULL && report_href(href, found, ctx))
            count++;
    }
    return count;
}
