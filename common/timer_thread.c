/* timer_thread.c — see timer_thread.h. */
#include "timer_thread.h"

#include "affinity.h"
#include "clock.h"
#include "errors.h"
#include "threads.h"

#include <errno.h>
#include <stdio.h>

static void *tick(void *arg)
{
    struct timer_thread *timer = arg;
    for (int k = 0; k < timer->ticks; k++) {
        double due = timer->start + (k + 1) * timer->period_ms / 1000.0;
        if (due > clock_now())
            clock_sleep_ms((due - clock_now()) * 1000.0); /* a blocking sleep: no loop */
        timer->late_ms[k] = (clock_now() - due) * 1000.0;
    }
    return NULL;
}

void timer_thread_start(struct timer_thread *timer)
{
    if (timer->ticks < 0 || timer->ticks > TIMER_THREAD_MAX_TICKS)
        die("timer thread: %d ticks, at most %d", timer->ticks, TIMER_THREAD_MAX_TICKS);
    timer->cpu = affinity_first_cpu();
    timer->pin_error = timer->cpu < 0 ? errno : 0;
    if (timer->cpu >= 0 && affinity_pin_thread(timer->cpu) != 0) {
        timer->pin_error = errno;
        timer->cpu = -1;
    }
    timer->start = clock_now();
    thread_start(&timer->id, tick, timer);
}

double timer_thread_join(struct timer_thread *timer)
{
    thread_join(timer->id);
    if (timer->cpu >= 0)
        printf("  as two threads, both on CPU %d: only preemption lets the timer run\n",
               timer->cpu);
    else /* e.g. macOS, which has no call to pin a thread: each may get a core of its own */
        printf("  as two threads, unpinned (%s): parallelism, not preemption\n",
               timer->pin_error == ENOSYS ? "no CPU affinity here" : errno_name(timer->pin_error));
    double max = 0;
    printf("  timer thread, late (ms):");
    for (int k = 0; k < timer->ticks; k++) {
        printf(" %.1f", timer->late_ms[k]);
        max = timer->late_ms[k] > max ? timer->late_ms[k] : max;
    }
    printf("\n");
    return max;
}
