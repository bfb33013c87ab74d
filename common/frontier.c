/* frontier.c — see frontier.h: a queue of URL texts and the set of every one ever added. */
#include "frontier.h"
#include "errors.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the seen set: every text ever added, so none is queued twice ---------------------- */

struct frontier_seen {
    char **slots; /* open addressing, linear probing; NULL = empty */
    size_t cap, len;
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static char **seen_slot(struct frontier_seen *set, const char *text)
{
    size_t i = (size_t)hash_text(text) & (set->cap - 1);
    while (set->slots[i] != NULL && strcmp(set->slots[i], text) != 0)
        i = (i + 1) & (set->cap - 1);
    return &set->slots[i];
}

static void seen_grow(struct frontier_seen *set)
{
    struct frontier_seen bigger = {.cap = set->cap ? set->cap * 2 : 64};
    bigger.slots = xrealloc(NULL, bigger.cap * sizeof *bigger.slots);
    memset(bigger.slots, 0, bigger.cap * sizeof *bigger.slots);
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i] != NULL)
            *seen_slot(&bigger, set->slots[i]) = set->slots[i];
    free(set->slots);
    set->slots = bigger.slots;
    set->cap = bigger.cap;
}

/* Adds text and returns its stored copy, or NULL if it was there already. */
static char *seen_add(struct frontier_seen *set, const char *text)
{
    if ((set->len + 1) * 2 > set->cap)
        seen_grow(set);
    char **slot = seen_slot(set, text);
    if (*slot != NULL)
        return NULL;
    set->len++;
    size_t n = strlen(text) + 1;
    return *slot = memcpy(xrealloc(NULL, n), text, n);
}

/* ---- the queue ------------------------------------------------------------------------------ */

void frontier_init(struct frontier *q)
{
    *q = (struct frontier){.seen = xrealloc(NULL, sizeof *q->seen)};
    *q->seen = (struct frontier_seen){0};
}

void frontier_free(struct frontier *q)
{
    for (size_t i = 0; i < q->seen->cap; i++)
        free(q->seen->slots[i]);
    free(q->seen->slots);
    free(q->seen);
    free(q->queue);
    *q = (struct frontier){0};
}

bool frontier_add(struct frontier *q, const char *text)
{
    const char *stored = seen_add(q->seen, text);
    if (stored == NULL)
        return false;
    if (q->head + q->len == q->cap) {
        /* Slide the live part to the front before growing. */
        if (q->len > 0)
            memmove(q->queue, q->queue + q->head, q->len * sizeof *q->queue);
        q->head = 0;
        if (q->len == q->cap) {
            q->cap = q->cap ? q->cap * 2 : 64;
            q->queue = xrealloc(q->queue, q->cap * sizeof *q->queue);
        }
    }
    q->queue[q->head + q->len++] = stored; /* the set owns the text */
    return true;
}

const char *frontier_take(struct frontier *q)
{
    if (q->len == 0)
        return NULL;
    q->len--;
    return q->queue[q->head++];
}

void frontier_put_back(struct frontier *q, const char *text)
{
    if (q->seen->cap == 0 || *seen_slot(q->seen, text) == NULL)
        die("frontier_put_back: %s was never queued", text);
    const char *stored = *seen_slot(q->seen, text); /* queue the set's own copy again */
    if (q->head == 0) {                             /* no room in front: make one slot */
        if (q->len == q->cap) {
            q->cap = q->cap ? q->cap * 2 : 64;
            q->queue = xrealloc(q->queue, q->cap * sizeof *q->queue);
        }
        if (q->len > 0)
            memmove(q->queue + 1, q->queue, q->len * sizeof *q->queue);
        q->head = 1;
    }
    q->queue[--q->head] = stored;
    q->len++;
}
