/* affinity.h — pin a thread to one CPU, where the system can (06's preemption demo).
 *
 * sched_setaffinity is a Linux (GNU) extension, not POSIX: affinity.c is the one file that
 * asks for it (_GNU_SOURCE); everywhere else the suite stays POSIX. Where it is missing,
 * both functions fail with ENOSYS and the caller says so.
 */
#ifndef ASYNCLAB_AFFINITY_H
#define ASYNCLAB_AFFINITY_H

/* The lowest-numbered CPU the calling thread may run on; -1 with errno set if unknown. */
int affinity_first_cpu(void);

/* Let the calling thread run on that CPU only. 0 on success, -1 with errno set. */
int affinity_pin_thread(int cpu);

#endif
