/* poller.h — one small API over the kernel's ways to wait for many descriptors.
 *
 * For the programs whose lesson is not the polling itself (the lab server 00 and the
 * C10k client 09). Where the loop IS the lesson it stays written out: 05's select loop,
 * the scheduler's poll() in 06 and 07. The backends, chosen at run time, one file each
 * (common/poller_*.c, laid out alike so that two can be read side by side):
 *
 *   epoll   (Linux) and
 *   kqueue  (macOS, the BSDs): analogues of each other. The interest list lives in the
 *           kernel: one call per change, and a wait costs what is READY, not what is
 *           watched. 10,000 idle descriptors cost a wait nothing.
 *   poll    (everywhere) The interest list is an array in our memory, handed over whole on
 *           every call: the kernel checks each entry, and we scan each for revents. A
 *           wait costs what is WATCHED. No limit on descriptor numbers, except macOS's
 *           OPEN_MAX (10,240), over which its poll() fails: this poller refuses those.
 *   select  (everywhere) The interest list is a bitmap of FD_SETSIZE bits (1024 on Linux
 *           and macOS), copied in and out and scanned up to the highest descriptor on
 *           every call. A descriptor >= FD_SETSIZE does not fit at all: FD_SET on it
 *           writes past the bitmap. This poller refuses such a descriptor (errno EINVAL)
 *           instead: poller_fd_limit() says where the limit is.
 *
 * All are level-triggered: a descriptor that is still ready is reported again on the next
 * wait. A descriptor removed while a batch is being handled is not reported from that
 * batch, even if its number is reused by a new descriptor in the meantime.
 *
 * Usage:
 *     struct poller *p = poller_new(NULL, capacity);    (NULL: the best backend here)
 *     poller_add(p, fd, POLLER_READ);
 *     int n = poller_wait(p, timeout_ms);
 *     for (struct poller_event ev; poller_next(p, &ev);) handle(ev.fd, ...);
 */
#ifndef ASYNCLAB_POLLER_H
#define ASYNCLAB_POLLER_H

#include <stdbool.h>

enum { POLLER_READ = 1, POLLER_WRITE = 2 };

struct poller_event {
    int fd;
    bool readable;
    bool writable;
    bool error; /* error or hang-up (select shows these as readable only) */
};

struct poller;

/* The backend poller_new(NULL, ...) picks: "epoll" on Linux, "kqueue" on macOS and the
 * BSDs, else "poll". A build with -DASYNCLAB_PORTABLE (make POLLER=poll) has neither
 * epoll nor kqueue. */
const char *poller_best(void);

/* "epoll poll select", "kqueue poll select" or "poll select": the backends this build has,
 * the best first. */
const char *poller_backends(void);

/* Whether name is a backend of some system ("epoll", "kqueue", "poll", "select"), this
 * one or not: to tell "not on this system" from "no such thing". */
bool poller_known(const char *name);

/* A poller for descriptors 0 .. capacity-1 with the named backend (NULL: the best).
 * NULL with errno EINVAL for a backend this build does not have, else as the system
 * call or malloc failed. */
struct poller *poller_new(const char *backend, int capacity);

const char *poller_name(const struct poller *p);

/* The system call its waits make: "epoll_wait", "kevent", "poll" or "select". */
const char *poller_call(const struct poller *p);

/* The first descriptor number this backend cannot watch: FD_SETSIZE for select, OPEN_MAX
 * for poll on macOS, the capacity for the others (or when it is lower). */
int poller_fd_limit(const struct poller *p);

/* That limit's name: "FD_SETSIZE", "OPEN_MAX" or "the capacity". */
const char *poller_fd_limit_name(const struct poller *p);

/* Watch fd for POLLER_READ and/or POLLER_WRITE (0: registered, but nothing wanted).
 * 0, or -1 with errno (EINVAL: fd at or over poller_fd_limit(); EEXIST: already added). */
int poller_add(struct poller *p, int fd, unsigned events);
int poller_modify(struct poller *p, int fd, unsigned events);

/* Stop watching fd (call it before close). Not reported again, even from this batch. */
int poller_remove(struct poller *p, int fd);

/* Sleep until some watched descriptor is ready or timeout_ms passes (-1: no timeout).
 * Returns how many are ready (0 on timeout), or -1 with errno (EINTR: a signal). */
int poller_wait(struct poller *p, int timeout_ms);

/* The next ready descriptor of the last wait: true and *ev filled, or false at the end. */
bool poller_next(struct poller *p, struct poller_event *ev);

void poller_free(struct poller *p);

#endif
