/* gen.h — stackless generators in a screenful of macros: a C function that can yield.
 *
 * A generator is a function plus a struct. The struct is the generator's FRAME: it is the
 * C counterpart of the frame a Python generator object keeps alive between two next()
 * calls. Everything that must survive a yield lives there, including the resume point:
 *
 *     struct fib { struct gen gen; int left; long a, b; };  // the frame: 24 bytes
 *
 *     static int fib_next(struct fib *f, long *out)         // "def fib(n):"
 *     {
 *         GEN_BEGIN(f);
 *         for (f->a = 0, f->b = 1; f->left > 0; f->left--) {
 *             GEN_YIELD_VALUE(f, *out, f->a);               // "yield a"
 *             long sum = f->a + f->b;                       // a local: fine, no yield
 *             f->a = f->b, f->b = sum;                      //  between its set and use
 *         }
 *         GEN_END(f);
 *     }
 *
 *     struct fib f = {.left = 10};                           // "f = fib(10)": gen zeroed
 *     long v;
 *     while (fib_next(&f, &v) == GEN_MORE) printf("%ld\n", v);   // "for v in f:"
 *
 * How it works: GEN_BEGIN opens a switch on the saved resume point; every yield stores
 * its own line number there, returns, and puts a `case <that line>:` label right after
 * the return. The next call jumps straight back into the middle of the loop (C allows a
 * case label anywhere inside its switch: Duff's device). docs/06-generator-loop.md shows
 * the expansion.
 *
 * The rules (what a real coroutine would do for you and this one cannot):
 *   1. Locals do not survive a yield: the function really returns, its stack frame is
 *      gone. Keep anything needed after a yield in the struct (f->a, not a).
 *   2. No yield inside a `switch` of your own: its case label would belong to your switch.
 *   3. One yield per line: the line number is the resume point.
 *   4. Start from a zeroed `gen` member; never resume a generator that has finished.
 *   5. A `break` that is not inside a loop of yours ends the generator (it leaves the
 *      hidden switch); use GEN_RETURN to finish early.
 *   6. Statements above GEN_BEGIN run on every resume, not once: put there only what is
 *      meant to (a cast of the frame pointer, a declaration), never the start of the work.
 * What is caught for you:
 *   compile time: GEN_BEGIN without GEN_END (unbalanced braces); two yields on one line
 *   (duplicate case value); a yield outside GEN_BEGIN..GEN_END (case label not within a
 *   switch); a frame without a `struct gen gen` member.
 *   run time (abort with a message, never compiled out): resuming a finished generator;
 *   a resume point that is not a yield of this function (rule 2, or a frame never zeroed).
 */
#ifndef ASYNCLAB_GEN_H
#define ASYNCLAB_GEN_H

#include <stdio.h>
#include <stdlib.h>

/* The resume point: 0 = not started, GEN_FINISHED = done, otherwise the line of the yield
 * to continue after. */
struct gen {
    int resume;
};

/* What a generator function returns: it yielded (call it again) or it finished. */
enum { GEN_DONE = 0, GEN_MORE = 1, GEN_FINISHED = -1 };

/* The macros keep their backslashes at column 70, so that a compiler note quoting one
 * (gcc adds an 8-column gutter) fits 80 columns; clang-format would put them at 100. */
/* clang-format off */
/* Open the generator's body; s points to its frame, which has a `struct gen gen`. */
#define GEN_BEGIN(s)                                                 \
    switch (gen_resume_point(&(s)->gen)) {                           \
    default:                                                         \
        gen_bad_resume(&(s)->gen, __func__);                         \
    case 0:

/* Suspend: remember this line, return GEN_MORE; the next call continues after it. */
#define GEN_YIELD(s)                                                 \
    do {                                                             \
        (s)->gen.resume = __LINE__;                                  \
        return GEN_MORE;                                             \
    case __LINE__:;                                                  \
    } while (0)

/* "yield value": store the value where the caller looks for it, then suspend. */
#define GEN_YIELD_VALUE(s, place, value)                             \
    do {                                                             \
        (place) = (value);                                           \
        GEN_YIELD(s);                                                \
    } while (0)

/* "yield from child" / "await child": resume the child until it finishes; each time it
 * yields, this generator yields too, so the child's yields reach our caller (pass the
 * caller's output place down in `call`). Zero the child's frame before awaiting it. */
#define GEN_AWAIT(s, call)                                           \
    while ((call) == GEN_MORE)                                       \
    GEN_YIELD(s)

/* "return": finish now. */
#define GEN_RETURN(s)                                                \
    do {                                                             \
        (s)->gen.resume = GEN_FINISHED;                              \
        return GEN_DONE;                                             \
    } while (0)

/* Close the body: falling off the end finishes the generator. */
#define GEN_END(s)                                                   \
    }                                                                \
    GEN_RETURN(s)
/* clang-format on */

/* Has this generator finished? */
#define GEN_IS_FINISHED(s) ((s)->gen.resume == GEN_FINISHED)

/* Helpers for the macros above (a function parameter also checks the member's type). */
static inline int gen_resume_point(const struct gen *g)
{
    return g->resume;
}

_Noreturn static inline void gen_bad_resume(const struct gen *g, const char *function)
{
    fflush(stdout);
    if (g->resume == GEN_FINISHED)
        fprintf(stderr, "gen.h: generator %s resumed after it finished (rule 4)\n", function);
    else
        fprintf(stderr,
                "gen.h: generator %s resumed at line %d,\n"
                "  which is not one of its yields: a yield inside your own switch\n"
                "  (rule 2), or a frame never zeroed (rule 4)?\n",
                function, g->resume);
    abort();
}

#endif
