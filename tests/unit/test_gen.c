/* test_gen.c — unit checks of gen.h: yielded values, finishing, yield from, misuse caught.
 * One line per check; exit status 1 if any failed. */
#include "errors.h"
#include "gen.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* --- generators under test ------------------------------------------------------------ */

struct countdown {
    struct gen gen;
    int n;
};

static int countdown_next(struct countdown *c, int *out)
{
    GEN_BEGIN(c);
    for (; c->n > 0; c->n--)
        GEN_YIELD_VALUE(c, *out, c->n);
    GEN_END(c);
}

/* Yields 1, 2, 3 then returns early, unless told to go on. */
struct early {
    struct gen gen;
    int i;
    bool stop_early;
};

static int early_next(struct early *e, int *out)
{
    GEN_BEGIN(e);
    for (e->i = 1; e->i <= 5; e->i++) {
        if (e->i == 4 && e->stop_early)
            GEN_RETURN(e);
        GEN_YIELD_VALUE(e, *out, e->i);
    }
    GEN_END(e);
}

/* yield 100; yield from countdown(2); yield 200; yield from countdown(3); yield 300 */
struct parent {
    struct gen gen;
    struct countdown child;
};

static int parent_next(struct parent *p, int *out)
{
    GEN_BEGIN(p);
    GEN_YIELD_VALUE(p, *out, 100);
    p->child = (struct countdown){.n = 2};
    GEN_AWAIT(p, countdown_next(&p->child, out));
    GEN_YIELD_VALUE(p, *out, 200);
    p->child = (struct countdown){.n = 3};
    GEN_AWAIT(p, countdown_next(&p->child, out));
    GEN_YIELD_VALUE(p, *out, 300);
    GEN_END(p);
}

/* Two levels: grandparent awaits a parent that awaits countdowns. */
struct grandparent {
    struct gen gen;
    struct parent child;
};

static int grandparent_next(struct grandparent *g, int *out)
{
    GEN_BEGIN(g);
    g->child = (struct parent){0};
    GEN_AWAIT(g, parent_next(&g->child, out));
    GEN_YIELD_VALUE(g, *out, 999);
    GEN_END(g);
}

/* Breaks rule 2: a yield inside its own switch. */
struct bad_switch {
    struct gen gen;
    int mode;
};

static int bad_switch_next(struct bad_switch *b, int *out)
{
    GEN_BEGIN(b);
    switch (b->mode) {
    case 1:
        GEN_YIELD_VALUE(b, *out, 1); /* its case label lands in this switch */
        break;
    default:
        break;
    }
    GEN_END(b);
}

/* --- helpers ---------------------------------------------------------------------------- */

/* Drain a generator into vals[] (at most 16); n gets how many values it yielded. */
#define DRAIN(next, state, vals, n)                                                                \
    do {                                                                                           \
        int v_;                                                                                    \
        (n) = 0;                                                                                   \
        while ((n) < 16 && next((state), &v_) == GEN_MORE)                                         \
            (vals)[(n)++] = v_;                                                                    \
    } while (0)

static bool same(const int *got, int ngot, const int *want, int nwant)
{
    return ngot == nwant && memcmp(got, want, (size_t)nwant * sizeof *want) == 0;
}

/* Run fn in a child process with stderr captured: it must die of SIGABRT and its message
 * must contain `expect`. */
static bool aborts_with(void (*fn)(void), const char *expect)
{
    int fds[2];
    if (pipe(fds) != 0)
        die_errno("pipe");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    if (pid == 0) {
        if (dup2(fds[1], STDERR_FILENO) < 0)
            die_child(1, "dup2");
        close(fds[0]);
        close(fds[1]);
        fn();
        _exit(0); /* not reached if the check works */
    }
    close(fds[1]);
    char msg[512] = "";
    size_t got = 0;
    ssize_t n;
    while (got < sizeof msg - 1 && (n = read(fds[0], msg + got, sizeof msg - 1 - got)) > 0)
        got += (size_t)n;
    msg[got] = '\0';
    close(fds[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid)
        die_errno("waitpid");
    bool ok = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT && strstr(msg, expect) != NULL;
    if (!ok)
        printf("  child status %d, stderr: %s", status, msg);
    return ok;
}

static void resume_finished_countdown(void)
{
    struct countdown c = {.n = 1};
    int v;
    while (countdown_next(&c, &v) == GEN_MORE)
        continue;
    countdown_next(&c, &v); /* rule 4 broken */
}

static void resume_bad_switch(void)
{
    struct bad_switch b = {.mode = 1};
    int v;
    bad_switch_next(&b, &v);
    bad_switch_next(&b, &v); /* resumes at a line the outer switch does not know */
}

static void resume_garbage_frame(void)
{
    struct countdown c = {.gen = {.resume = 12345}, .n = 3};
    int v;
    countdown_next(&c, &v);
}

/* --- the checks ---------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    (void)argc;
    prog_start(argv[0]);
    int vals[16], n;

    struct countdown c = {.n = 3};
    DRAIN(countdown_next, &c, vals, n);
    check_that(same(vals, n, (int[]){3, 2, 1}, 3), "countdown(3) yields 3 2 1 in order");
    check_that(GEN_IS_FINISHED(&c), "after its last value the generator is finished");

    struct countdown zero = {.n = 0};
    int v = -7;
    check_that(countdown_next(&zero, &v) == GEN_DONE && v == -7,
               "countdown(0) finishes at once and yields nothing");

    struct countdown a = {.n = 2}, b = {.n = 3};
    int va, vb;
    bool interleaved = countdown_next(&a, &va) == GEN_MORE && countdown_next(&b, &vb) == GEN_MORE &&
                       va == 2 && vb == 3 && countdown_next(&a, &va) == GEN_MORE && va == 1 &&
                       countdown_next(&b, &vb) == GEN_MORE && vb == 2;
    check_that(interleaved, "two frames of one generator function advance independently");

    struct early e = {.stop_early = true};
    DRAIN(early_next, &e, vals, n);
    check_that(same(vals, n, (int[]){1, 2, 3}, 3) && GEN_IS_FINISHED(&e),
               "GEN_RETURN finishes early (1 2 3, not 1..5)");
    struct early full = {.stop_early = false};
    DRAIN(early_next, &full, vals, n);
    check_that(same(vals, n, (int[]){1, 2, 3, 4, 5}, 5), "without GEN_RETURN it runs to the end");

    struct parent p = {0};
    DRAIN(parent_next, &p, vals, n);
    check_that(same(vals, n, (int[]){100, 2, 1, 200, 3, 2, 1, 300}, 8),
               "yield from: the children's values pass through the parent in order");
    check_that(GEN_IS_FINISHED(&p) && GEN_IS_FINISHED(&p.child),
               "the parent finishes after its last child");

    struct grandparent g = {0};
    DRAIN(grandparent_next, &g, vals, n);
    check_that(same(vals, n, (int[]){100, 2, 1, 200, 3, 2, 1, 300, 999}, 9),
               "yield from two levels deep propagates every yield to the top caller");

    check_that(aborts_with(resume_finished_countdown, "resumed after it finished"),
               "resuming a finished generator aborts with a message");
    check_that(aborts_with(resume_bad_switch, "not one of its yields"),
               "a yield inside the generator's own switch is caught on resume");
    check_that(aborts_with(resume_garbage_frame, "line 12345"),
               "a frame that was never zeroed is caught on resume");

    return check_report("test_gen");
}
