/* The attacker: arbitrary code in compartment evil. It builds vault_transform's frame by hand (the layout
 * the generated stub uses: header, result, then the parameters) and aims `in` at the vault's context. */
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
void bh_stack_free(void *p);
void *bh_frame_alloc(int32_t gate, size_t size, size_t align);
void bh_call();
static void call_gate(int32_t g, atk_frame *f) { ((void (*)(int32_t, atk_frame *))bh_call)(g, f); }

struct transform_frame { atk_frame h; int ret; const char *in; char *out; int n; };

/* the gate id of a function, from the runtime's own copy of the program description (not secret) */
extern struct { const atk_program_desc *program; } bh_rt;
static int gate_of(const char *name)
{
    for (int g = 0; g < bh_rt.program->ngates; g++)
        if (strcmp(bh_rt.program->gates[g].name, name) == 0) return g;
    return -1;
}

int vault_transform(const char *in, char *out, int n);

int thief_run(const void *handle)
{
    (void)vault_transform;   /* the thief has a gate to it: a legitimate caller */
    int g = gate_of("vault_transform");
    struct transform_frame *f = bh_frame_alloc(g, sizeof *f, 16);   /* as the gate's own stub does */
    char *out = bh_frame_alloc(g, 64, 16);
    memset(out, 0, 64);
    memset(f, 0, sizeof *f);
    f->in = (const char *)handle;   /* the vault's own private memory */
    f->out = out;
    f->n = 48;
    call_gate(g, &f->h);
    printf("thief: status %d, got '%.32s'\n", f->h.status, out + 16);
    fflush(stdout);
    bh_stack_free(f);
    return 0;
}
