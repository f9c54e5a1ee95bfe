/* The attacker: arbitrary code in compartment evil. What it knows of the runtime: its ABI (the emitted
 * bh/bulkhead_runtime.h), and the runtime's process-local state bh_rt (a symbol of the executable), through
 * which it finds the shared region, the channels and the pairs' memory. */
#define _GNU_SOURCE
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct { int32_t gate; int16_t caller; int16_t status; int32_t err; int32_t prev; } atk_frame;
typedef struct { const char *name; int32_t compartment; void (*entry)(atk_frame *); const uint32_t *callers; } atk_gate_desc;
typedef struct {
    int32_t abi_version;
    const char *program;
    int32_t ncompartments;
    const void *compartments;
    int32_t ngates;
    atk_gate_desc *gates;
} atk_program_desc;
extern struct {
    const atk_program_desc *program;
    int32_t self_index, started, multi, is_zygote, exit_claimed, pid, launched, filter_pending;
    char *ctrl, *channels, *stacks, *heap;
    size_t heap_size, region_size;
    unsigned channel_key;
    uintptr_t initial_stack_lo, initial_stack_hi;
    int32_t zygote_pid;
    uintptr_t band_top;
    char *pair_base;
    int32_t npairs;
    int32_t *pair_a, *pair_b;
    int16_t *pair_index;
} bh_rt;
void *bh_frame_alloc(int32_t gate, size_t size, size_t align);
void bh_stack_free(void *p);
void bh_call();
static void call_gate(int32_t g, atk_frame *f) { ((void (*)(int32_t, atk_frame *))bh_call)(g, f); }
#define STACK (256 * 1024)
#define CHANNELS 1024

static int gate_of(const char *name)
{
    for (int g = 0; g < bh_rt.program->ngates; g++)
        if (strcmp(bh_rt.program->gates[g].name, name) == 0) return g;
    return -1;
}

int vault_check(int pin);
int vault_rename(const char *name);
int vault_is_admin(void);

/* ---- inject: a hand-over of bytes of main's and the vault's memory, as a call from main ---------------- */

struct hot { int32_t owner; uint32_t sleepers; void *top; };

static void *inject(void *arg)
{
    int *answered = arg;
    vault_check(1234);   /* a legitimate call: this thread now has a channel of its own */
    int me = bh_rt.self_index, safe = bh_rt.program->gates[gate_of("vault_check")].compartment;
    int idx = -1;
    for (int i = 0; i < CHANNELS; i++) {
        int32_t *rec = (int32_t *)(bh_rt.channels + (size_t)i * 128);   /* home, ready */
        if (rec[0] == me && rec[1] == 1) idx = i;
    }
    if (idx < 0) return NULL;
    struct hot *h = (struct hot *)(bh_rt.stacks + (size_t)idx * STACK);
    int n = bh_rt.program->ncompartments;
    int p = bh_rt.pair_index[0 * n + safe];   /* main and the vault: never used on this channel, zeros */
    char *fake = bh_rt.pair_base + (size_t)p * STACK * CHANNELS + (size_t)idx * STACK + 4096;
    printf("thief: gate 0 is %s\n", bh_rt.program->gates[0].name);
    fflush(stdout);
    h->top = fake;
    __atomic_store_n(&h->owner, safe, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &h->owner, FUTEX_WAKE_BITSET, INT_MAX, NULL, NULL, 1u << safe);
    for (int i = 0; i < 2000 && __atomic_load_n(&h->owner, __ATOMIC_SEQ_CST) == safe; i++) usleep(1000);
    *answered = __atomic_load_n(&h->owner, __ATOMIC_SEQ_CST) != safe;
    h->top = NULL;
    __atomic_store_n(&h->owner, me, __ATOMIC_SEQ_CST);
    return NULL;
}

int thief_inject(void)
{
    int answered = 0;
    pthread_t t;
    if (pthread_create(&t, NULL, inject, &answered) != 0) return -1;
    pthread_join(t, NULL);
    return answered;
}

/* ---- string: the NUL of a lent string removed after the callee's check --------------------------------- */

struct rename_frame { atk_frame h; int ret; const char *name; };
static volatile char *racing;
static volatile int stop;

static void *flip(void *arg)
{
    (void)arg;
    while (!stop) {
        racing[12] = 'M';
        racing[12] = 0;
    }
    return NULL;
}

int thief_race(void)
{
    (void)vault_rename;   /* the thief has a gate to it */
    int g = gate_of("vault_rename");
    struct rename_frame *f = bh_frame_alloc(g, sizeof *f, 16);
    char *s = bh_frame_alloc(g, 32, 16);
    memset(s, 0, 32);
    memcpy(s, "MMMMMMMMMMMM\0ZZZZZZZZZ", 22);   /* 12 letters; without the NUL at 12, 22 */
    racing = s;
    pthread_t t;
    if (pthread_create(&t, NULL, flip, NULL) != 0) return -1;
    int calls = 0, admin = 0;
    while (calls < 20000 && !admin) {
        memset(f, 0, sizeof *f);
        f->name = s;
        call_gate(g, &f->h);
        if (++calls % 100 == 0) admin = vault_is_admin();
    }
    stop = 1;
    pthread_join(t, NULL);
    bh_stack_free(f);
    printf("thief: admin %d after %d calls\n", admin, calls);
    fflush(stdout);
    return admin;
}

/* ---- result: thief_name answered with a pointer into main's own memory ---------------------------------- */

struct name_frame { atk_frame h; const char *ret; size_t ret_size; uintptr_t target; };

static void forged_entry(atk_frame *h)
{
    struct name_frame *f = (struct name_frame *)h;
    f->ret = (const char *)f->target;   /* main's data, at the same address in main's process */
    f->ret_size = 64;
}

const char *thief_name(uintptr_t target)
{
    (void)target;
    return "thief";
}

void thief_greet(const char *s)
{
    static int hooked;
    if (!hooked) {   /* from now on, thief_name's entry is the forged one (the gate table is private memory) */
        atk_gate_desc *gd = &bh_rt.program->gates[gate_of("thief_name")];
        uintptr_t page = (uintptr_t)gd & ~(uintptr_t)4095;
        mprotect((void *)page, 8192, PROT_READ | PROT_WRITE);
        gd->entry = forged_entry;
        hooked = 1;
    }
    printf("thief: got '%s'\n", s);
    fflush(stdout);
}

/* ---- exits: the shared order of the program's exit handlers rewritten ---------------------------------- */

int thief_exits(void)
{
    /* the exit handlers' count, then who runs number i (compartment + 1): after the shared heap's fields */
    int32_t n = bh_rt.program->ncompartments, rewritten = 0;
    char **w = (char **)bh_rt.ctrl;
    while ((char *)w < bh_rt.ctrl + 65536 && *w != bh_rt.heap) w++;
    for (int32_t *c = (int32_t *)w; (char *)c < bh_rt.ctrl + 65536 && !rewritten; c++) {
        if (*c < 1 || *c > 16) continue;
        int ok = c[*c + 1] == 0;
        for (int32_t i = 1; i <= *c && ok; i++) ok = c[i] >= 1 && c[i] <= n;
        if (!ok) continue;
        for (int32_t i = 1; i <= *c; i++) c[i] = -c[i];   /* "taken already": main skips them */
        rewritten = *c;
    }
    printf("thief: rewrote %d exit handlers\n", rewritten);
    fflush(stdout);
    return rewritten;
}

/* ---- channels: the shared count of channels handed out, moved back ----------------------------------- */

int thief_rewind(void)
{
    int32_t *nchannels = (int32_t *)bh_rt.ctrl + 2;   /* after magic and ncompartments */
    int32_t was = *nchannels;
    *nchannels = 0;   /* the next thread to take a channel gets main's first thread's */
    printf("thief: channel count %d -> 0\n", was);
    fflush(stdout);
    return was;
}
