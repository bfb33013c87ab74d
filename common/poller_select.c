/* poller_select.c — the select() backend (POSIX: everywhere). Read it beside
 * poller_poll.c: the same four functions in the same order (poller_backend.h).
 *
 * The interest list is two bitmaps of FD_SETSIZE bits (1024 on Linux and macOS), copied
 * in and out and scanned up to the highest descriptor on every call. A descriptor
 * >= FD_SETSIZE does not fit at all: FD_SET on it writes past the bitmap. poller.c
 * refuses such a descriptor (EINVAL) before it gets here: fd_limit below.
 */
#include "poller_backend.h"

#include <stdlib.h>
#include <sys/select.h>
#include <sys/time.h>

struct state {
    fd_set read_set, write_set; /* the interest bitmaps */
    int highest;                /* the highest watched descriptor, or -1 */
};

static int start(struct poller *p)
{
    struct state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    p->state = s;
    FD_ZERO(&s->read_set);
    FD_ZERO(&s->write_set);
    s->highest = -1;
    return 0;
}

/* Set or clear the descriptor's two bits, and keep `highest` the highest descriptor still
 * watched (want[] is updated after this call: for fd itself, `now` holds). */
static int change(struct poller *p, int fd, int was, int now)
{
    struct state *s = p->state;
    (void)was;
    FD_CLR(fd, &s->read_set);
    FD_CLR(fd, &s->write_set);
    if (now != NOT_WATCHED && (now & POLLER_READ))
        FD_SET(fd, &s->read_set);
    if (now != NOT_WATCHED && (now & POLLER_WRITE))
        FD_SET(fd, &s->write_set);
    if (now != NOT_WATCHED && fd > s->highest)
        s->highest = fd;
    while (s->highest >= 0 &&
           (s->highest == fd ? now == NOT_WATCHED : p->want[s->highest] == NOT_WATCHED))
        s->highest--;
    return 0;
}

/* select() overwrites its sets with the answer, so it gets copies; then every bit up to
 * the highest descriptor is tested. */
static int collect(struct poller *p, int timeout_ms)
{
    struct state *s = p->state;
    fd_set rd = s->read_set, wr = s->write_set;
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    int n = select(s->highest + 1, &rd, &wr, NULL, timeout_ms < 0 ? NULL : &tv);
    int found = 0;
    for (int fd = 0; fd <= s->highest && n > 0; fd++) {
        bool r = FD_ISSET(fd, &rd), w = FD_ISSET(fd, &wr);
        if (r || w)
            p->ready[found++] = (struct poller_event){.fd = fd, .readable = r, .writable = w};
    }
    return n < 0 ? n : found;
}

static void stop(struct poller *p)
{
    free(p->state);
}

const struct poller_backend poller_select = {"select", "select", start,      change,
                                             collect,  stop,     FD_SETSIZE, "FD_SETSIZE"};
