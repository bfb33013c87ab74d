/* svg.c — see svg.h: a document, rect, line, text with escaping. */
#include "svg.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

static const char *const anchor_names[] = {"start", "middle", "end"};

/* Write text to f with the five XML special characters escaped. */
static void svg_escape(FILE *f, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            /* XML 1.0 forbids control characters other than tab and newline. */
            if ((unsigned char)*p >= 0x20 || *p == '\t' || *p == '\n')
                fputc(*p, f);
            else
                fputc('?', f);
        }
    }
}

int svg_open(struct svg *s, const char *path, int width, int height, const char *title)
{
    s->path = path;
    s->file = fopen(path, "w");
    if (s->file == NULL)
        return -1;
    fprintf(s->file,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Verdana, "
            "sans-serif\">\n<title>",
            width, height, width, height);
    svg_escape(s->file, title);
    fprintf(s->file, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#FFFFFF\"/>\n", width,
            height);
    return 0;
}

void svg_rect(struct svg *s, double x, double y, double w, double h, const char *fill,
              const char *css_class)
{
    fprintf(s->file, "<rect");
    if (css_class != NULL)
        fprintf(s->file, " class=\"%s\"", css_class);
    fprintf(s->file, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x, y,
            w > 0 ? w : 0, h > 0 ? h : 0, fill);
}

void svg_line(struct svg *s, double x1, double y1, double x2, double y2, const char *stroke,
              double width)
{
    fprintf(s->file,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"%.1f\"/>\n",
            x1, y1, x2, y2, stroke, width);
}

void svg_text(struct svg *s, double x, double y, double size, enum svg_anchor anchor,
              const char *fill, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(s->file,
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"%s\" fill=\"%s\">", x, y,
            size, anchor_names[anchor], fill);
    svg_escape(s->file, text);
    fprintf(s->file, "</text>\n");
}

void svg_group(struct svg *s, const char *css_class)
{
    fprintf(s->file, "<g class=\"%s\">\n", css_class);
}

void svg_group_end(struct svg *s)
{
    fprintf(s->file, "</g>\n");
}

void svg_tooltip(struct svg *s, const char *text)
{
    fprintf(s->file, "<title>");
    svg_escape(s->file, text);
    fprintf(s->file, "</title>\n");
}

int svg_close(struct svg *s)
{
    fprintf(s->file, "</svg>\n");
    int failed = ferror(s->file);
    int saved = errno;
    if (fclose(s->file) != 0)
        return -1;
    s->file = NULL;
    if (failed) {
        errno = saved ? saved : EIO;
        return -1;
    }
    return 0;
}
