/* procfs.c — see procfs.h. */
#include "procfs.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__) && !defined(ASYNCLAB_PORTABLE) /* make POLLER=poll: the fallback */
double procfs_number(const char *path)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    double value;
    int fields = fscanf(file, "%lf", &value);
    if (fclose(file) != 0 || fields != 1)
        return -1;
    return value;
}

static void proc_path(char *out, size_t size, pid_t pid, const char *file)
{
    if (pid == 0)
        snprintf(out, size, "/proc/self/%s", file);
    else
        snprintf(out, size, "/proc/%ld/%s", (long)pid, file);
}

double procfs_field(pid_t pid, const char *file, const char *name)
{
    char path[64], line[256];
    proc_path(path, sizeof path, pid, file);
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return -1;
    double number = -1;
    size_t length = strlen(name);
    while (number < 0 && fgets(line, sizeof line, in) != NULL) {
        long value;
        if (strncmp(line, name, length) == 0 && sscanf(line + length, " %ld", &value) == 1)
            number = (double)value;
    }
    if (fclose(in) != 0)
        return -1;
    return number;
}

/* Field 0 (size) or 1 (resident) of /proc/PID/statm, in bytes. */
static double statm_bytes(pid_t pid, int field)
{
    char path[64];
    proc_path(path, sizeof path, pid, "statm");
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return -1;
    long pages[2];
    int fields = fscanf(in, "%ld %ld", &pages[0], &pages[1]);
    if (fclose(in) != 0 || fields != 2)
        return -1;
    return (double)pages[field] * (double)sysconf(_SC_PAGESIZE);
}

double procfs_system_threads(void)
{
    FILE *in = fopen("/proc/loadavg", "r");
    if (in == NULL)
        return -1;
    long running, total;
    int fields = fscanf(in, "%*f %*f %*f %ld/%ld", &running, &total);
    if (fclose(in) != 0 || fields != 2)
        return -1;
    return (double)total;
}
#else
double procfs_number(const char *path)
{
    (void)path;
    return -1;
}

double procfs_field(pid_t pid, const char *file, const char *name)
{
    (void)pid, (void)file, (void)name;
    return -1;
}

static double statm_bytes(pid_t pid, int field)
{
    (void)pid, (void)field;
    return -1;
}

double procfs_system_threads(void)
{
    return -1;
}
#endif

double procfs_resident_bytes(pid_t pid)
{
    return statm_bytes(pid, 1);
}

double procfs_size_bytes(pid_t pid)
{
    return statm_bytes(pid, 0);
}
