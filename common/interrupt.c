/* interrupt.c — see interrupt.h: SIGUSR1 to one thread, now or from a timer thread. */
#include "interrupt.h"
#include "clock.h"
#include "errors.h"

#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

enum { REPEAT_MS = 5 }; /* how often an overdue thread is signalled again */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static struct interrupt_timer *timers; /* the deadlines registered, under lock */

/* The signal only has to interrupt a call: the handler does nothing. */
static void on_interrupt(int sig)
{
    (void)sig;
}

/* Signal every overdue thread; wait until the next deadline (or REPEAT_MS while one is
 * overdue, or until a deadline is registered). */
static void *timer_thread(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        double now = clock_now(), wait = -1;
        for (struct interrupt_timer *t = timers; t != NULL; t = t->next) {
            double left = t->deadline - now;
            if (left <= 0) {
                pthread_kill(t->thread, SIGUSR1);
                left = REPEAT_MS / 1000.0;
            }
            if (wait < 0 || left < wait)
                wait = left;
        }
        if (wait < 0) {
            pthread_cond_wait(&changed, &lock);
            continue;
        }
        /* Condition variables wait on the realtime clock (the monotonic one is not
         * portable here); a jump of the clock only makes a round early or late. */
        struct timeval tv;
        gettimeofday(&tv, NULL);
        double until = (double)tv.tv_sec + tv.tv_usec / 1e6 + wait;
        struct timespec at = {.tv_sec = (time_t)until,
                              .tv_nsec = (long)((until - (double)(time_t)until) * 1e9)};
        pthread_cond_timedwait(&changed, &lock, &at);
    }
    return NULL;
}

static void start(void)
{
    struct sigaction sa = {.sa_handler = on_interrupt}; /* no SA_RESTART: calls fail with EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        die_errno("sigaction SIGUSR1");
}

static void start_timer_thread(void)
{
    pthread_t thread;
    int err = pthread_create(&thread, NULL, timer_thread, NULL);
    if (err != 0)
        die_pthread(err, "pthread_create (interrupt timer)");
    pthread_detach(thread);
}

static pthread_once_t timer_once = PTHREAD_ONCE_INIT;

void interrupt_at(struct interrupt_timer *t, double deadline)
{
    pthread_once(&once, start);
    pthread_once(&timer_once, start_timer_thread);
    *t = (struct interrupt_timer){.thread = pthread_self(), .deadline = deadline};
    pthread_mutex_lock(&lock);
    t->next = timers;
    timers = t;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
}

void interrupt_cancel(struct interrupt_timer *t)
{
    pthread_mutex_lock(&lock);
    for (struct interrupt_timer **p = &timers; *p != NULL; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    pthread_mutex_unlock(&lock);
}

int interrupt_thread(pthread_t thread)
{
    pthread_once(&once, start);
    return pthread_kill(thread, SIGUSR1);
}
