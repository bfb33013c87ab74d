/* frontier.h — the URLs a crawl has still to fetch, and every URL it has ever queued.
 *
 * A FIFO queue of URL texts, oldest first, and a hash set of every text ever added, so
 * that no page is queued twice however many pages link to it. The set owns the texts;
 * the queue points into it.
 */
#ifndef ASYNCLAB_FRONTIER_H
#define ASYNCLAB_FRONTIER_H

#include <stdbool.h>
#include <stddef.h>

struct frontier_seen; /* the set of every text ever added (a hash set, in frontier.c) */

struct frontier {
    const char **queue; /* queued but not yet taken: queue[head .. head + len) */
    size_t head, len, cap;
    struct frontier_seen *seen;
};

void frontier_init(struct frontier *q);
void frontier_free(struct frontier *q);

/* Queue text unless it was added before. true if it was queued. */
bool frontier_add(struct frontier *q, const char *text);

/* The oldest queued text (owned by the frontier), or NULL when the queue is empty. */
const char *frontier_take(struct frontier *q);

/* Undo frontier_take() for text: it goes back to the front of the queue. It must have been
 * added before (the program dies otherwise: a bug). */
void frontier_put_back(struct frontier *q, const char *text);

#endif
