/* threads.h — pthread calls that die with a clear message when they fail, for the examples
 * whose lesson is what threads cost (10, 11) rather than how to call pthreads (02 calls
 * them by hand). pthread functions return the error number instead of setting errno; these
 * report it with die_pthread() (errors.h).
 */
#ifndef ASYNCLAB_THREADS_H
#define ASYNCLAB_THREADS_H

#include <pthread.h>
#include <stddef.h>

/* The stack size a thread gets when pthread_create is given no attributes (8 MiB on
 * glibc, 512 KiB for a secondary thread on macOS): address space reserved, not memory. */
size_t thread_default_stack_size(void);

/* pthread_create with default attributes, and pthread_join that drops the result. */
void thread_start(pthread_t *id, void *(*run)(void *), void *arg);
void thread_join(pthread_t id);

/* pthread_mutex_lock, pthread_mutex_unlock and pthread_cond_wait. */
void thread_lock(pthread_mutex_t *lock);
void thread_unlock(pthread_mutex_t *lock);
void thread_wait(pthread_cond_t *cond, pthread_mutex_t *lock);

#endif
