/* procfs.h — numbers read from Linux's /proc, for the examples that show what a process or a
 * thread costs (10, 11) and how busy the machine is (02).
 *
 * POSIX has no call that reads a process's resident size or the kernel's ceilings: these
 * read /proc where Linux has it, and return -1 (unknown) everywhere else, also in the
 * portable build (make POLLER=poll), which runs the fallback on Linux. Callers print
 * "unknown" for -1.
 */
#ifndef ASYNCLAB_PROCFS_H
#define ASYNCLAB_PROCFS_H

#include <sys/types.h>

/* The first number in a file ("/proc/loadavg", "/proc/sys/kernel/threads-max"); -1 where
 * the file cannot be read. */
double procfs_number(const char *path);

/* The number on the "Name:  123" line of /proc/PID/FILE (pid 0: this process), for
 * example procfs_field(0, "status", "Threads:"); -1 if there is no such line. Sizes in
 * those files are in kB. */
double procfs_field(pid_t pid, const char *file, const char *name);

/* Resident size in bytes (the second field of /proc/PID/statm; pid 0: this process). */
double procfs_resident_bytes(pid_t pid);

/* Address-space size in bytes (the first field of /proc/PID/statm; pid 0: this process). */
double procfs_size_bytes(pid_t pid);

/* Threads running on the whole system now: the N of "running/N" in /proc/loadavg. */
double procfs_system_threads(void);

#endif
