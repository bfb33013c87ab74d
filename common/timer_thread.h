/* timer_thread.h — the thread side of 06's part 5: a timer that is a thread, to set beside
 * the loop's timer tasks.
 *
 * It sleeps (a blocking sleep, no loop) until each tick is due, start + k x period, and
 * notes how late it woke. It runs pinned, with the thread that started it, to one CPU where
 * the system can pin threads (affinity.h; Linux): so if the starter computes meanwhile, the
 * timer runs only when the kernel takes that CPU from it (preemption). Where threads cannot
 * be pinned (macOS), each may get a core of its own, and the report says so.
 */
#ifndef ASYNCLAB_TIMER_THREAD_H
#define ASYNCLAB_TIMER_THREAD_H

#include <pthread.h>

enum { TIMER_THREAD_MAX_TICKS = 32 };

struct timer_thread {
    int ticks;        /* set by the caller: how many ticks, at most TIMER_THREAD_MAX_TICKS */
    double period_ms; /* set by the caller: tick k is due k x period_ms after the start */
    int cpu;          /* the one CPU both threads run on, or -1: not pinned */
    int pin_error;    /* why not: the errno of the call that failed */
    double start;     /* clock_now() when it started */
    double late_ms[TIMER_THREAD_MAX_TICKS];
    pthread_t id;
};

/* Pin the calling thread to one CPU where it can (it stays pinned: the new thread inherits
 * that CPU), then start the timer thread. Dies with a message if the thread cannot start. */
void timer_thread_start(struct timer_thread *timer);

/* Wait for the timer's last tick, print where the two threads ran and how late each tick
 * was (two lines), and return the latest tick's lateness in ms. */
double timer_thread_join(struct timer_thread *timer);

#endif
