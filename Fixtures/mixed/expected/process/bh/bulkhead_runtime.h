/*
 * bulkhead_runtime.h: the whole contract between the C code that `bulkhead build` generates for the
 * process backend and the Bulkhead gate runtime (Swift, exported to C, plus a small C part).
 *
 * A partitioned program is one executable. A constructor in the generated file bh_program.c calls
 * bh_runtime_start() before main(); the runtime then runs each compartment other than the default one
 * (index 0, which keeps the original process) in a process of its own. Gates are calls of bh_call() with a
 * frame (bh_frame_alloc) in memory that only the caller's and the callee's processes map, at the same
 * address in both.
 */
#ifndef BULKHEAD_RUNTIME_H
#define BULKHEAD_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BH_ABI_VERSION 3

/* frame status, set by the runtime */
enum bh_status {
    BH_CALL = 0,      /* a request: the callee's entry has not returned yet */
    BH_RETURN = 1,    /* the entry returned; results are in the frame */
    BH_FAULTED = 2    /* the callee's compartment faulted and was restarted: return the gate's error value */
};

/* What to do when a compartment faults. */
enum bh_on_fault {
    BH_ON_FAULT_ABORT = 0,    /* print the report, end the program with a non-zero status */
    BH_ON_FAULT_RESTART = 1   /* print the report, start a fresh process, the pending gate returns its error value */
};

/* The header of every gate frame. A generated frame struct starts with it, then the result, then the
 * arguments:
 *     struct bh_frame_parse_expr { bh_frame h; int ret; const char *src; int cap; int *err; };
 * The generated code fills the arguments, calls bh_call(), reads the result. 16 bytes, so that with the
 * channel's own 16 bytes a frame of up to 32 bytes of result and arguments shares one cache line with them. */
typedef struct bh_frame bh_frame;
struct bh_frame {
    int32_t gate;      /* set by bh_call */
    int16_t caller;    /* compartment to return to; set by bh_call */
    int16_t status;    /* enum bh_status */
    int32_t err;       /* errno, carried both ways */
    int32_t prev;      /* runtime use (where the enclosing frame lies) */
};

/* Callee side: unpacks the frame, calls the function, stores the result in the frame. */
typedef void (*bh_entry_fn)(bh_frame *frame);

/* A page-aligned range of the image: [start, end). An empty range has start == end. */
typedef struct {
    uintptr_t start;
    uintptr_t end;
} bh_region;

typedef struct {
    const char *name;
    int32_t on_fault;                /* enum bh_on_fault */
    bh_region text;                  /* code: not executable (PROT_NONE) in other compartments' processes */
    bh_region rodata;                /* read-only data: PROT_NONE elsewhere (empty: readable everywhere) */
    bh_region data;                  /* initialised data: PROT_NONE elsewhere */
    bh_region bss;                   /* zeroed data: PROT_NONE elsewhere */
    const char *const *syscalls;     /* NULL: no allowlist (a compartment other than the default one still
                                        gets the baseline filter); else a NULL-terminated list of syscall
                                        names allowed in its process (the runtime adds its own) */
    int32_t unrestricted;            /* 1: no system call filter at all, not even the baseline
                                        (syscalls: unrestricted) */
} bh_compartment_desc;

typedef struct {
    const char *name;                /* the function's name, for reports */
    int32_t compartment;             /* the compartment it enters */
    bh_entry_fn entry;               /* the only way into that compartment for this gate */
    const uint32_t *callers;         /* the compartments the plan lets call it: bit k % 32 of word k / 32, for
                                        ncompartments bits; NULL: any (a callback, or a gate whose address
                                        is taken). Any other caller is refused as a fault of the caller. */
} bh_gate_desc;

typedef struct {
    int32_t abi_version;             /* BH_ABI_VERSION */
    const char *program;
    int32_t ncompartments;
    const bh_compartment_desc *compartments;   /* [0] is the default compartment: the original process */
    int32_t ngates;
    const bh_gate_desc *gates;       /* indexed by gate id */
    bh_region shared;                /* the globals of shared.globals (sections bh_shared.*): made shared */
    size_t shared_heap_size;         /* bytes of shared heap (bh_shared_malloc); 0 for the default */
} bh_program_desc;

/* Called once, from a constructor, before main(). Returns in the default compartment's process only; the
 * other compartments' processes never return from it (they serve gates until the program ends). */
void bh_runtime_start(const bh_program_desc *program);

/* The compartment of the calling process (0 before bh_runtime_start). */
int32_t bh_self(void);

/* Memory on the calling thread's shared stack, valid in every compartment: for the locals that the program
 * shares by address. Freed in LIFO order (bh_stack_free(p) frees p and everything allocated after it, and clears
 * those bytes, so that no later call on the thread finds what an earlier one carried). */
void *bh_stack_alloc(size_t size, size_t align);
void bh_stack_free(void *p);

/* Caller side: memory for gate `gate`'s frame and marshalled buffers, in the memory that the calling
 * compartment shares with the gate's compartment only (a sub-stack of the thread's channel, mapped in no
 * other process); on the shared stack when the gate enters the caller's own compartment. Freed in LIFO
 * order with bh_stack_free, and cleared as it is. */
void *bh_frame_alloc(int32_t gate, size_t size, size_t align);
/* Callee side: memory for a result copied back to the caller, on the stack that holds `frame`. */
void *bh_reply_alloc(const bh_frame *frame, size_t size, size_t align);

/* Runs gate `gate`'s entry in its compartment with `frame` (from bh_frame_alloc for that gate) and
 * returns when it has returned (frame->status == BH_RETURN) or its compartment faulted and was restarted
 * (frame->status == BH_FAULTED). While waiting, the calling thread serves calls made back into its own
 * compartment (callbacks, recursion). Pending stdout/stderr output is flushed when control crosses, and
 * errno travels with the call both ways. */
void bh_call(int32_t gate, bh_frame *frame);

/* Callee side, first thing in every entry: copies the frame (`size` bytes at `frame`) into `copy`, private
 * memory, so that the entry reads each argument once, whatever the caller writes meanwhile. When the call
 * came from another compartment, the frame must lie in the memory the two compartments share, and the
 * memory the caller lends with it is what lies above the frame there (its marshalled buffers). Returns 0; nonzero
 * when the call was refused (reported as a fault of the caller): the entry then returns at once. */
int bh_entry_copy(void *copy, const bh_frame *frame, size_t size);

/* Callee side, for each marshalled pointer: `count` elements of `size` bytes at p (NULL passes) must lie in
 * the memory the caller lent with the frame. Returns 0, or nonzero after refusing the call as bh_entry_copy
 * does. Without a cross-compartment caller these check nothing. */
int bh_check_lent(const void *p, size_t size, size_t count, const char *param);
/* The same for a string (`slot` holds the pointer: a `char *` or `const char *` variable): it must end in
 * the memory the caller lent, and the entry then uses a private copy, which *slot points to from now on (the
 * caller can no longer change it; `writable`: copied back where the caller lent it when the entry returns). */
int bh_copy_lent_string(void *slot, int writable, const char *param);

/* Caller side, for a result the callee copied back (`n` bytes at p): it must lie in the memory the callee
 * lent above `frame` (`size` bytes, gate `gate`). Returns 0; else the program ends (reported as a fault of
 * the callee) and this returns nonzero only to the thread that runs the program's exit. */
int bh_check_reply(int32_t gate, const bh_frame *frame, size_t size, const void *p, size_t n);

/* Callee side, for a parameter that is a stdio stream (FILE *): a stream belongs to the process that opened
 * it, so one this compartment did not open (other than stdin, stdout, stderr) is reported, naming the gate
 * and the parameter, and the call fails as a fault of this compartment. */
void bh_check_stream(const void *stream, const char *param);

/* The shared heap: memory every compartment can read and write (shared.heap libraries allocate here). */
void *bh_shared_malloc(size_t size);
void *bh_shared_calloc(size_t n, size_t size);
void *bh_shared_realloc(void *p, size_t size);
void bh_shared_free(void *p);

#ifdef __cplusplus
}
#endif
#endif