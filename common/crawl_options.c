/* crawl_options.c — see crawl_options.h: one table gives the parser, --help and usage. */
#include "crawl_options.h"
#include "errors.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void crawl_default_options(struct crawl_options *o)
{
    *o = (struct crawl_options){.concurrency = 10,
                                .max_pages = CRAWL_DEFAULT_MAX_PAGES,
                                .timeout_s = 10.0,
                                .start_url = getenv("LAB_URL")};
}

/* The options every crawler has. usage names the value in a usage line ("CONCURRENCY"),
 * value in --help ("N"); NULL for an on/off flag. --help breaks its usage line before
 * the first option marked second_line, so that it fits 80 columns. */
enum option { OPT_C, OPT_N, OPT_T, OPT_TIMELINE, OPT_SVG, OPT_Q, OPT_V, OPTIONS };
static const struct {
    const char *name, *usage, *value, *help;
    bool second_line;
} TABLE[OPTIONS] = {
    [OPT_C] = {"-c", "CONCURRENCY", "N", "fetches in flight at most", false},
    [OPT_N] = {"-n", "MAX_PAGES", "N", "fetch at most N pages", false},
    [OPT_T] = {"-t", "TIMEOUT_SECONDS", "SECONDS",
               "deadline for each fetch, from connect to last byte", false},
    [OPT_TIMELINE] = {"--timeline", NULL, NULL,
                      "after the crawl, draw one bar per fetch on a common time axis", true},
    [OPT_SVG] = {"--svg", "FILE", "FILE",
                 "after the crawl, draw that timeline as an SVG picture in FILE", true},
    [OPT_Q] = {"-q", NULL, NULL, "no line per fetch, only the summary", true},
    [OPT_V] = {"-v", NULL, NULL, "narrate every step of every fetch", true},
};

static bool applies(const struct crawl_options *o, enum option i)
{
    return i != OPT_C || o->concurrency > 0;
}

/* The usage words from `from` on (first line, second line, or both): "[-n MAX_PAGES] ...". */
static void usage_words(const struct crawl_options *o, char *out, size_t size, int part)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < OPTIONS; i++)
        if (applies(o, i) && (part < 0 || part == TABLE[i].second_line))
            len +=
                (size_t)snprintf(out + len, size - len, "%s[%s%s%s]", len ? " " : "", TABLE[i].name,
                                 TABLE[i].usage ? " " : "", TABLE[i].usage ? TABLE[i].usage : "");
    if (part != 0) {
        len += (size_t)snprintf(out + len, size - len, "%s[URL]", len ? " " : "");
        for (const struct crawl_flag *f = o->flags; f != NULL && f->name != NULL; f++)
            len += (size_t)snprintf(out + len, size - len, " [%s]", f->name);
    }
}

const char *crawl_usage(const struct crawl_options *o)
{
    static char usage[512];
    usage_words(o, usage, sizeof usage, -1);
    return usage;
}

static void print_help(const struct crawl_options *o, const char *about)
{
    char first[256], second[256], name[32], help[128];
    usage_words(o, first, sizeof first, 0);
    usage_words(o, second, sizeof second, 1);
    printf("%s\n\nusage: %s %s\n       %s\n\noptions:\n", about, prog_name(), first, second);
    for (int i = 0; i < OPTIONS; i++) {
        if (!applies(o, i))
            continue;
        snprintf(name, sizeof name, "%s%s%s", TABLE[i].name, TABLE[i].value ? " " : "",
                 TABLE[i].value ? TABLE[i].value : "");
        if (i == OPT_C)
            snprintf(help, sizeof help, "%s (default %d)", TABLE[i].help, o->concurrency);
        else if (i == OPT_N)
            snprintf(help, sizeof help, "%s (default %d)", TABLE[i].help, o->max_pages);
        else if (i == OPT_T)
            snprintf(help, sizeof help, "%s (default %g)", TABLE[i].help, o->timeout_s);
        else
            snprintf(help, sizeof help, "%s", TABLE[i].help);
        printf("  %-11s %s\n", name, help);
    }
    for (const struct crawl_flag *f = o->flags; f != NULL && f->name != NULL; f++)
        printf("  %-11s %s\n", f->name, f->help);
    printf("  %-11s %s\n", "URL", "where to start (default: $LAB_URL, set by make run-NN)");
}

/* Which option a is, or OPTIONS. */
static enum option option_named(const char *a)
{
    for (int i = 0; i < OPTIONS; i++)
        if (strcmp(a, TABLE[i].name) == 0)
            return (enum option)i;
    return OPTIONS;
}

void crawl_parse_options(int argc, char **argv, struct crawl_options *o, const char *about,
                         const struct crawl_flag *extra)
{
    const char *url = NULL;
    o->flags = extra;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        bool matched = false;
        for (const struct crawl_flag *f = extra; f != NULL && f->name != NULL; f++)
            if (strcmp(a, f->name) == 0)
                *f->value = matched = true;
        if (matched)
            continue;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(o, about);
            exit(0);
        }
        enum option which = option_named(a);
        if (which != OPTIONS && TABLE[which].usage != NULL)
            i++; /* the option's value */
        switch (which) {
        case OPT_C:
            if (o->concurrency == 0)
                die_usage(crawl_usage(o), "-c does not apply: this crawler fetches one page at "
                                          "a time");
            o->concurrency =
                (int)parse_whole_or_die(crawl_usage(o), "-c", value, 1, CRAWL_MAX_CONCURRENCY);
            o->concurrency_given = true;
            break;
        case OPT_N:
            o->max_pages = (int)parse_whole_or_die(crawl_usage(o), "-n", value, 1, INT_MAX / 2);
            break;
        case OPT_T:
            o->timeout_s = parse_seconds_or_die(crawl_usage(o), "-t", value);
            break;
        case OPT_TIMELINE:
            o->timeline = true;
            break;
        case OPT_SVG:
            if (value == NULL || value[0] == '\0')
                die_usage(crawl_usage(o), "--svg needs a file name");
            o->svg_path = value;
            break;
        case OPT_Q:
            o->quiet = true;
            break;
        case OPT_V:
            o->verbose = true;
            break;
        case OPTIONS:
            if (a[0] == '-' && a[1] != '\0')
                die_usage(crawl_usage(o), "unknown option '%s' (see --help)", a);
            if (url != NULL)
                die_usage(crawl_usage(o), "one URL only: '%s' and '%s'", url, a);
            url = a;
            break;
        }
    }
    if (url != NULL)
        o->start_url = url;
    if (o->start_url == NULL || o->start_url[0] == '\0')
        die_usage(crawl_usage(o), "no URL: give one, set LAB_URL, or use make run-NN, which "
                                  "starts the lab server");
}
