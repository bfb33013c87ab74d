/* fuzz_links.c — libFuzzer harness for common/links.c: links_scan on any bytes.
 *
 * The input is the page itself (NULs, binary, unterminated tags and all); links_scan must
 * never read past its length (AddressSanitizer sees to that: libFuzzer's buffer ends
 * exactly there). Checked for every link reported:
 *   - it is a non-empty C string of at most LINK_MAX bytes, with no white space at either
 *     end (so no NUL inside what the scanner meant to report) and no tab, CR or LF inside;
 *   - the count returned equals the number of callbacks;
 *   - scanning a prefix of the page reports a prefix of the same links (a page cut short
 *     by a closed connection never invents a link);
 *   - url_resolve on it, as a crawler does, never crashes.
 * Build and run: make fuzz (see docs/robustness.md).
 */
#include "links.h"
#include "url.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
    size_t count;
    uint64_t hashes[4096]; /* the first links' hashes, for the prefix check */
    struct url base;
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void broken(const char *what, const char *href)
{
    fprintf(stderr, "fuzz_links: %s: '%.80s'\n", what, href);
    abort();
}

static void on_link(const char *href, void *ctx)
{
    struct seen *s = ctx;
    size_t n = strlen(href);
    if (n == 0 || n > LINK_MAX)
        broken("empty or too long href", href);
    if (strchr(" \t\r\n\f", href[0]) != NULL || strchr(" \t\r\n\f", href[n - 1]) != NULL)
        broken("white space around href", href);
    if (strpbrk(href, "\t\r\n") != NULL)
        broken("tab, CR or LF inside href", href);
    if (s->count < sizeof s->hashes / sizeof s->hashes[0])
        s->hashes[s->count] = hash_text(href);
    s->count++;
    struct url out;
    const char *why = NULL;
    if (url_resolve(&s->base, href, &out, &why) != 0 && (why == NULL || why[0] == '\0'))
        broken("url_resolve failed without a reason", href);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct seen whole, part;
    const char *why = NULL;
    memset(&whole, 0, sizeof whole);
    if (url_parse("http://127.0.0.1:8080/dir/page?x=1", &whole.base, &why) != 0)
        abort();
    part.base = whole.base;

    size_t count = links_scan((const char *)data, size, on_link, &whole);
    if (count != whole.count)
        broken("returned count differs from callbacks", "");

    /* A prefix, at a place chosen by the last byte. */
    size_t cut = size ? (size_t)data[size - 1] * size / 256 : 0;
    part.count = 0;
    size_t part_count = links_scan((const char *)data, cut, on_link, &part);
    if (part_count != part.count || part_count > count)
        broken("a prefix reported more links than the page", "");
    size_t kept = sizeof part.hashes / sizeof part.hashes[0];
    for (size_t i = 0; i < part_count && i < kept; i++)
        if (part.hashes[i] != whole.hashes[i])
            broken("a prefix reported a link the page does not", "");
    return 0;
}
