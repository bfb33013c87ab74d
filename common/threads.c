/* threads.c — see threads.h. */
#include "threads.h"
#include "errors.h"

size_t thread_default_stack_size(void)
{
    pthread_attr_t attr;
    size_t size = 0;
    int err = pthread_attr_init(&attr);
    if (err == 0)
        err = pthread_attr_getstacksize(&attr, &size);
    if (err == 0)
        err = pthread_attr_destroy(&attr);
    if (err != 0)
        die_pthread(err, "pthread_attr: the default stack size");
    return size;
}

void thread_start(pthread_t *id, void *(*run)(void *), void *arg)
{
    int err = pthread_create(id, NULL, run, arg);
    if (err != 0)
        die_pthread(err, "pthread_create");
}

void thread_join(pthread_t id)
{
    int err = pthread_join(id, NULL);
    if (err != 0)
        die_pthread(err, "pthread_join");
}

void thread_lock(pthread_mutex_t *lock)
{
    int err = pthread_mutex_lock(lock);
    if (err != 0)
        die_pthread(err, "pthread_mutex_lock");
}

void thread_unlock(pthread_mutex_t *lock)
{
    int err = pthread_mutex_unlock(lock);
    if (err != 0)
        die_pthread(err, "pthread_mutex_unlock");
}

void thread_wait(pthread_cond_t *cond, pthread_mutex_t *lock)
{
    int err = pthread_cond_wait(cond, lock);
    if (err != 0)
        die_pthread(err, "pthread_cond_wait");
}
