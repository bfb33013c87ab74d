/* links.h — find the links in a page: the href of every <a> tag.
 *
 * Not an HTML parser: a scanner that is good enough for a crawler and safe on any input
 * (binary bytes, NULs, unterminated tags). It finds <a ... href=...> case-insensitively,
 * with the value in double quotes, single quotes or none, across newlines; decodes the
 * common entities (&amp; &lt; &gt; &quot; &#39; &#NN;); trims white space around the
 * value and drops tab, CR and LF inside it, as browsers do; ignores what is inside
 * <!-- -->, <script> and <style>; and skips links that are not web pages (javascript:,
 * mailto:, tel:, data:, ftp:, ...).
 */
#ifndef ASYNCLAB_LINKS_H
#define ASYNCLAB_LINKS_H

#include <stddef.h>

enum { LINK_MAX = 2048 }; /* a longer href is skipped */

/* Called once per link with the decoded href (valid only during the call). */
typedef void (*links_fn)(const char *href, void *ctx);

/* Scan len bytes of html and call found() for each link, in document order.
 * Returns the number of links reported. */
size_t links_scan(const char *html, size_t len, links_fn found, void *ctx);

#endif
