/*
 * inherit.c: what a process of the program keeps of the memory it inherited. Every process is a clone of
 * the one process that ran the constructors, so each starts with a copy of everything they left: every
 * compartment's data and bss, the heap, main's stack. What a process must not hold is not merely
 * protected (mprotect is in every allowlist: protection can be undone) but replaced or wiped, so that
 * turning it readable again, or reading it through /proc/self/mem, shows zeros:
 *   - the other compartments' data, bss and private read-only data: fresh anonymous PROT_NONE memory
 *     (bh_forget_range, from setUpProcess);
 *   - what the constructors left on the stack below main's frames: discarded in main before the other
 *     processes exist (bh_forget_stack_residue), and a compartment's copy of main's frames is replaced once
 *     its first thread has left it (sys.c);
 *   - the heap blocks allocated before main() (bh_forget_heap): a block is kept only if this process's own
 *     memory still reaches it, found as a conservative collector finds live blocks: from every word of every
 *     readable mapping that is writable or anonymous (this compartment's data and bss, the C library's, the
 *     runtime's, the thread's stack and registers; the other compartments' sections are zeros by then) that
 *     holds the address of a block, to every word of that block, and so on. Every other block is wiped: another
 *     compartment's (its data, which pointed at it, is gone here), and the blocks free before main()
 *     (bh_brk_wall took them). Large blocks that malloc mapped on their own are treated the same way.
 * What stays (README, "Threat model"): a block that this process's memory reaches, also one a constructor
 * of another compartment handed to the C library (an environment string, a stdio buffer, a FILE) or that
 * a stray word happens to point at; memory a constructor mapped itself; the C library's start-up frames
 * above main's.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

int bh_forget_range(uintptr_t start, uintptr_t end) {
    if (end <= start) return 0;
    void *p = mmap((void *)start, end - start, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    return p == MAP_FAILED ? -1 : 0;
}

void bh_forget_stack_residue(void) {
    uintptr_t lo = bh_rt.initial_stack_lo;
    uintptr_t below = ((uintptr_t)__builtin_frame_address(0) - 16384) & ~(uintptr_t)4095;   /* this call's own frames */
    if (lo && below > lo) madvise((void *)lo, below - lo, MADV_DONTNEED);
}

/* ---- the heap before main() ---------------------------------------------------------------------------- */

/* A block: its payload [lo, hi) (in use, a block may also use the word at hi: the next chunk's prev_size). */
typedef struct { uintptr_t lo, hi; int state; } bh_block;
#define BH_BLOCK_USED 0
#define BH_BLOCK_FREE 1       /* in a bin: its first four words are malloc's links */
#define BH_BLOCK_TOP 2        /* the top chunk: free space */

/* The blocks: the brk heap's chunks, ascending, at [0, nheap); then the blocks malloc mapped on their own. */
typedef struct {
    bh_block *blocks;
    size_t n, nheap, cap;
    uintptr_t heap_lo, heap_hi;
    uint8_t *marked;
    size_t *work;             /* blocks marked, not scanned yet */
    size_t nwork;
} bh_heap_walk;

#define BH_CHUNK_PREV_INUSE 1
#define BH_CHUNK_MMAPPED 2
#define BH_CHUNK_FLAGS 7
#define BH_MAX_MAPPED_BLOCKS 256
#define BH_WORD_MASK ((uintptr_t)0x00007fffffffffffull)   /* high tag bits off: a tagged pointer still counts */

static int bh_holds(const bh_block *b, uintptr_t addr) { return addr >= b->lo && addr < b->hi + sizeof(size_t); }

/* The block in use holding addr, or -1. */
static ssize_t bh_block_of(const bh_heap_walk *w, uintptr_t addr) {
    if (addr >= w->heap_lo && addr < w->heap_hi) {
        size_t lo = 0, hi = w->nheap;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (addr < w->blocks[mid].lo) hi = mid;
            else if (!bh_holds(&w->blocks[mid], addr)) lo = mid + 1;
            else return w->blocks[mid].state == BH_BLOCK_USED ? (ssize_t)mid : -1;
        }
        return -1;
    }
    for (size_t i = w->nheap; i < w->n; i++)
        if (bh_holds(&w->blocks[i], addr)) return (ssize_t)i;
    return -1;
}

static void bh_scan_words(bh_heap_walk *w, uintptr_t lo, uintptr_t hi) {
    for (const uintptr_t *p = (const uintptr_t *)((lo + 7) & ~(uintptr_t)7); (uintptr_t)(p + 1) <= hi; p++) {
        ssize_t b = bh_block_of(w, *p & BH_WORD_MASK);
        if (b < 0 || w->marked[b]) continue;
        w->marked[b] = 1;
        w->work[w->nwork++] = (size_t)b;
    }
}

static void bh_scan_transitively(bh_heap_walk *w, uintptr_t lo, uintptr_t hi) {
    bh_scan_words(w, lo, hi);
    while (w->nwork > 0) {
        const bh_block *b = &w->blocks[w->work[--w->nwork]];
        bh_scan_words(w, b->lo, b->hi + sizeof(size_t));
    }
}

/* Scans [lo, hi) page by page, skipping the pages that this process never touched (neither present nor
 * swapped out, says /proc/self/pagemap; pagemap < 0: every page): zeros, or a file's bytes, which hold no
 * heap address. Most of a root's pages are such (the Swift runtime's tables, the bss), and scanning them
 * was most of the cost. */
#define BH_PAGEMAP_PRESENT (1ull << 63)
#define BH_PAGEMAP_SWAPPED (1ull << 62)
static void bh_scan_pages(bh_heap_walk *w, int pagemap, uintptr_t lo, uintptr_t hi) {
    const uintptr_t page = 4096;
    uint64_t entries[512];
    for (uintptr_t at = lo & ~(page - 1); at < hi;) {
        size_t n = (hi - at + page - 1) / page;
        if (n > 512) n = 512;
        ssize_t got = pagemap < 0 ? -1 : pread(pagemap, entries, n * sizeof entries[0], (off_t)(at / page * sizeof entries[0]));
        for (size_t k = 0; k < n; k++, at += page) {
            if (got == (ssize_t)(n * sizeof entries[0]) && !(entries[k] & (BH_PAGEMAP_PRESENT | BH_PAGEMAP_SWAPPED))) continue;
            bh_scan_transitively(w, at > lo ? at : lo, at + page < hi ? at + page : hi);
        }
    }
}

static size_t bh_scratch_size(size_t cap) { return cap * (sizeof(bh_block) + sizeof(size_t) + 1); }

/* A mapping that is a block malloc mapped on its own (its chunk header at its start). */
static int bh_is_mapped_block(const bh_map *m) {
    const size_t *h = (const size_t *)m->lo;
    return m->anonymous && !m->shared && !m->is_stack && m->prot == (PROT_READ | PROT_WRITE) && h[0] == 0
           && h[1] == ((m->hi - m->lo) | BH_CHUNK_MMAPPED);
}

/* The brk heap's chunks, and the blocks malloc mapped on their own: 0, or -1 if the heap is not laid out as
 * expected (then nothing is wiped). A chunk is free if the next one says so (bh_brk_wall took the free
 * blocks, so there should be none but the old top's rest: the C library's caches of free blocks would look
 * in use). With the break walled off (bh_brk_wall), malloc has moved its top elsewhere and closed the heap
 * with two fenceposts (16-byte chunks); without, the last chunk is the top, free space up to the break. */
static int bh_collect_blocks(bh_heap_walk *w, int nmaps) {
    uintptr_t heap_lo = 0, brk_end = (uintptr_t)sbrk(0);
    for (int i = 0; i < nmaps; i++)
        if (bh_maps[i].is_heap) heap_lo = bh_maps[i].lo;
    if (!heap_lo || brk_end <= heap_lo) heap_lo = brk_end;
    w->cap = (brk_end - heap_lo) / 32 + BH_MAX_MAPPED_BLOCKS;
    void *mem = mmap(NULL, bh_scratch_size(w->cap), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return -1;
    w->blocks = mem;
    w->work = (size_t *)(w->blocks + w->cap);
    w->marked = (uint8_t *)(w->work + w->cap);
    uintptr_t c = heap_lo;
    while (c + 2 * sizeof(size_t) <= brk_end) {
        size_t size = ((const size_t *)c)[1] & ~(size_t)BH_CHUNK_FLAGS;
        if (size == 2 * sizeof(size_t)) {   /* a fencepost */
            c += size;
            continue;
        }
        if (size < 32 || size % 16 || c + size > brk_end || w->n >= w->cap) return -1;
        int top = c + size + 2 * sizeof(size_t) > brk_end;   /* no chunk after it */
        int state = top ? BH_BLOCK_TOP : ((const size_t *)(c + size))[1] & BH_CHUNK_PREV_INUSE ? BH_BLOCK_USED : BH_BLOCK_FREE;
        w->blocks[w->n++] = (bh_block){c + 2 * sizeof(size_t), c + size, state};
        c += size;
    }
    if (brk_end - c >= 2 * sizeof(size_t)) return -1;
    w->heap_lo = heap_lo;
    w->heap_hi = brk_end;
    w->nheap = w->n;
    for (int i = 0; i < nmaps && w->n < w->cap; i++)
        if (bh_is_mapped_block(&bh_maps[i]))
            w->blocks[w->n++] = (bh_block){bh_maps[i].lo + 2 * sizeof(size_t), bh_maps[i].hi - sizeof(size_t), BH_BLOCK_USED};
    return 0;
}

/* A mapping whose words are roots: readable, and writable or anonymous (a file's read-only pages hold no
 * heap address; relocated read-only data holds only the image's own), not the heap, not a block, not the
 * runtime's shared region (channels, shared heap: nothing there points into a process's private heap). */
static int bh_is_root(const bh_map *m) {
    if (!(m->prot & PROT_READ) || !((m->prot & PROT_WRITE) || m->anonymous) || m->is_heap || bh_is_mapped_block(m))
        return 0;
    uintptr_t region = (uintptr_t)bh_rt.ctrl;
    if (m->lo >= region && m->hi <= region + bh_rt.region_size) return 0;
    /* nor the memory of pairs of compartments (pairs.c): fresh at start, and scanned whole (it is shared) it
     * cost main 256 MiB of reads per pair, every page made present: a 30-compartment chain took seconds */
    uintptr_t pairs = (uintptr_t)bh_rt.pair_base;
    return !(pairs && m->lo >= pairs && m->hi <= pairs + (uintptr_t)bh_rt.npairs * BH_PAIR_SPAN);
}

__attribute__((noinline)) void bh_forget_heap(void) {
    __builtin_unwind_init();   /* the callers' registers, on this frame: the stack scan sees them */
    bh_heap_walk w;
    memset(&w, 0, sizeof w);
    int nmaps = bh_read_maps();
    if (nmaps <= 0 || bh_collect_blocks(&w, nmaps) != 0 || w.n == 0) goto done;
    for (int i = 0; i < nmaps; i++)   /* a sanitizer's shadow memory: too large to scan, nothing is wiped */
        if (bh_is_root(&bh_maps[i]) && bh_maps[i].hi - bh_maps[i].lo > ((uintptr_t)1 << 32)) goto done;
    uintptr_t sp = (uintptr_t)&w;
    int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    for (int i = 0; i < nmaps; i++) {
        const bh_map *m = &bh_maps[i];
        if (!bh_is_root(m)) continue;
        /* this thread's stack: from here up; a shared mapping whole (a fork does not copy its page tables: a
         * page another process wrote may not be present here) */
        bh_scan_pages(&w, m->shared ? -1 : pagemap, sp > m->lo && sp < m->hi ? sp : m->lo, m->hi);
    }
    if (pagemap >= 0) close(pagemap);
    for (size_t i = 0; i < w.n; i++) {
        const bh_block *b = &w.blocks[i];
        if (b->state == BH_BLOCK_FREE && b->hi - b->lo > 4 * sizeof(void *))   /* its links stay */
            memset((void *)(b->lo + 4 * sizeof(void *)), 0, b->hi - b->lo - 4 * sizeof(void *));
        else if (b->state == BH_BLOCK_TOP) memset((void *)b->lo, 0, b->hi - b->lo);
        else if (b->state == BH_BLOCK_USED && !w.marked[i]) memset((void *)b->lo, 0, b->hi + sizeof(size_t) - b->lo);
    }
done:
    if (w.blocks) munmap(w.blocks, bh_scratch_size(w.cap));
}
