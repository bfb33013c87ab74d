/* poller_kqueue.c — the kqueue backend (macOS, FreeBSD, the other BSDs). Read it beside
 * poller_epoll.c: the same four functions in the same order (poller_backend.h), two
 * analogous kernel interfaces.
 *
 * As with epoll, the interest list lives in the kernel, and a wait returns only what is
 * ready. The difference: kqueue watches (descriptor, filter) pairs, so reading and writing
 * are two entries, EVFILT_READ and EVFILT_WRITE, each added (EV_ADD) or deleted
 * (EV_DELETE) on its own; and one kevent() call both applies changes and waits. A
 * descriptor ready both ways comes back as two events, merged here into one.
 */
#include "poller_backend.h"

#if POLLER_HAVE_KQUEUE

#include <stdint.h>
#include <stdlib.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

struct state {
    int kq;                /* the kernel's interest list */
    struct kevent *events; /* the answer's buffer: one per ready (descriptor, filter) */
};

static int start(struct poller *p)
{
    struct state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    p->state = s;
    s->events = malloc(2 * (size_t)p->capacity * sizeof *s->events);
    s->kq = kqueue();
    if (s->events == NULL || s->kq < 0) {
        if (s->kq >= 0)
            close(s->kq);
        free(s->events);
        free(s);
        return -1;
    }
    return 0;
}

/* Up to two changes, one per filter whose wish changed: EV_ADD or EV_DELETE (only for a
 * filter that was added: deleting one that never was is ENOENT). They are applied by a
 * kevent() call that waits for nothing (no event list, zero timeout), so a failed change
 * comes back as -1 with errno, not as an EV_ERROR event, and no signal can interrupt it. */
static int change(struct poller *p, int fd, int was, int now)
{
    struct state *s = p->state;
    was = was == NOT_WATCHED ? 0 : was;
    now = now == NOT_WATCHED ? 0 : now;
    static const struct {
        unsigned want;
        short filter;
    } filters[] = {{POLLER_READ, EVFILT_READ}, {POLLER_WRITE, EVFILT_WRITE}};
    struct kevent changes[2];
    int n = 0;
    for (int i = 0; i < 2; i++) {
        bool before = (unsigned)was & filters[i].want, after = (unsigned)now & filters[i].want;
        if (before != after)
            EV_SET(&changes[n++], (uintptr_t)fd, filters[i].filter, after ? EV_ADD : EV_DELETE, 0,
                   0, 0); /* udata 0: a pointer on macOS, an integer on NetBSD */
    }
    const struct timespec no_wait = {0, 0};
    return n == 0 ? 0 : kevent(s->kq, changes, n, NULL, 0, &no_wait);
}

/* Only the ready (descriptor, filter) pairs come back; the two of one descriptor are
 * merged into its one poller_event (ready_at[] finds the first). EV_EOF is the hang-up
 * (or a failed connect, with the error in fflags); EV_ERROR would be a change that failed,
 * which cannot happen here, since this call hands over no changes. No EV_CLEAR: level-
 * triggered, as epoll without EPOLLET. A signal makes kevent() fail with EINTR, as it
 * makes epoll_wait() fail: poller_wait() passes that on, and the caller waits again. */
static int collect(struct poller *p, int timeout_ms)
{
    struct state *s = p->state;
    struct timespec timeout = {.tv_sec = timeout_ms / 1000,
                               .tv_nsec = (long)(timeout_ms % 1000) * 1000000L};
    int n = kevent(s->kq, NULL, 0, s->events, 2 * p->capacity, timeout_ms < 0 ? NULL : &timeout);
    int found = 0;
    for (int i = 0; i < n; i++) {
        const struct kevent *e = &s->events[i];
        int fd = (int)e->ident;
        int at = p->ready_at[fd];
        if (at < 0) {
            at = p->ready_at[fd] = found++;
            p->ready[at] = (struct poller_event){.fd = fd};
        }
        if (e->flags & EV_ERROR) {
            p->ready[at].error = true;
            continue;
        }
        p->ready[at].readable |= e->filter == EVFILT_READ;
        p->ready[at].writable |= e->filter == EVFILT_WRITE;
        p->ready[at].error |= (e->flags & EV_EOF) != 0;
    }
    return n < 0 ? n : found;
}

static void stop(struct poller *p)
{
    struct state *s = p->state;
    if (s == NULL)
        return;
    close(s->kq);
    free(s->events);
    free(s);
}

const struct poller_backend poller_kqueue = {"kqueue", "kevent", start, change,
                                             collect,  stop,     0,     NULL};

#else
/* Not macOS or a BSD (or the portable build): no kqueue. ISO C wants a non-empty file. */
typedef int poller_kqueue_absent;
#endif
