/* chart.h — the suite's pictures, drawn with svg.h: the crawl timeline and 10's cost bars.
 *
 * chart_timeline() draws what --timeline prints, as an SVG file for slides and docs: one
 * row per fetch on a shared time axis, each bar split into its phases (connect, waiting
 * for the first byte, reading), failed fetches in vermillion. Past CHART_MAX_ROWS fetches,
 * consecutive fetches share a row, so that a crawl of thousands is still one screen.
 *
 * chart_connections_file() draws when each of many connections opened and completed (09):
 * a histogram of CHART_BINS bins on one time axis, however many connections there are,
 * and above it how many were open at once.
 *
 * chart_log_bars() draws groups of bars on a log scale (one axis per group, since a
 * group's unit is its own), each bar labelled with its value and a ratio.
 */
#ifndef ASYNCLAB_CHART_H
#define ASYNCLAB_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "svg.h"

enum { CHART_WIDTH = 1280, CHART_MAX_ROWS = 40 };

/* One fetch on the timeline. Times are seconds since the program started; connected and
 * first_byte are 0 where the engine did not record them (one grey bar then). */
struct chart_fetch {
    char *url; /* canonical text */
    double started, connected, first_byte, ended;
    int status; /* HTTP status, or 0 for a failed fetch */
};

struct chart_timeline {
    const char *title;   /* "03-blocking-fetch: 21 pages, 1 error, wall 2.3 s, cpu 1.2 %" */
    const char *caption; /* smaller, under the axis: what was crawled, on which machine */
    double axis_end;     /* seconds at the right edge; 0: the last fetch's end */
    bool compact;        /* thin rows, no labels, no legend: a panel of a combined picture */
};

/* Draw the n records into path. Returns the picture's height in pixels, or -1 with errno
 * set. */
int chart_timeline(const char *path, const struct chart_fetch *records, size_t n,
                   const struct chart_timeline *how);

enum { CHART_BINS = 100 };

/* Connections counted into CHART_BINS equal slices of [0, axis_end] seconds. */
struct chart_bins {
    double axis_end, bin_s;                        /* the right edge; a bin's width */
    int opened[CHART_BINS], completed[CHART_BINS]; /* completed: successfully */
    int failed[CHART_BINS];                        /* failed, when they gave up */
};

/* Empty bins up to a "nice" axis end at or after `last` seconds (1.2 s: 12 ms a bin). */
void chart_bins_init(struct chart_bins *b, double last);

/* Count one connection opened at `opened` and completed (or failed) at `completed`. */
void chart_bins_add(struct chart_bins *b, double opened, double completed, bool failed);

/* Draw the bins into path, for a run with --svg FILE (09): connections open at once at
 * the end of each bin, and opened, completed and failed per bin, on one time axis, titled
 * with the run's figures ("PROG: N pages, E errors, wall W s, cpu C %, peak K") and
 * captioned with `what` and the machine it was measured on; then, unless quiet, one line
 * on stdout: "svg: N connections, W x H px, in FILE" (a long path cut to fit 80 columns).
 * 0, or 1 when the file could not be written (said on stderr). */
int chart_connections_file(const char *path, const struct chart_bins *b, const char *what,
                           int connections, int pages, int errors, int peak, bool quiet);

enum chart_unit { CHART_SECONDS, CHART_BYTES };

struct chart_bar {
    const char *label; /* "process" */
    double value;      /* in the group's unit; <= 0: unknown, no bar */
    const char *text;  /* the value as the caller's table prints it: "52.1 µs" */
    const char *note;  /* written after it, e.g. "1500x a generator"; may be NULL */
};

struct chart_group {
    const char *title; /* "create and finish one" */
    enum chart_unit unit;
    const struct chart_bar *bars;
    size_t n;
};

/* Draw the groups into path, one after another. 0, or -1 with errno set. */
int chart_log_bars(const char *path, const char *title, const char *caption,
                   const struct chart_group *groups, size_t n);

#endif
