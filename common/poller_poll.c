/* poller_poll.c — the poll() backend (POSIX: everywhere). Read it beside poller_select.c:
 * the same four functions in the same order (poller_backend.h).
 *
 * The interest list is an array in our memory, handed over whole on every call: the
 * kernel checks each entry, and we scan each for revents. A wait costs what is WATCHED.
 * No limit on descriptor numbers, except on macOS: its poll() fails with EINVAL when
 * handed more than OPEN_MAX (10,240) entries, so there this backend watches descriptors
 * below OPEN_MAX only (poller_fd_limit() says so), and never hands over more.
 */
#include "poller_backend.h"

#include <limits.h>
#include <poll.h>
#include <stdlib.h>

struct state {
    struct pollfd *fds; /* the interest list, handed over whole */
    int nfds, *slot;    /* fds[slot[fd]] is fd's entry, or slot[fd] == -1 */
};

static int start(struct poller *p)
{
    struct state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    p->state = s;
    s->fds = malloc((size_t)p->capacity * sizeof *s->fds);
    s->slot = malloc((size_t)p->capacity * sizeof *s->slot);
    if (s->fds == NULL || s->slot == NULL) {
        free(s->fds);
        free(s->slot);
        free(s);
        return -1;
    }
    for (int fd = 0; fd < p->capacity; fd++)
        s->slot[fd] = -1;
    return 0;
}

/* Add an entry at the end, change one in place, or fill the hole with the last one. */
static int change(struct poller *p, int fd, int was, int now)
{
    struct state *s = p->state;
    if (was == NOT_WATCHED) {
        s->slot[fd] = s->nfds;
        s->fds[s->nfds++] = (struct pollfd){.fd = fd};
    }
    int at = s->slot[fd];
    if (now == NOT_WATCHED) {
        s->fds[at] = s->fds[--s->nfds];
        s->slot[s->fds[at].fd] = at;
        s->slot[fd] = -1;
        return 0;
    }
    s->fds[at].events =
        (short)((now & POLLER_READ ? POLLIN : 0) | (now & POLLER_WRITE ? POLLOUT : 0));
    return 0;
}

/* The kernel checked every entry; now we check every entry's revents. */
static int collect(struct poller *p, int timeout_ms)
{
    struct state *s = p->state;
    int n = poll(s->fds, (nfds_t)s->nfds, timeout_ms);
    int found = 0;
    for (int i = 0; i < s->nfds && found < n; i++) {
        short r = s->fds[i].revents;
        if (r == 0)
            continue;
        p->ready[found++] =
            (struct poller_event){.fd = s->fds[i].fd,
                                  .readable = (r & POLLIN) != 0,
                                  .writable = (r & POLLOUT) != 0,
                                  .error = (r & (POLLERR | POLLHUP | POLLNVAL)) != 0};
    }
    return n < 0 ? n : found;
}

static void stop(struct poller *p)
{
    struct state *s = p->state;
    if (s == NULL)
        return;
    free(s->fds);
    free(s->slot);
    free(s);
}

#if defined(__APPLE__) && defined(OPEN_MAX)
const struct poller_backend poller_poll = {"poll",  "poll", start,    change,
                                           collect, stop,   OPEN_MAX, "OPEN_MAX"};
#else
const struct poller_backend poller_poll = {"poll", "poll", start, change, collect, stop, 0, NULL};
#endif
