/* sorter library (compartment "sort"): a hand-written, stable insertion sort. */
#include <string.h>
#include "events.h"

/* FEATURE: global defined here, written here, read and reset from compartment "main" */
long sort_comparisons;

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* FEATURE: takes a function pointer and calls it: every cmp() call is a callback
 * from compartment "sort" into the compartment that owns the comparator. */
void sort_items(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char *p = base;
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0; j--) {
            unsigned char *prev = p + (j - 1) * size, *cur = p + j * size;
            sort_comparisons++;
            if (cmp(prev, cur) <= 0)
                break;
            swap_bytes(prev, cur, size);
        }
    }
}
