/* fetch_text.c — see fetch_text.h: the HTTP text of a fetch, line by line, as it went. */
#include "fetch_text.h"

#include <stdio.h>
#include <string.h>

enum {
    TEXT_INDENT = 11,                  /* under the narration's "fd" column */
    TEXT_WIDTH = 80 - TEXT_INDENT - 2, /* after "> " */
};

/* Byte c as it shows in a line: itself, or an escape such as \r, \t, \\ or \x1b. */
static const char *visible_byte(unsigned char c, char out[5])
{
    if (c == '\r' || c == '\t' || c == '\\')
        snprintf(out, 5, "\\%c", c == '\r' ? 'r' : c == '\t' ? 't' : '\\');
    else if (c < 0x20 || c >= 0x7f)
        snprintf(out, 5, "\\x%02x", c);
    else
        snprintf(out, 5, "%c", c);
    return out;
}

/* Print the line in f->text, with end ("\\r\\n", "\\n", or "" when none came), and start
 * the next one. What does not fit in TEXT_WIDTH columns is cut: "...(+N bytes)". */
static void text_print_line(struct fetch_text *t, const char *end)
{
    size_t content = t->len - strlen(end) / 2; /* "\\r\\n" stands for 2 bytes, "\\n" for 1 */
    char shown[TEXT_WIDTH + 1] = "", cut[32] = "", token[5];
    size_t cols = 0, i = 0;
    for (; i < content && i < FETCH_TEXT_KEEP; i++) {
        size_t width = strlen(visible_byte((unsigned char)t->line[i], token));
        if (cols + width + strlen(end) > TEXT_WIDTH)
            break;
        memcpy(shown + cols, token, width + 1);
        cols += width;
    }
    if (i < content) { /* too long: cut it, leaving room for the note */
        int note = snprintf(cut, sizeof cut, "...(+%zu bytes)", content);
        while (i > 0 && cols + (size_t)note + strlen(end) > TEXT_WIDTH)
            cols -= strlen(visible_byte((unsigned char)t->line[--i], token));
        shown[cols] = '\0';
        snprintf(cut, sizeof cut, "...(+%zu bytes)", content - i);
    }
    printf("%*s%c %s%s%s\n", TEXT_INDENT, "", t->mark, shown, cut, end);
    t->len = 0;
    t->prev = t->last = 0;
}

/* A whole line has come: print it. The empty line ends the head, unless the head was a
 * 1xx one ("HTTP/1.1 100 Continue"), after which the response's own head follows. */
static void text_line_done(struct fetch_text *t)
{
    bool crlf = t->prev == '\r';
    bool empty = t->len == (crlf ? 2u : 1u);
    if (t->mark == '<' && t->head_lines++ == 0)
        t->interim = t->len > 9 && memcmp(t->line, "HTTP/", 5) == 0 && t->line[9] == '1';
    text_print_line(t, crlf ? "\\r\\n" : "\\n");
    if (!empty)
        return;
    t->head_lines = 0;
    if (t->interim)
        t->interim = false;
    else
        t->head_over = true;
}

void fetch_text_show(struct fetch_text *t, char mark, const char *data, size_t n)
{
    if (t->mark != mark)
        *t = (struct fetch_text){.mark = mark};
    for (size_t i = 0; i < n && !t->head_over; i++) {
        if (t->len < FETCH_TEXT_KEEP)
            t->line[t->len] = data[i];
        t->len++;
        t->prev = t->last;
        t->last = data[i];
        if (data[i] == '\n')
            text_line_done(t);
    }
}

void fetch_text_end(struct fetch_text *t, bool parsed, size_t body_len)
{
    if (t->mark != '<')
        return;
    if (t->len > 0 && !t->head_over)
        text_print_line(t, "");
    /* The body as far as the parser took it (not at all if it refused the head). */
    if (t->head_over && parsed)
        printf("%*s< [body: %zu bytes, not shown]\n", TEXT_INDENT, "", body_len);
    t->mark = 0;
}
