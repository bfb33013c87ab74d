/* compute.h — CPU-bound work of a chosen length: the hog of 06's part 5.
 *
 * A plain function: it cannot yield, so a task that calls it holds its event loop for the
 * whole time, and a thread that calls it holds its CPU until the kernel preempts it.
 */
#ifndef ASYNCLAB_COMPUTE_H
#define ASYNCLAB_COMPUTE_H

#include <stdint.h>

/* Pure computation for about ms milliseconds: no yield, no system call but the clock's.
 * Returns the result, which the caller keeps, so that the compiler cannot drop the work. */
uint64_t compute_for(double ms);

#endif
