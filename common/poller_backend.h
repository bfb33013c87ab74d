/* poller_backend.h — what poller.c shares with its backends (not for examples: poller.h).
 *
 * One file per backend, the way redis keeps ae_epoll.c and ae_kqueue.c beside ae.c:
 *
 *   poller_epoll.c    Linux
 *   poller_kqueue.c   macOS and the BSDs
 *   poller_poll.c     everywhere (POSIX)
 *   poller_select.c   everywhere (POSIX), descriptors below FD_SETSIZE only
 *
 * Each file has the same four functions, in the same order and under the same names,
 * so that `diff common/poller_epoll.c common/poller_kqueue.c` shows only what differs:
 *
 *   start     make the kernel object or the arrays this backend needs
 *   change    descriptor fd wanted `was`, now wants `now` (POLLER_READ | POLLER_WRITE,
 *             or NOT_WATCHED for "not in the interest list")
 *   collect   wait up to timeout_ms (-1: no limit) and fill p->ready[] with one entry
 *             per ready descriptor: how many, or -1 with errno
 *   stop      give back what start took
 */
#ifndef ASYNCLAB_POLLER_BACKEND_H
#define ASYNCLAB_POLLER_BACKEND_H

#include "poller.h"

/* Which kernel interfaces this build has, from the compiler's own macros (the build may
 * be a cross-build: never ask uname). The portable build (make POLLER=poll) has neither. */
#if defined(__linux__) && !defined(ASYNCLAB_PORTABLE)
#define POLLER_HAVE_EPOLL 1
#else
#define POLLER_HAVE_EPOLL 0
#endif
#if (defined(__APPLE__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) ||  \
     defined(__DragonFly__)) &&                                                                    \
    !defined(ASYNCLAB_PORTABLE)
#define POLLER_HAVE_KQUEUE 1
#else
#define POLLER_HAVE_KQUEUE 0
#endif

enum { NOT_WATCHED = -1 };

struct poller_backend {
    const char *name;
    const char *call; /* the system call that waits: "epoll_wait", "kevent", ... */
    int (*start)(struct poller *p);
    int (*change)(struct poller *p, int fd, int was, int now);
    int (*collect)(struct poller *p, int timeout_ms);
    void (*stop)(struct poller *p);
    /* The first descriptor number it cannot watch, whatever the capacity (0: none),
     * and the name of that limit: "FD_SETSIZE" for select. */
    int fd_limit;
    const char *fd_limit_name;
};

struct poller {
    const struct poller_backend *backend;
    int capacity;
    short *want; /* want[fd]: POLLER_READ | POLLER_WRITE, or NOT_WATCHED */

    /* The last wait's answer, handed out by poller_next(). */
    struct poller_event *ready;
    int ready_count, cursor;
    int *ready_at; /* ready_at[fd]: its place in ready[] not yet handed out, or -1 */

    void *state; /* the backend's own: struct state in its file */
};

extern const struct poller_backend poller_epoll, poller_kqueue, poller_poll, poller_select;

#endif
