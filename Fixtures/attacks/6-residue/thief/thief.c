/* The attacker: reads its thread's shared stack (a channel's) around its own frame, for what earlier calls
 * on the same thread carried. */
#include <stdio.h>
#include <string.h>
void *bh_stack_alloc(size_t size, size_t align);
void bh_stack_free(void *p);

static void find(const char *lo, const char *hi, const char *what)
{
    size_t n = strlen(what);
    for (const char *p = lo; p + n <= hi; p++)
        if (memcmp(p, what, n) == 0) {
            printf("thief found: %.*s\n", (int)n + 4, p);
            return;
        }
}

int thief_run(void)
{
    char *here = bh_stack_alloc(1, 1);   /* a byte of this thread's shared stack */
    const char *lo = here - 64 * 1024, *hi = here + 64 * 1024;   /* the shared region is mapped around it */
    find(lo, hi, "RESIDUE-KEY-");
    find(lo, hi, "RESIDUE-DATA-");
    fflush(stdout);
    bh_stack_free(here);
    return 0;
}
