/* poller.c — the API of poller.h: the backend's choice, and what every backend shares.
 *
 * The backends are one file each (poller_epoll.c, poller_kqueue.c, poller_poll.c,
 * poller_select.c; poller_backend.h says how they line up). This file keeps what they
 * have in common: which descriptors are watched for what, and the batch of ready ones
 * with a cursor, so that poller_remove() can take a descriptor out of a batch being
 * handled.
 */
#include "poller_backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The best first: poller_new(NULL, ...) takes backends[0]. */
static const struct poller_backend *const backends[] = {
#if POLLER_HAVE_EPOLL
    &poller_epoll,
#endif
#if POLLER_HAVE_KQUEUE
    &poller_kqueue,
#endif
    &poller_poll,
    &poller_select,
};
enum { BACKENDS = sizeof backends / sizeof backends[0] };

const char *poller_best(void)
{
    return backends[0]->name;
}

const char *poller_backends(void)
{
    static char list[64];
    if (list[0] == '\0')
        for (int i = 0; i < BACKENDS; i++) {
            if (i > 0)
                strcat(list, " ");
            strcat(list, backends[i]->name);
        }
    return list;
}

bool poller_known(const char *name)
{
    static const char *const everywhere[] = {"epoll", "kqueue", "poll", "select"};
    for (size_t i = 0; i < sizeof everywhere / sizeof everywhere[0]; i++)
        if (strcmp(name, everywhere[i]) == 0)
            return true;
    return false;
}

const char *poller_name(const struct poller *p)
{
    return p->backend->name;
}

const char *poller_call(const struct poller *p)
{
    return p->backend->call;
}

int poller_fd_limit(const struct poller *p)
{
    int limit = p->backend->fd_limit;
    return limit > 0 && limit < p->capacity ? limit : p->capacity;
}

const char *poller_fd_limit_name(const struct poller *p)
{
    return poller_fd_limit(p) < p->capacity ? p->backend->fd_limit_name : "the capacity";
}

struct poller *poller_new(const char *backend, int capacity)
{
    const struct poller_backend *b = NULL;
    for (int i = 0; i < BACKENDS && b == NULL; i++)
        if (backend == NULL || strcmp(backend, backends[i]->name) == 0)
            b = backends[i];
    if (b == NULL || capacity < 1) {
        errno = EINVAL;
        return NULL;
    }
    struct poller *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->backend = b;
    p->capacity = capacity;
    size_t n = (size_t)capacity;
    p->want = malloc(n * sizeof *p->want);
    p->ready = malloc(n * sizeof *p->ready);
    p->ready_at = malloc(n * sizeof *p->ready_at);
    if (p->want == NULL || p->ready == NULL || p->ready_at == NULL) {
        poller_free(p);
        errno = ENOMEM;
        return NULL;
    }
    for (int fd = 0; fd < capacity; fd++) {
        p->want[fd] = NOT_WATCHED;
        p->ready_at[fd] = -1;
    }
    if (b->start(p) != 0) {
        int saved = errno;
        free(p->want);
        free(p->ready);
        free(p->ready_at);
        free(p);
        errno = saved ? saved : ENOMEM;
        return NULL;
    }
    return p;
}

/* 0 if fd is in range and (not) watched as `watched` says, else -1 with errno. */
static int check_fd(const struct poller *p, int fd, bool watched)
{
    if (fd < 0 || fd >= poller_fd_limit(p))
        errno = EINVAL;
    else if (watched != (p->want[fd] != NOT_WATCHED))
        errno = watched ? ENOENT : EEXIST;
    else
        return 0;
    return -1;
}

int poller_add(struct poller *p, int fd, unsigned events)
{
    if (check_fd(p, fd, false) != 0 || p->backend->change(p, fd, NOT_WATCHED, (int)events) != 0)
        return -1;
    p->want[fd] = (short)events;
    return 0;
}

int poller_modify(struct poller *p, int fd, unsigned events)
{
    if (check_fd(p, fd, true) != 0 || p->backend->change(p, fd, p->want[fd], (int)events) != 0)
        return -1;
    p->want[fd] = (short)events;
    return 0;
}

int poller_remove(struct poller *p, int fd)
{
    if (check_fd(p, fd, true) != 0)
        return -1;
    int was = p->want[fd];
    p->want[fd] = NOT_WATCHED;
    /* Still waiting in this batch? Then it must not be handed out: the caller is about
     * to close it, and the number may soon belong to somebody else. */
    if (p->ready_at[fd] >= 0) {
        p->ready[p->ready_at[fd]].fd = -1;
        p->ready_at[fd] = -1;
    }
    return p->backend->change(p, fd, was, NOT_WATCHED);
}

int poller_wait(struct poller *p, int timeout_ms)
{
    for (int i = p->cursor; i < p->ready_count; i++) /* a batch left unfinished */
        if (p->ready[i].fd >= 0)
            p->ready_at[p->ready[i].fd] = -1;
    p->ready_count = p->cursor = 0;
    int n = p->backend->collect(p, timeout_ms);
    if (n < 0)
        return -1;
    p->ready_count = n;
    for (int i = 0; i < n; i++)
        p->ready_at[p->ready[i].fd] = i;
    return n;
}

bool poller_next(struct poller *p, struct poller_event *ev)
{
    while (p->cursor < p->ready_count) {
        struct poller_event *e = &p->ready[p->cursor++];
        if (e->fd < 0)
            continue; /* removed while this batch was handled */
        p->ready_at[e->fd] = -1;
        *ev = *e;
        return true;
    }
    return false;
}

void poller_free(struct poller *p)
{
    if (p == NULL)
        return;
    p->backend->stop(p);
    free(p->want);
    free(p->ready);
    free(p->ready_at);
    free(p);
}
