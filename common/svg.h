/* svg.h — a small SVG 1.1 writer: the suite draws its own pictures for slides and docs.
 *
 * An SVG file is XML text: a <svg> element with a width and a height in pixels, and inside
 * it shapes placed by x (rightwards) and y (downwards) from the top-left corner. This
 * writer knows three shapes, which is all a bar chart needs: rect, line and text. Every
 * piece of text is escaped (& < > " '), so that a URL such as /a?x=1&y=<2> cannot break
 * the file. Only libc: fprintf to a FILE.
 *
 *     struct svg svg;
 *     if (svg_open(&svg, "out.svg", 1280, 720, "03-blocking-fetch timeline") != 0) ...
 *     svg_rect(&svg, 10, 20, 300, 14, SVG_ORANGE, "connect");
 *     svg_text(&svg, 10, 60, 16, SVG_START, SVG_BLACK, "%d pages", n);
 *     if (svg_close(&svg) != 0) ...      // reports a failed write (disk full, ...)
 *
 * Colours: the Okabe-Ito palette, told apart by people with any common colour blindness.
 */
#ifndef ASYNCLAB_SVG_H
#define ASYNCLAB_SVG_H

#include <stddef.h>
#include <stdio.h>

#define SVG_BLACK      "#000000"
#define SVG_ORANGE     "#E69F00"
#define SVG_SKY_BLUE   "#56B4E9"
#define SVG_GREEN      "#009E73"
#define SVG_YELLOW     "#F0E442"
#define SVG_BLUE       "#0072B2"
#define SVG_VERMILLION "#D55E00"
#define SVG_PURPLE     "#CC79A7"
#define SVG_GREY       "#999999"
#define SVG_LIGHT_GREY "#DDDDDD"

/* Text anchors: where x is, relative to the text. */
enum svg_anchor { SVG_START, SVG_MIDDLE, SVG_END };

struct svg {
    FILE *file;
    const char *path;
};

/* Create path and write the XML header, the <svg> element, a <title> and a white
 * background. 0, or -1 with errno set (the file could not be created). */
int svg_open(struct svg *s, const char *path, int width, int height, const char *title);

/* A filled rectangle; css_class (may be NULL) names what it is, e.g. "connect", so that a
 * test or a stylesheet can find every bar of one kind. */
void svg_rect(struct svg *s, double x, double y, double w, double h, const char *fill,
              const char *css_class);

/* A straight line of the given colour and width. */
void svg_line(struct svg *s, double x1, double y1, double x2, double y2, const char *stroke,
              double width);

/* Text at (x, y) (y is the baseline), size in pixels, formatted like printf, escaped. */
void svg_text(struct svg *s, double x, double y, double size, enum svg_anchor anchor,
              const char *fill, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Open a group <g class="..."> of shapes that belong together (one fetch's phases);
 * svg_group_end closes it. */
void svg_group(struct svg *s, const char *css_class);
void svg_group_end(struct svg *s);

/* A tooltip for the enclosing group: <title>text</title>, escaped. */
void svg_tooltip(struct svg *s, const char *text);

/* Close the document. 0, or -1 with errno set if any write failed. */
int svg_close(struct svg *s);

#endif
