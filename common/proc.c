/* proc.c — see proc.h. */
#include "proc.h"
#include "errors.h"

#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

pid_t proc_fork(void)
{
    if (fflush(stdout) != 0)
        die_errno("fflush stdout");
    pid_t pid = fork();
    if (pid < 0)
        die_errno("fork");
    return pid;
}

int proc_wait(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die_errno("waitpid %ld", (long)pid);
    return status;
}
