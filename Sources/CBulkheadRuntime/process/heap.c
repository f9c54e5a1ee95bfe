/*
 * heap.c: the shared heap (bh_shared_malloc and friends): memory that every compartment's process maps and
 * may read and write, so that the libraries of `shared.heap` can hand blocks to each other; and metadata that
 * none of them can reach (README, "Threat model: the shared heap").
 *   - Each process allocates from an arena of its own: compartment k's is [heap + k A, heap + (k + 1) A),
 *     A the program's shared heap size (64 MiB unless the descriptor says otherwise) rounded up to a span.
 *   - Everything the allocator acts on lives in the process's private memory: which blocks are handed out,
 *     their sizes, the free lists, the lock (a process-private mutex). The allocator never reads a word of
 *     shared memory, so nothing another compartment writes there can make it hand out memory outside its
 *     arena or a block it handed out and has not taken back, nor make it write anywhere: what another
 *     compartment can do to the heap is what it could always do, change the blocks' contents.
 *   - A block freed by a process other than its owner's stays allocated (the free is ignored): a
 *     compartment cannot make another's allocator hand a block out twice. A block
 *     that crosses compartments and is freed on the other side is a leak in its owner's arena. realloc of
 *     another arena's block copies it into a fresh block of the caller's arena (as many bytes as the new size,
 *     up to the end of the owner's arena: its size is the owner's private knowledge).
 *   - A restarted compartment's process allocates above the spans its previous process used (the count is
 *     kept in its compartment's state, shared: a forged count can only make the new process reuse spans of
 *     its own arena that the old one had handed out, or run out of arena).
 *   - The zygote and a process that the program forks (not a compartment) allocate with the C library; the
 *     child's frees of shared-heap blocks are ignored.
 * Layout: the arena is cut into 64 KiB spans, taken from the bottom up. A span holds blocks of one small class
 * (16 << c bytes, c = 0..11: 16 B to 32 KiB) with a private bitmap of the blocks handed out; a larger block is
 * a run of 2^j spans, from a free list per order (a larger free run split in halves), never merged. Payloads
 * are 16-byte aligned. Before bh_runtime_start, and for pointers outside the shared heap, the C library's
 * malloc family is used, except for a pointer into other memory that other compartments can write, which no
 * C library block lies in: free leaves it alone, realloc fails (ENOMEM).
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define BH_SPAN_SHIFT 16
#define BH_SPAN ((size_t)1 << BH_SPAN_SHIFT)
#define BH_SMALL_CLASSES 12                  /* 16 << 11 = 32 KiB: half a span */
#define BH_SPAN_WORDS (BH_SPAN / 16 / 64)    /* bitmap words of the smallest class */
#define BH_ORDERS 40

enum { SPAN_UNUSED, SPAN_SMALL, SPAN_LARGE, SPAN_TAIL, SPAN_FREE_RUN };

typedef struct {
    uint8_t kind;
    uint8_t cls;          /* SPAN_SMALL: blocks of 16 << cls bytes; SPAN_LARGE, SPAN_FREE_RUN: 2^cls spans */
    uint8_t live;         /* SPAN_LARGE: handed out */
    uint16_t nfree;       /* SPAN_SMALL: blocks not handed out */
    uint16_t fresh_from;  /* SPAN_SMALL: blocks from this one on were never handed out (still zero) */
    uint16_t hint;        /* SPAN_SMALL: the bitmap word to search first */
    int32_t prev, next;   /* the list the span is on: its class's spans with a free block, or its order's free runs */
} bh_span;

static struct {
    pthread_mutex_t lock;
    char *base;           /* this process's arena; NULL when it has none (not attached, or a fork's child) */
    int32_t self;
    uint32_t nspans;
    uint32_t top;         /* spans [0, top) were taken from the arena */
    bh_span *spans;
    size_t meta_size;     /* the mapping that holds bits, then spans */
    uint64_t *bits;       /* BH_SPAN_WORDS words per span: bit i set while block i is handed out */
    int32_t partial[BH_SMALL_CLASSES];
    int32_t runs[BH_ORDERS];
} h = {.lock = PTHREAD_MUTEX_INITIALIZER};

size_t bh_heap_arena_size(size_t requested) { return (requested + BH_SPAN - 1) & ~(BH_SPAN - 1); }

static size_t arena_size(void) { return bh_rt.heap_size / (size_t)bh_rt.program->ncompartments; }

void bh_heap_detach(void) {   /* the zygote; a process the program forked is not a compartment either */
    h.base = NULL;
    pthread_mutex_init(&h.lock, NULL);
}

int bh_heap_attach(int32_t self) {
    static int registered;
    if (!registered && pthread_atfork(NULL, NULL, bh_heap_detach) == 0) registered = 1;
    pthread_mutex_init(&h.lock, NULL);
    size_t a = arena_size();
    /* the metadata in a mapping of its own: MAP_NORESERVE keeps the kernel from merging it with a block that
     * malloc mapped next to it, which the scan of the heap before main() must see alone (inherit.c); the
     * copy inherited from main goes */
    if (h.bits) munmap(h.bits, h.meta_size);
    h.nspans = (uint32_t)(a >> BH_SPAN_SHIFT);
    size_t n = h.nspans ? h.nspans : 1;
    h.meta_size = n * (sizeof *h.spans + BH_SPAN_WORDS * sizeof *h.bits);
    void *m = mmap(NULL, h.meta_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        h.spans = NULL;
        return -1;
    }
    h.bits = m;
    h.spans = (bh_span *)(h.bits + n * BH_SPAN_WORDS);
    for (int c = 0; c < BH_SMALL_CLASSES; c++) h.partial[c] = -1;
    for (int j = 0; j < BH_ORDERS; j++) h.runs[j] = -1;
    /* a restart: above what the previous process of this compartment used (a hint: see the header) */
    uint32_t used = __atomic_load_n(&bh_comp(self)->heap_spans, __ATOMIC_RELAXED);
    h.top = used <= h.nspans ? used : h.nspans;
    h.self = self;
    h.base = bh_rt.heap + (size_t)self * a;
    return 0;
}

/* ---- lists of spans (private) -------------------------------------------------------------------------- */

static void list_push(int32_t *head, int32_t s) {
    h.spans[s].prev = -1;
    h.spans[s].next = *head;
    if (*head >= 0) h.spans[*head].prev = s;
    *head = s;
}

static void list_remove(int32_t *head, int32_t s) {
    bh_span *sp = &h.spans[s];
    if (sp->prev >= 0) h.spans[sp->prev].next = sp->next; else *head = sp->next;
    if (sp->next >= 0) h.spans[sp->next].prev = sp->prev;
    sp->prev = sp->next = -1;
}

static void free_run(int32_t s, int order) {
    h.spans[s].kind = SPAN_FREE_RUN;
    h.spans[s].cls = (uint8_t)order;
    list_push(&h.runs[order], s);
}

/* A run of 2^order spans: a free one, half of a larger free one, or fresh from the top (*fresh = 1: still
 * zero). -1 when the arena is full. */
static int32_t take_run(int order, int *fresh) {
    for (int k = order; k < BH_ORDERS; k++) {
        int32_t s = h.runs[k];
        if (s < 0) continue;
        list_remove(&h.runs[k], s);
        while (k > order) {   /* keep the lower half, free the upper half, one order down each time */
            k--;
            free_run(s + (1 << k), k);
        }
        *fresh = 0;
        return s;
    }
    size_t n = (size_t)1 << order;
    if (n > h.nspans - h.top) return -1;
    int32_t s = (int32_t)h.top;
    h.top += (uint32_t)n;
    __atomic_store_n(&bh_comp(h.self)->heap_spans, h.top, __ATOMIC_RELAXED);
    *fresh = 1;
    return s;
}

static char *span_base(int32_t s) { return h.base + ((size_t)s << BH_SPAN_SHIFT); }
static uint32_t blocks_of(int cls) { return (uint32_t)(BH_SPAN >> (4 + cls)); }

/* ---- allocation ------------------------------------------------------------------------------------------ */

static int class_of(size_t size) {   /* the smallest c with 16 << c >= size */
    if (size <= 16) return 0;
    return (int)(sizeof(long) * 8 - (size_t)__builtin_clzl(size - 1)) - 4;
}

static void *alloc_small(int cls, int *fresh) {
    int32_t s = h.partial[cls];
    uint32_t n = blocks_of(cls);
    if (s < 0) {
        int fresh_span = 0;
        s = take_run(0, &fresh_span);
        if (s < 0) return NULL;
        bh_span *sp = &h.spans[s];
        sp->kind = SPAN_SMALL;
        sp->cls = (uint8_t)cls;
        sp->nfree = (uint16_t)n;
        sp->fresh_from = fresh_span ? 0 : (uint16_t)n;
        sp->hint = 0;
        uint64_t *w = h.bits + (size_t)s * BH_SPAN_WORDS;
        memset(w, 0, BH_SPAN_WORDS * sizeof *w);
        if (n < 64) w[0] = ~0ull << n;   /* past the last block: never free */
        list_push(&h.partial[cls], s);
    }
    bh_span *sp = &h.spans[s];
    uint64_t *w = h.bits + (size_t)s * BH_SPAN_WORDS;
    uint32_t words = n < 64 ? 1 : n / 64, i = sp->hint;
    while (w[i] == ~0ull) i = i + 1 == words ? 0 : i + 1;   /* nfree > 0: one has a free block */
    uint32_t b = i * 64 + (uint32_t)__builtin_ctzll(~w[i]);
    w[i] |= 1ull << (b % 64);
    sp->hint = (uint16_t)i;
    *fresh = b >= sp->fresh_from;
    if (*fresh) sp->fresh_from = (uint16_t)(b + 1);
    if (--sp->nfree == 0) list_remove(&h.partial[cls], s);
    return span_base(s) + ((size_t)b << (4 + cls));
}

static void *alloc_large(size_t size, int *fresh) {
    size_t spans = (size + BH_SPAN - 1) >> BH_SPAN_SHIFT;
    int order = 0;
    while (((size_t)1 << order) < spans) order++;
    if (order >= BH_ORDERS) return NULL;
    int32_t s = take_run(order, fresh);
    if (s < 0) return NULL;
    h.spans[s].kind = SPAN_LARGE;
    h.spans[s].cls = (uint8_t)order;
    h.spans[s].live = 1;
    for (int32_t t = 1; t < (1 << order); t++) h.spans[s + t].kind = SPAN_TAIL;
    return span_base(s);
}

/* A payload of `size` bytes from this process's arena; *fresh = 1 when it was never handed out (still zero as
 * the shared memory file was created). NULL (errno ENOMEM) when the arena is full. */
static void *allocate(size_t size, int *fresh) {
    *fresh = 0;
    if (!bh_rt.started) return malloc(size);
    if (!h.base) return malloc(size);   /* the zygote, or a process the program forked */
    if (size > arena_size()) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&h.lock);
    void *p = size <= (BH_SPAN >> 1) ? alloc_small(class_of(size), fresh) : alloc_large(size, fresh);
    pthread_mutex_unlock(&h.lock);
    if (!p) errno = ENOMEM;
    return p;
}

/* ---- blocks handed out ----------------------------------------------------------------------------------- */

static int in_heap(const void *p) {
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)bh_rt.heap;
    return bh_rt.started && a >= lo && a - lo < bh_rt.heap_size;
}

static int own(const void *p) {
    return h.base && (uintptr_t)p >= (uintptr_t)h.base && (uintptr_t)p - (uintptr_t)h.base < (size_t)h.nspans << BH_SPAN_SHIFT;
}

/* The capacity of the block at p, which this process handed out (the heap locked); 0 if it is not one. */
static size_t capacity_of(const void *p, int32_t *span, uint32_t *block) {
    size_t off = (size_t)((const char *)p - h.base);
    int32_t s = (int32_t)(off >> BH_SPAN_SHIFT);
    if ((uint32_t)s >= h.top) return 0;
    bh_span *sp = &h.spans[s];
    size_t in = off & (BH_SPAN - 1);
    if (sp->kind == SPAN_LARGE) return in == 0 && sp->live ? (BH_SPAN << sp->cls) : 0;
    if (sp->kind != SPAN_SMALL) return 0;
    size_t size = (size_t)16 << sp->cls;
    uint32_t b = (uint32_t)(in >> (4 + sp->cls));
    if (in & (size - 1)) return 0;
    if (!(h.bits[(size_t)s * BH_SPAN_WORDS + b / 64] & (1ull << (b % 64)))) return 0;
    *span = s;
    *block = b;
    return size;
}

static void release(const void *p, const char *what) {
    int32_t s = -1;
    uint32_t b = 0;
    pthread_mutex_lock(&h.lock);
    size_t cap = capacity_of(p, &s, &b);
    if (cap == 0) {
        pthread_mutex_unlock(&h.lock);
        bh_report_fatal(what);
        abort();
    }
    if (s < 0) {   /* a large run */
        s = (int32_t)((size_t)((const char *)p - h.base) >> BH_SPAN_SHIFT);
        h.spans[s].live = 0;
        free_run(s, h.spans[s].cls);
    } else {
        bh_span *sp = &h.spans[s];
        h.bits[(size_t)s * BH_SPAN_WORDS + b / 64] &= ~(1ull << (b % 64));
        sp->hint = (uint16_t)(b / 64);
        if (sp->nfree++ == 0) list_push(&h.partial[sp->cls], s);
        /* an empty span goes back to the runs, unless it is the only one its class has */
        if (sp->nfree == blocks_of(sp->cls) && (h.partial[sp->cls] != s || sp->next >= 0)) {
            list_remove(&h.partial[sp->cls], s);
            free_run(s, 0);
        }
    }
    pthread_mutex_unlock(&h.lock);
}

/* ---- the C interface (bulkhead_runtime.h) ---------------------------------------------------------------- */

void *bh_shared_malloc(size_t size) {
    int fresh;
    return allocate(size, &fresh);
}

void *bh_shared_calloc(size_t n, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    int fresh;
    void *p = allocate(total, &fresh);
    if (p && !fresh) memset(p, 0, total);   /* fresh space is zero already: no need to touch its pages */
    return p;
}

/* Whether p lies in memory that other compartments can write: the shared region (control block, channels,
 * their stacks), the shared globals, the pairs' memory. The C library's malloc never hands out a block there,
 * so a pointer there that reaches free is a chunk another compartment may have made up: the C library would put
 * it on this process's private free list, and hand it out as this process's next private block (attacks/
 * second-review free). */
int bh_other_writable(const void *p) {
    uintptr_t a = (uintptr_t)p;
    if (!bh_rt.started) return 0;
    uintptr_t r = (uintptr_t)bh_rt.ctrl, q = (uintptr_t)bh_rt.pair_base;
    if (r && a >= r && a - r < bh_rt.region_size) return 1;
    if (q && a >= q && a - q < (size_t)bh_rt.npairs * BH_PAIR_SPAN) return 1;
    bh_region g = bh_rt.program->shared;
    return g.start < g.end && a >= g.start && a < g.end;
}

void bh_shared_free(void *p) {
    if (!p) return;
    if (!in_heap(p)) {
        if (!bh_other_writable(p)) free(p);   /* otherwise never a block of ours: left alone */
        return;
    }
    if (!own(p)) return;   /* another process's block (or this one has no arena): it stays allocated */
    release(p, "bh_shared_free: not a block of the shared heap (or freed twice)");
}

void *bh_shared_realloc(void *p, size_t size) {
    if (!p) return bh_shared_malloc(size);
    if (!in_heap(p)) {
        if (!bh_other_writable(p)) return realloc(p, size);
        errno = ENOMEM;   /* never a block of ours (see bh_shared_free): the caller keeps p */
        return NULL;
    }
    if (size == 0) {
        bh_shared_free(p);
        return NULL;
    }
    size_t copy;
    if (own(p)) {
        int32_t s = -1;
        uint32_t b = 0;
        pthread_mutex_lock(&h.lock);
        size_t cap = capacity_of(p, &s, &b);
        pthread_mutex_unlock(&h.lock);
        if (cap == 0) {
            bh_report_fatal("bh_shared_realloc: not a block of the shared heap (or freed)");
            abort();
        }
        if (size <= cap) return p;
        copy = cap;
    } else {   /* another arena's block: its size is not known here */
        size_t a = arena_size(), off = (size_t)((char *)p - bh_rt.heap) % a;
        copy = size < a - off ? size : a - off;
    }
    void *q = bh_shared_malloc(size);
    if (!q) return NULL;
    memcpy(q, p, copy);
    bh_shared_free(p);
    return q;
}
