/* The attacker: finds the runtime's shared control block through the runtime's process-local state (its
 * first fields), and words in it by their values, which it knows: its own pid, its parent's (the zygote),
 * the shared heap's start. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern struct {
    const void *program;
    int32_t self_index, started, multi, is_zygote, exit_claimed, pid, launched, filter_pending;
    char *ctrl, *channels, *stacks, *heap;
} bh_rt;

int thief_kill(int victim)
{
    int32_t me = getpid(), parent = getppid(), hits = 0;
    for (int32_t *w = (int32_t *)bh_rt.ctrl; (char *)w < bh_rt.ctrl + 65536; w++)
        if (*w == me || *w == parent) {
            *w = victim;
            hits++;
        }
    printf("thief: rewrote %d pids\n", hits);
    fflush(stdout);
    return hits;
}

int thief_heap(uintptr_t target)
{
    for (char **w = (char **)bh_rt.ctrl; (char *)w < bh_rt.ctrl + 65536; w++)
        if (*w == bh_rt.heap) {   /* heap_start, heap_end, heap_brk, then the free lists by class */
            char **free_list = w + 3;
            free_list[2] = (char *)target - 16;   /* class 2: 64-byte blocks (48 bytes and a header) */
            printf("thief: free list aimed\n");
            fflush(stdout);
            return 1;
        }
    printf("thief: no free list in shared memory\n");   /* the heap's metadata is private (heap.c) */
    fflush(stdout);
    return 0;
}
