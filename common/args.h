/* args.h — an example's options from a table, instead of a loop of strcmp() in each file.
 *
 *     bool quiet = false;
 *     int n = 10;
 *     const char *svg = NULL;
 *     const struct args_option options[] = {{"-n", ARGS_INT, &n, 1, 100, NULL},
 *                                           {"--svg", ARGS_TEXT, &svg, 0, 0, "a file name"},
 *                                           {"-q", ARGS_FLAG, &quiet, 0, 0, NULL},
 *                                           {NULL, ARGS_FLAG, NULL, 0, 0, NULL}};
 *     const char *url = args_parse(argc, argv, options, "URL", USAGE, print_help);
 *
 * --help and -h call help() and exit 0. An unknown option, a missing or bad value, or a
 * second operand: one line on stderr and the usage line, exit 2 (errors.h's die_usage,
 * parse_whole_or_die and parse_seconds_or_die, so the words are the same everywhere).
 *
 * Use this for an example with options of its own (09, 12); the crawlers use
 * crawl_options.h instead, whose table also writes their --help and usage lines from the
 * crawl defaults, which this one cannot do without help() carrying state.
 */
#ifndef ASYNCLAB_ARGS_H
#define ASYNCLAB_ARGS_H

enum args_kind {
    ARGS_FLAG,    /* bool: set to true when given */
    ARGS_INT,     /* int: a whole number from min to max */
    ARGS_SECONDS, /* double: seconds, more than 0 */
    ARGS_TEXT,    /* const char *: the next argument as it is */
};

struct args_option {
    const char *name; /* "-c", "--svg" */
    enum args_kind kind;
    void *value;      /* where the value goes: bool, int, double or const char * */
    long min, max;    /* ARGS_INT */
    const char *what; /* ARGS_TEXT: "a file name", as in "--svg needs a file name" */
};

/* Parse argv[1..] by options (ended by a NULL name). Returns the one operand (an argument
 * that is not an option, e.g. the URL), or NULL if there was none; operand names it in
 * messages, and NULL means the program takes none. */
const char *args_parse(int argc, char **argv, const struct args_option *options,
                       const char *operand, const char *usage, void (*help)(void));

#endif
