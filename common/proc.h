/* proc.h — fork and wait, with the two details every forking program must get right.
 *
 * 1. Flush stdout before fork(): whatever sits in its buffer would otherwise be copied
 *    into the child and printed twice.
 * 2. waitpid() every child, retrying after a signal (EINTR): a child that has ended but
 *    was not waited for stays a zombie, holding its exit status for someone to ask.
 */
#ifndef ASYNCLAB_PROC_H
#define ASYNCLAB_PROC_H

#include <sys/types.h>

/* fork() after flushing stdout; dies if fork fails. Returns 0 in the child, the child's
 * pid in the parent. */
pid_t proc_fork(void);

/* Wait for child pid to end and return its wait status (use WIFEXITED, WEXITSTATUS,
 * WIFSIGNALED, WTERMSIG on it). Dies if waitpid fails for any reason but EINTR. */
int proc_wait(pid_t pid);

#endif
