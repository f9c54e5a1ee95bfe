/* The attacker: a thread of compartment evil that rewrites other calls' results in flight. It finds every
 * channel's innermost frame through the runtime's process-local state (channel i's hot words, whose third
 * word is its innermost frame, lie at stacks + i * 256 KiB) and the gate id by name. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct { int32_t gate; int16_t caller; int16_t status; int32_t err; int32_t prev; } atk_frame;
typedef struct { const char *name; int32_t compartment; void (*entry)(atk_frame *); const uint32_t *callers; } atk_gate_desc;
typedef struct {
    int32_t abi_version;
    const char *program;
    int32_t ncompartments;
    const void *compartments;
    int32_t ngates;
    const atk_gate_desc *gates;
} atk_program_desc;
extern struct {
    const atk_program_desc *program;
    int32_t self_index, started, multi, is_zygote, exit_claimed, pid, launched, filter_pending;
    char *ctrl, *channels, *stacks, *heap;
} bh_rt;
struct verify_frame { atk_frame h; int ret; int pin; };

static volatile int stop;
static long rewrites;

static void *tamper(void *arg)
{
    int gate = -1;
    for (int g = 0; g < bh_rt.program->ngates; g++)
        if (strcmp(bh_rt.program->gates[g].name, "vault_verify") == 0) gate = g;
    (void)arg;
    while (!stop)
        for (int i = 0; i < 4; i++) {
            struct verify_frame *volatile *top = (struct verify_frame *volatile *)(bh_rt.stacks + (size_t)i * 256 * 1024 + 8);
            struct verify_frame *f = *top;
            if (f && f->h.gate == gate && f->ret == 0) {
                f->ret = 1;   /* "granted" */
                rewrites++;
            }
        }
    return NULL;
}

static pthread_t thread;

int thief_start(void)
{
    return pthread_create(&thread, NULL, tamper, NULL);
}

long thief_stop(void)
{
    stop = 1;
    pthread_join(thread, NULL);
    return rewrites;
}
