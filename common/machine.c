/* machine.c — see machine.h. */
#include "machine.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The CPU model from /proc/cpuinfo ("model name : ..."), or "" where there is none. */
static void cpu_model(char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
        const char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) != 0 || colon == NULL)
            continue;
        snprintf(out, size, "%s", colon + 1 + strspn(colon + 1, " \t"));
        out[strcspn(out, "\n")] = '\0';
        break;
    }
    fclose(f);
}

void machine_describe(char *out, size_t size)
{
    struct utsname u;
    char model[128];
    long cores = 0;
#ifdef _SC_NPROCESSORS_ONLN /* not POSIX, but every Unix this lab meets has it */
    cores = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    cpu_model(model, sizeof model);
    if (uname(&u) != 0)
        snprintf(u.sysname, sizeof u.sysname, "unknown system");
    snprintf(out, size, "%s %s %s, %ld core%s%s%s", u.sysname, u.release, u.machine, cores,
             cores == 1 ? "" : "s", model[0] ? ", " : "", model);
}
