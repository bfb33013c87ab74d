/* interrupt.h — make one thread's blocking call fail with EINTR: now, or at a deadline.
 *
 * A blocking call ends early only when the kernel is told to end it. SO_RCVTIMEO and
 * SO_SNDTIMEO bound recv() and send() everywhere; Linux bounds a blocking connect() by
 * SO_SNDTIMEO too, but macOS does not (it waits for its own connect timeout, about 75 s).
 * Stevens' connect_timeo bounds a blocking connect with alarm(): SIGALRM interrupts it.
 * alarm() is one per process, and 08 connects in many threads at once; so here a signal
 * (SIGUSR1, whose handler does nothing, installed without SA_RESTART) is sent to the one
 * thread concerned, with pthread_kill, by a small timer thread that holds the deadlines:
 *
 *     struct interrupt_timer timer;
 *     interrupt_at(&timer, deadline);          // this thread, at clock_now() == deadline
 *     int rc = connect(fd, ...);               // still blocking: -1 with EINTR at the deadline
 *     interrupt_cancel(&timer);
 *
 * The timer thread repeats the signal every few ms until the deadline is cancelled, so
 * that a signal that lands just before the call starts is not lost.
 */
#ifndef ASYNCLAB_INTERRUPT_H
#define ASYNCLAB_INTERRUPT_H

#include <pthread.h>
#include <stdbool.h>

/* One registered deadline (on the caller's stack; the timer thread links them). */
struct interrupt_timer {
    pthread_t thread;
    double deadline; /* clock_now() seconds */
    struct interrupt_timer *next;
};

/* Interrupt the calling thread's blocking calls from `deadline` on, until cancelled. */
void interrupt_at(struct interrupt_timer *t, double deadline);
void interrupt_cancel(struct interrupt_timer *t);

/* Interrupt thread's blocking call now (08 passes a stop on to its workers). 0, or
 * pthread_kill's error (ESRCH: the thread is gone). */
int interrupt_thread(pthread_t thread);

#endif
