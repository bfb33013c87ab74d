/* cores.h — how many cores the machine has, and how busy other programs keep them (02's
 * speedup table, whose ceiling is the cores that are free).
 *
 * Neither call is POSIX, and both are on Linux and macOS: cores.c is the one file that asks
 * glibc for them (_DEFAULT_SOURCE); on macOS the build's _DARWIN_C_SOURCE shows them.
 */
#ifndef ASYNCLAB_CORES_H
#define ASYNCLAB_CORES_H

/* The cores online now (sysconf _SC_NPROCESSORS_ONLN); -1 if the system cannot say. */
long cores_online(void);

/* Prints the load average over the last minute (getloadavg: about how many programs
 * wanted a core; it trails, so a job started a second ago hardly shows in it) and the cores online
 * in one line and, when the load is at least half the cores, a warning that `what` (measured later)
 * will come out lower because other programs compete for the cores. Returns the load average (-1:
 * unknown). */
double cores_report_load(long cores, const char *what);

#endif
