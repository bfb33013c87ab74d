/* labsite.h — what the lab server (00) says: the generated site and the fault pages.
 *
 * 00-labserver owns the waiting (connections, deadlines, the event loop); this file owns
 * the content. For each request it decides one answer, in up to four parts, so that even
 * the fault pages that send 50 MB or never stop cost a connection no more memory than a
 * normal page, and big pages are built once at start, not per request:
 *     head    bytes built for this answer (status line, headers, a small body)
 *     shared  bytes built once at start and shared by every answer (/fault/many-links)
 *     fill    fill_len bytes generated on the fly from a repeating pattern (-1: forever)
 *     tail    more bytes built for this answer
 * The pages, their exact byte counts and every fault are described in docs/00-labserver.md.
 */
#ifndef ASYNCLAB_LABSITE_H
#define ASYNCLAB_LABSITE_H

#include "http.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    LABSITE_FANOUT = 5,         /* children per page: page i has F*i+1 .. F*i+F */
    LABSITE_PAGES_MAX = 100000, /* --pages bound */
    LABSITE_REQUEST_MAX = 8192, /* a longer request gets 431 */
};

/* Growable text. Out of memory is fatal: this is a lab server. */
struct text {
    char *data;
    size_t len, cap;
};

struct pattern; /* a repeating unit, built once (labsite.c) */

enum pace {
    PACE_FULL_SPEED, /* as fast as the client reads */
    PACE_DRIP,       /* one byte every drip_ms (/fault/slow, /fault/drip-*) */
    PACE_NEVER,      /* never a byte (/fault/never) */
};

struct answer {
    int status;         /* for the log line: 200, 404, ... (0: no status line) */
    long long body_len; /* for the log line; -1 = endless */
    enum pace pace;
    int drip_ms;          /* PACE_DRIP: milliseconds between two bytes */
    long long drip_after; /* PACE_DRIP: bytes sent at once before the drip starts */
    struct text head;
    const char *shared; /* not ours: never freed */
    size_t shared_len;
    const struct pattern *fill;
    long long fill_len; /* -1: the fill never ends */
    struct text tail;
    long long end;  /* send no byte at or past this offset (HEAD: the end of the headers) */
    long long sent; /* bytes of the answer already sent */
};

struct labsite;

/* The site: / plus pages 1..pages; port is named in /fault/tricky-links. Builds the
 * shared pages and patterns (about 1 MiB) once. */
struct labsite *labsite_new(long pages, int port);
void labsite_free(struct labsite *site);

/* Decide the whole answer to "METHOD path" (GET or HEAD; HEAD gets the headers only,
 * on every path; anything else 405). */
void labsite_route(const struct labsite *site, const char *method, const char *path,
                   struct answer *a);

/* An error page: 400 (malformed request), 431 (request too large), ... */
void labsite_error(struct answer *a, int status);

/* The next stretch of the answer still to send: false when all
 * is sent. Advance a->sent by what was actually sent. */
bool answer_next(const struct answer *a, const char **bytes, size_t *n);
void answer_free(struct answer *a);

#endif
