/* machine.h — one line naming the machine a measurement ran on, for captions and reports. */
#ifndef ASYNCLAB_MACHINE_H
#define ASYNCLAB_MACHINE_H

#include <stddef.h>

/* "Linux 6.1.0 x86_64, 2 cores, Intel(R) Xeon(R) ..." (the CPU model where /proc/cpuinfo
 * has one). */
void machine_describe(char *out, size_t size);

#endif
