/* The attacker: arbitrary code in compartment evil, which has no gate to vault_export. It looks the gate's
 * id up in the runtime's copy of the program description and calls it through the runtime directly. */
#include <stdio.h>
#include <string.h>
/* What the attacker knows of the runtime's ABI (bh/bulkhead_runtime.h of the emitted tree). */
#include <stddef.h>
#include <stdint.h>
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
void *bh_stack_alloc(size_t size, size_t align);
void bh_stack_free(void *p);
void bh_call();
static void call_gate(int32_t g, atk_frame *f) { ((void (*)(int32_t, atk_frame *))bh_call)(g, f); }

struct export_frame { atk_frame h; int ret; char *out; int n; };

extern struct { const atk_program_desc *program; } bh_rt;
static int gate_of(const char *name)
{
    for (int g = 0; g < bh_rt.program->ngates; g++)
        if (strcmp(bh_rt.program->gates[g].name, name) == 0) return g;
    return -1;
}

int vault_check(int pin);
void *bh_frame_alloc(int32_t gate, size_t size, size_t align);

int thief_run(int claim)
{
    printf("thief may check: %d\n", vault_check(1234));
    int g = gate_of("vault_export");
    struct export_frame *f = claim ? bh_stack_alloc(sizeof *f, 16) : bh_frame_alloc(g, sizeof *f, 16);
    char *out = claim ? bh_stack_alloc(64, 16) : bh_frame_alloc(g, 64, 16);
    memset(f, 0, sizeof *f);
    memset(out, 0, 64);
    f->h.caller = 0;   /* main */
    f->out = out;
    f->n = 64;
    call_gate(g, &f->h);
    printf("thief: status %d ret %d got '%.20s'\n", f->h.status, f->ret, out);
    fflush(stdout);
    bh_stack_free(f);
    return 0;
}
