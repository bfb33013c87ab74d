/* fetch_text.h — 03's -v view: HTTP is text, shown as it is sent and received.
 *
 * With f->show_text set (03 sets it with -v), fetch_send and fetch_recv print the bytes
 * they sent and received, one HTTP line per output line with its line end made visible:
 *
 *              > GET /page/1 HTTP/1.0\r\n               the request, exactly as sent
 *              < HTTP/1.0 200 OK\r\n                    the status line and headers,
 *              < Content-Length: 1106\r\n               exactly as received
 *              < \r\n
 *              < [body: 1106 bytes, not shown]          (fetch_report says this)
 *
 * Other bytes that would not show (controls, non-ASCII) are written \xNN, a backslash as
 * \\; a line too long for 80 columns is cut, saying how many bytes were left out.
 */
#ifndef ASYNCLAB_FETCH_TEXT_H
#define ASYNCLAB_FETCH_TEXT_H

#include <stdbool.h>
#include <stddef.h>

enum { FETCH_TEXT_KEEP = 72 }; /* bytes of one HTTP line kept for the view */

/* Where the view is: the line being sent or received. Starts zeroed. */
struct fetch_text {
    char mark;                  /* '>' the request, '<' the response, 0 nothing yet */
    char line[FETCH_TEXT_KEEP]; /* the line's first bytes */
    size_t len;                 /* its length so far (it may be longer than what is kept) */
    char prev, last;            /* its last two bytes: "\r\n" or a bare "\n" */
    int head_lines;             /* lines of the current head so far */
    bool interim;               /* the head began "HTTP/1.x 1..": another head follows */
    bool head_over;             /* the empty line has passed: what follows is the body */
};

/* Show the head's bytes in data (n bytes just sent, mark '>', or received, '<'), line by
 * line; the body that follows the empty line is only counted, by the parser. */
void fetch_text_show(struct fetch_text *t, char mark, const char *data, size_t n);

/* The response is over: print a line the server never ended and, if the parser took a
 * body (parsed), its size. */
void fetch_text_end(struct fetch_text *t, bool parsed, size_t body_len);

#endif
