/* poller_epoll.c — the epoll backend (Linux). Read it beside poller_kqueue.c: the same
 * four functions in the same order (poller_backend.h), two analogous kernel interfaces.
 *
 * The interest list lives in the kernel: one epoll_ctl() per change, and a wait returns
 * only the ready descriptors, so a wait costs what is READY, not what is watched.
 * One entry per descriptor, for reading and writing together.
 */
#include "poller_backend.h"

#if POLLER_HAVE_EPOLL

#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

struct state {
    int epfd;                   /* the kernel's interest list */
    struct epoll_event *events; /* the answer's buffer: one per ready descriptor */
};

static int start(struct poller *p)
{
    struct state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    p->state = s;
    s->events = malloc((size_t)p->capacity * sizeof *s->events);
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->events == NULL || s->epfd < 0) {
        if (s->epfd >= 0)
            close(s->epfd);
        free(s->events);
        free(s);
        return -1;
    }
    return 0;
}

/* One call, whatever changed: ADD, MOD or DEL of the descriptor's one entry. */
static int change(struct poller *p, int fd, int was, int now)
{
    struct state *s = p->state;
    int op = was == NOT_WATCHED   ? EPOLL_CTL_ADD
             : now == NOT_WATCHED ? EPOLL_CTL_DEL
                                  : EPOLL_CTL_MOD;
    struct epoll_event ev = {.data.fd = fd};
    if (now != NOT_WATCHED)
        ev.events = (now & POLLER_READ ? EPOLLIN : 0u) | (now & POLLER_WRITE ? EPOLLOUT : 0u);
    return epoll_ctl(s->epfd, op, fd, &ev);
}

/* Only the ready descriptors come back, one entry each: nothing to scan. */
static int collect(struct poller *p, int timeout_ms)
{
    struct state *s = p->state;
    int n = epoll_wait(s->epfd, s->events, p->capacity, timeout_ms);
    for (int i = 0; i < n; i++) {
        unsigned e = s->events[i].events;
        p->ready[i] = (struct poller_event){.fd = s->events[i].data.fd,
                                            .readable = (e & EPOLLIN) != 0,
                                            .writable = (e & EPOLLOUT) != 0,
                                            .error = (e & (EPOLLERR | EPOLLHUP)) != 0};
    }
    return n;
}

static void stop(struct poller *p)
{
    struct state *s = p->state;
    if (s == NULL)
        return;
    close(s->epfd);
    free(s->events);
    free(s);
}

const struct poller_backend poller_epoll = {"epoll", "epoll_wait", start, change,
                                            collect, stop,         0,     NULL};

#else
/* Not Linux (or the portable build): no epoll. ISO C wants a non-empty file. */
typedef int poller_epoll_absent;
#endif
