/* poller.c — the epoll, poll and select backends side by side (see poller.h).
 *
 * Each backend is three functions: change what one descriptor waits for, wait, and
 * (for poll and select) scan the answer. The shared part keeps what every backend needs:
 * which descriptors are watched for what, and the batch of ready ones with a cursor, so
 * that poller_remove() can take a descriptor out of a batch being handled.
 */
#include "poller.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#if defined(__linux__) && !defined(ASYNCLAB_PORTABLE)
#define HAVE_EPOLL 1
#include <sys/epoll.h>
#endif

enum backend { EPOLL, POLL, SELECT };
static const char *const backend_names[] = {"epoll", "poll", "select"};
enum { NOT_WATCHED = -1 };

struct poller {
    enum backend backend;
    int capacity;
    short *want; /* want[fd]: POLLER_READ | POLLER_WRITE, or NOT_WATCHED */

    /* The last wait's answer, handed out by poller_next(). */
    struct poller_event *ready;
    int ready_count, cursor;
    int *ready_at; /* ready_at[fd]: its place in ready[] not yet handed out, or -1 */

#ifdef HAVE_EPOLL
    struct epoll_event *events; /* epoll: the answer's buffer */
#endif
    int epfd;                   /* epoll: the kernel's interest list */
    struct pollfd *fds;         /* poll: the interest list, handed over whole */
    int nfds, *slot;            /* poll: fds[slot[fd]] is fd's entry */
    fd_set read_set, write_set; /* select: the interest bitmaps */
    int highest;                /* select: the highest watched descriptor, or -1 */
};

const char *poller_best(void)
{
#ifdef HAVE_EPOLL
    return "epoll";
#else
    return "poll";
#endif
}

const char *poller_backends(void)
{
#ifdef HAVE_EPOLL
    return "epoll poll select";
#else
    return "poll select";
#endif
}

const char *poller_name(const struct poller *p)
{
    return backend_names[p->backend];
}

int poller_fd_limit(const struct poller *p)
{
    if (p->backend == SELECT && p->capacity > FD_SETSIZE)
        return FD_SETSIZE;
    return p->capacity;
}

/* ---- epoll ------------------------------------------------------------------------- */

#ifdef HAVE_EPOLL
static int epoll_change(struct poller *p, int op, int fd, unsigned events)
{
    struct epoll_event ev = {.data.fd = fd};
    ev.events = (events & POLLER_READ ? EPOLLIN : 0u) | (events & POLLER_WRITE ? EPOLLOUT : 0u);
    return epoll_ctl(p->epfd, op, fd, &ev);
}

/* Only the ready descriptors come back: nothing to scan. */
static int epoll_collect(struct poller *p, int timeout_ms)
{
    struct epoll_event *events = p->events;
    int n = epoll_wait(p->epfd, events, p->capacity, timeout_ms);
    for (int i = 0; i < n; i++) {
        unsigned e = events[i].events;
        p->ready[i] = (struct poller_event){.fd = events[i].data.fd,
                                            .readable = (e & EPOLLIN) != 0,
                                            .writable = (e & EPOLLOUT) != 0,
                                            .error = (e & (EPOLLERR | EPOLLHUP)) != 0};
    }
    return n;
}
#endif

/* ---- poll -------------------------------------------------------------------------- */

static short poll_events(unsigned events)
{
    return (short)((events & POLLER_READ ? POLLIN : 0) | (events & POLLER_WRITE ? POLLOUT : 0));
}

static void poll_remove(struct poller *p, int fd)
{
    int at = p->slot[fd];
    p->fds[at] = p->fds[--p->nfds]; /* the last entry fills the hole */
    p->slot[p->fds[at].fd] = at;
    p->slot[fd] = -1;
}

/* The kernel checked every entry; now we check every entry's revents. */
static int poll_collect(struct poller *p, int timeout_ms)
{
    int n = poll(p->fds, (nfds_t)p->nfds, timeout_ms);
    int found = 0;
    for (int i = 0; i < p->nfds && found < n; i++) {
        short r = p->fds[i].revents;
        if (r == 0)
            continue;
        p->ready[found++] =
            (struct poller_event){.fd = p->fds[i].fd,
                                  .readable = (r & POLLIN) != 0,
                                  .writable = (r & POLLOUT) != 0,
                                  .error = (r & (POLLERR | POLLHUP | POLLNVAL)) != 0};
    }
    return n < 0 ? n : found;
}

/* ---- select ------------------------------------------------------------------------ */

static void select_change(struct poller *p, int fd, unsigned events)
{
    FD_CLR(fd, &p->read_set);
    FD_CLR(fd, &p->write_set);
    if (events & POLLER_READ)
        FD_SET(fd, &p->read_set);
    if (events & POLLER_WRITE)
        FD_SET(fd, &p->write_set);
    if (fd > p->highest)
        p->highest = fd;
    while (p->highest >= 0 && p->want[p->highest] == NOT_WATCHED)
        p->highest--;
}

/* select() overwrites its sets with the answer, so it gets copies; then every bit up to
 * the highest descriptor is tested. */
static int select_collect(struct poller *p, int timeout_ms)
{
    fd_set rd = p->read_set, wr = p->write_set;
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    int n = select(p->highest + 1, &rd, &wr, NULL, timeout_ms < 0 ? NULL : &tv);
    int found = 0;
    for (int fd = 0; fd <= p->highest && n > 0; fd++) {
        bool r = FD_ISSET(fd, &rd), w = FD_ISSET(fd, &wr);
        if (r || w)
            p->ready[found++] = (struct poller_event){.fd = fd, .readable = r, .writable = w};
    }
    return n < 0 ? n : found;
}

/* ---- the shared part ----------------------------------------------------------------- */

struct poller *poller_new(const char *backend, int capacity)
{
    if (backend == NULL)
        backend = poller_best();
    enum backend b;
    if (strcmp(backend, "poll") == 0)
        b = POLL;
    else if (strcmp(backend, "select") == 0)
        b = SELECT;
#ifdef HAVE_EPOLL
    else if (strcmp(backend, "epoll") == 0)
        b = EPOLL;
#endif
    else {
        errno = EINVAL;
        return NULL;
    }
    if (capacity < 1) {
        errno = EINVAL;
        return NULL;
    }
    struct poller *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->backend = b;
    p->capacity = capacity;
    p->epfd = -1;
    p->highest = -1;
    FD_ZERO(&p->read_set);
    FD_ZERO(&p->write_set);
    size_t n = (size_t)capacity;
    bool failed = false;
    p->want = malloc(n * sizeof *p->want);
    p->ready = malloc(n * sizeof *p->ready);
    p->ready_at = malloc(n * sizeof *p->ready_at);
    if (b == POLL) {
        p->fds = malloc(n * sizeof *p->fds);
        p->slot = malloc(n * sizeof *p->slot);
    }
#ifdef HAVE_EPOLL
    if (b == EPOLL) {
        p->events = malloc(n * sizeof *p->events);
        p->epfd = epoll_create1(EPOLL_CLOEXEC);
        failed = p->events == NULL || p->epfd < 0;
    }
#endif
    if (failed || p->want == NULL || p->ready == NULL || p->ready_at == NULL ||
        (b == POLL && (p->fds == NULL || p->slot == NULL))) {
        int saved = errno;
        poller_free(p);
        errno = saved ? saved : ENOMEM;
        return NULL;
    }
    for (int fd = 0; fd < capacity; fd++) {
        p->want[fd] = NOT_WATCHED;
        p->ready_at[fd] = -1;
        if (b == POLL)
            p->slot[fd] = -1;
    }
    return p;
}

static bool fd_ok(const struct poller *p, int fd)
{
    if (fd >= 0 && fd < poller_fd_limit(p))
        return true;
    errno = EINVAL;
    return false;
}

int poller_add(struct poller *p, int fd, unsigned events)
{
    if (!fd_ok(p, fd))
        return -1;
    if (p->want[fd] != NOT_WATCHED) {
        errno = EEXIST;
        return -1;
    }
    switch (p->backend) {
    case EPOLL:
#ifdef HAVE_EPOLL
        if (epoll_change(p, EPOLL_CTL_ADD, fd, events) != 0)
            return -1;
#endif
        break;
    case POLL:
        p->slot[fd] = p->nfds;
        p->fds[p->nfds++] = (struct pollfd){.fd = fd, .events = poll_events(events)};
        break;
    case SELECT:
        p->want[fd] = (short)events; /* before select_change looks at it */
        select_change(p, fd, events);
        break;
    }
    p->want[fd] = (short)events;
    return 0;
}

int poller_modify(struct poller *p, int fd, unsigned events)
{
    if (!fd_ok(p, fd))
        return -1;
    if (p->want[fd] == NOT_WATCHED) {
        errno = ENOENT;
        return -1;
    }
    switch (p->backend) {
    case EPOLL:
#ifdef HAVE_EPOLL
        if (epoll_change(p, EPOLL_CTL_MOD, fd, events) != 0)
            return -1;
#endif
        break;
    case POLL:
        p->fds[p->slot[fd]].events = poll_events(events);
        break;
    case SELECT:
        select_change(p, fd, events);
        break;
    }
    p->want[fd] = (short)events;
    return 0;
}

int poller_remove(struct poller *p, int fd)
{
    if (!fd_ok(p, fd))
        return -1;
    if (p->want[fd] == NOT_WATCHED) {
        errno = ENOENT;
        return -1;
    }
    p->want[fd] = NOT_WATCHED;
    /* Still waiting in this batch? Then it must not be handed out: the caller is about
     * to close it, and the number may soon belong to somebody else. */
    if (p->ready_at[fd] >= 0) {
        p->ready[p->ready_at[fd]].fd = -1;
        p->ready_at[fd] = -1;
    }
    switch (p->backend) {
    case EPOLL:
#ifdef HAVE_EPOLL
        return epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL);
#else
        break;
#endif
    case POLL:
        poll_remove(p, fd);
        break;
    case SELECT:
        select_change(p, fd, 0);
        break;
    }
    return 0;
}

int poller_wait(struct poller *p, int timeout_ms)
{
    for (int i = p->cursor; i < p->ready_count; i++) /* a batch left unfinished */
        if (p->ready[i].fd >= 0)
            p->ready_at[p->ready[i].fd] = -1;
    p->ready_count = p->cursor = 0;
    int n = -1;
    switch (p->backend) {
    case EPOLL:
#ifdef HAVE_EPOLL
        n = epoll_collect(p, timeout_ms);
#endif
        break;
    case POLL:
        n = poll_collect(p, timeout_ms);
        break;
    case SELECT:
        n = select_collect(p, timeout_ms);
        break;
    }
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
    if (p->epfd >= 0)
        close(p->epfd);
    free(p->want);
    free(p->ready);
    free(p->ready_at);
    free(p->fds);
    free(p->slot);
#ifdef HAVE_EPOLL
    free(p->events);
#endif
    free(p);
}
