/*
 * pairs.c: memory shared by exactly two compartments (see bh_internal_runtime.h, "the pairs' memory").
 * main creates one memfd per pair that the plan needs, before any fork, maps them side by side and closes
 * each descriptor at once (the descriptor table is shared by every process of the program: an open one
 * would let any compartment map the pair). Every process inherits every mapping; each then maps fresh
 * inaccessible memory over the pairs it is no party to (the zygote keeps them all: it forks the processes).
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"

#include <stdlib.h>
#include <sys/mman.h>

/* The pairs the plan needs: a caller and the compartment of a gate it may call (a gate any compartment may
 * call: every other compartment with it), and main with every compartment (the program's exit). */
static int needed(const bh_program_desc *p, int32_t a, int32_t b) {
    if (a == 0 || b == 0) return 1;
    for (int32_t g = 0; g < p->ngates; g++) {
        int32_t c = p->gates[g].compartment;
        if (c != a && c != b) continue;
        int32_t other = c == a ? b : a;
        const uint32_t *m = p->gates[g].callers;
        if (!m || (m[other >> 5] >> (other & 31)) & 1u) return 1;
    }
    return 0;
}

int bh_pairs_create(void) {
    const bh_program_desc *p = bh_rt.program;
    int32_t n = p->ncompartments;
    if (n < 2) return 0;
    int16_t *index = malloc((size_t)n * (size_t)n * sizeof *index);
    int32_t *as = malloc((size_t)n * (size_t)(n - 1) / 2 * sizeof *as);
    int32_t *bs = malloc((size_t)n * (size_t)(n - 1) / 2 * sizeof *bs);
    if (!index || !as || !bs) return -ENOMEM;
    int32_t count = 0;
    for (int32_t a = 0; a < n; a++)
        for (int32_t b = 0; b < n; b++) {
            index[a * n + b] = -1;
            if (a < b && needed(p, a, b)) {
                as[count] = a;
                bs[count] = b;
                count++;
            }
        }
    for (int32_t q = 0; q < count; q++) index[as[q] * n + bs[q]] = index[bs[q] * n + as[q]] = (int16_t)q;
    size_t total = (size_t)count * BH_PAIR_SPAN;
    char *base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return -errno;
    for (int32_t q = 0; q < count; q++) {
        int fd = memfd_create("bulkhead-pair", MFD_CLOEXEC);
        if (fd < 0) return -errno;
        if (ftruncate(fd, (off_t)BH_PAIR_SPAN) != 0) { int e = errno; close(fd); return -e; }
        void *m = mmap(base + (size_t)q * BH_PAIR_SPAN, BH_PAIR_SPAN, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd, 0);
        int e = errno;
        close(fd);
        if (m == MAP_FAILED) return -e;
    }
    bh_rt.pair_base = base;
    bh_rt.npairs = count;
    bh_rt.pair_a = as;
    bh_rt.pair_b = bs;
    bh_rt.pair_index = index;
    return 0;
}

int bh_pairs_restrict(int32_t self) {
    for (int32_t q = 0; q < bh_rt.npairs; q++)
        if (bh_rt.pair_a[q] != self && bh_rt.pair_b[q] != self &&
            mmap(bh_rt.pair_base + (size_t)q * BH_PAIR_SPAN, BH_PAIR_SPAN, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
            return -errno;
    return 0;
}
