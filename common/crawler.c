/* crawler.c — see crawler.h: a crawler's setup, its signals and its exit status. */
#include "crawler.h"
#include "errors.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

/* The one piece of global state: a handler can reach nothing else. Atomic, because 08's
 * threads read it while the handler may write it. */
static atomic_int caught_signal;

/* The first signal asks the crawl to stop; a second one, while it is still stopping (or
 * hanging), ends the process at once: _exit is async-signal-safe, stdio is not. */
static void on_signal(int sig)
{
    if (atomic_exchange(&caught_signal, sig) != 0)
        _exit(128 + sig);
}

static void catch_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: calls fail with EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        die_errno("sigaction");
}

int fetch_interrupted(void)
{
    return atomic_load(&caught_signal);
}

void crawl_setup(const struct crawl_program *program, int argc, char **argv, struct crawl *crawl,
                 struct fetch_site *site)
{
    prog_start(argv[0]);
    struct crawl_options options;
    crawl_default_options(&options);
    if (program->one_at_a_time)
        options.concurrency = 0; /* -c does not apply */
    crawl_parse_options(argc, argv, &options, program->about, program->flags);
    if (program->check != NULL)
        program->check(&options);
    crawl_init(crawl, &options);
    fetch_site_resolve(site, &crawl->origin); /* once, before the crawl: not in any fetch */
    catch_signals();
}

int fetch_finish(struct crawl *crawl)
{
    int sig = fetch_interrupted();
    if (sig != 0)
        printf("interrupted by %s after %d pages\n", sig == SIGINT ? "SIGINT" : "SIGTERM",
               crawl->pages);
    int status = crawl_finish(crawl);
    return sig != 0 ? 128 + sig : status;
}
