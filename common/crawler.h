/* crawler.h — a crawler's start and end: its setup, SIGINT and SIGTERM, its exit status.
 *
 * Every crawler starts the same way (options, the crawl, its host resolved once, the
 * signals caught) and ends the same way (the summary, and 128 + the signal if one ended
 * it), whatever its engine does in between:
 *
 *     struct crawl crawl;
 *     struct fetch_site site;
 *     crawl_setup(&PROGRAM, argc, argv, &crawl, &site);
 *     ... the engine, which stops starting fetches once fetch_interrupted() ...
 *     fetch_site_free(&site);
 *     return fetch_finish(&crawl);
 *
 * The first SIGINT or SIGTERM sets a flag (nothing else: no stdio in a handler) and, the
 * handler having no SA_RESTART, makes a blocking call in progress fail with EINTR; every
 * fetch step then fails with "interrupted by SIGINT while ...", and the engine abandons
 * what is in flight and ends with what its counts say. A second signal ends the program
 * at once (exit 128 + the signal), as command-line tools do: a crawler that hangs still
 * stops.
 */
#ifndef ASYNCLAB_CRAWLER_H
#define ASYNCLAB_CRAWLER_H

#include <stdbool.h>

#include "crawl.h"
#include "fetch.h"

/* What makes one crawler's command line its own. */
struct crawl_program {
    const char *about;              /* what --help prints first */
    bool one_at_a_time;             /* no -c: this crawler fetches one page at a time */
    const struct crawl_flag *flags; /* its own flags ({NULL}-ended), or NULL */
    /* Called with the parsed options before the crawl starts, to refuse what this
     * crawler cannot do (die_usage) or adjust them. NULL: nothing to check. */
    void (*check)(struct crawl_options *o);
};

/* prog_start, the options (defaults, then argv, then program->check), the crawl, its
 * start host resolved once (not in any fetch's time), SIGINT and SIGTERM caught. */
void crawl_setup(const struct crawl_program *program, int argc, char **argv, struct crawl *crawl,
                 struct fetch_site *site);

/* The signal that asked the crawl to stop (SIGINT or SIGTERM), or 0. */
int fetch_interrupted(void);

/* crawl_finish(), preceded when a signal ended the crawl by the line
 * "interrupted by SIGINT after N pages"; returns 128 + the signal then. */
int fetch_finish(struct crawl *crawl);

#endif
