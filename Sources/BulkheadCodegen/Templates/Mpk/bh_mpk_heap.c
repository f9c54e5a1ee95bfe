/*
 * bh_mpk_heap.c: the mpk runtime's malloc family (one arena per compartment and a shared one, chosen by the
 * calling code) and the shared stack of moved locals. Part of the runtime copied into every mpk tree.
 */
#include "bh_mpk_internal.h"
/* ---- the allocator --------------------------------------------------------------------------------- */

/* Arena a (0: shared, i + 1: compartment i) is the a-th slice of one reservation. Its first page holds its
 * state (lock, bump offset, free lists), so that the state carries the arena's key: code of another
 * compartment can neither allocate from it nor corrupt its lists. Blocks are power-of-two classes from 32
 * bytes, each with a 16-byte header (class, magic, offset from the block's start for aligned blocks), on
 * one free list per class; nothing is coalesced or returned to the kernel. */
#define BH_CLASSES 40
#define BH_MAGIC 0x6b706d62u

typedef struct { uint32_t cls, magic; uint64_t offset; } bh_header;
typedef struct { int lock; uintptr_t bump; void *free[BH_CLASSES]; } bh_arena;

static uintptr_t bh_heap_base;

void bh_heap_reserve(void)
{
    if (__atomic_load_n(&bh_heap_base, __ATOMIC_ACQUIRE)) return;
    void *p = mmap(0, BH_ARENA_SIZE * BH_ARENAS, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) bh_die("bulkhead: cannot reserve the compartments' heaps: %s\n", strerror(errno));
    uintptr_t expected = 0;
    if (!__atomic_compare_exchange_n(&bh_heap_base, &expected, (uintptr_t)p, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        munmap(p, BH_ARENA_SIZE * BH_ARENAS);
}

static bh_arena *bh_arena_at(int a) { return (bh_arena *)(bh_heap_base + (uintptr_t)a * BH_ARENA_SIZE); }
uintptr_t bh_arena_start(int a) { return bh_heap_base ? (uintptr_t)bh_arena_at(a) : 0; }

/* The arena of the code at `ra`: its compartment's, or the shared one. */
static int bh_arena_of_code(const void *ra)
{
    const bh_mpk_program *p = bh_program;
    if (!p) return 0;
    uintptr_t a = (uintptr_t)ra;
    for (int i = 0; i < p->ncompartments; i++)
        if (a >= p->compartments[i].text.start && a < p->compartments[i].text.end) return i + 1;
    return 0;
}

int bh_compartment_of_code(const void *ra) { return bh_arena_of_code(ra) - 1; }

static void bh_lock(int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) sched_yield();
}
static void bh_unlock(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

void *bh_alloc(int a, size_t n, size_t align)
{
    bh_heap_reserve();
    if (align < 16) align = 16;
    if (n > BH_ARENA_SIZE / 4) { errno = ENOMEM; return 0; }
    size_t total = n + sizeof(bh_header) + (align > 16 ? align : 0);
    uint32_t cls = 5;
    while (((size_t)1 << cls) < total) cls++;
    bh_arena *ar = bh_arena_at(a);
    bh_lock(&ar->lock);
    void *block = ar->free[cls];
    if (block) {
        ar->free[cls] = *(void **)block;
    } else {
        if (!ar->bump) ar->bump = 4096;
        size_t size = (size_t)1 << cls;
        if (ar->bump + size > BH_ARENA_SIZE / 2) { bh_unlock(&ar->lock); errno = ENOMEM; return 0; }   /* above: private stacks */
        block = (char *)ar + ar->bump;
        ar->bump += size < 16 ? 16 : size;
    }
    bh_unlock(&ar->lock);
    uintptr_t user = ((uintptr_t)block + sizeof(bh_header) + align - 1) & ~(uintptr_t)(align - 1);
    bh_header *h = (bh_header *)user - 1;
    h->cls = cls;
    h->magic = BH_MAGIC;
    h->offset = user - (uintptr_t)block;
    return (void *)user;
}

static bh_header *bh_header_of(void *p, int *arena)
{
    uintptr_t u = (uintptr_t)p;
    if (!bh_heap_base || u < bh_heap_base || u >= bh_heap_base + BH_ARENA_SIZE * BH_ARENAS) return 0;
    bh_header *h = (bh_header *)p - 1;
    if (h->magic != BH_MAGIC) bh_die("bulkhead: free() or realloc() of %p, which malloc did not return\n", p);
    *arena = (int)((u - bh_heap_base) / BH_ARENA_SIZE);
    return h;
}

void bh_release(void *p)
{
    int a;
    bh_header *h = p ? bh_header_of(p, &a) : 0;
    if (!h) return;   /* null, or memory of the dynamic loader's own allocator before relocation */
    void *block = (char *)p - h->offset;
    h->magic = 0;
    bh_arena *ar = bh_arena_at(a);
    bh_lock(&ar->lock);
    *(void **)block = ar->free[h->cls];
    ar->free[h->cls] = block;
    bh_unlock(&ar->lock);
}

static size_t bh_usable(void *p)
{
    int a;
    bh_header *h = p ? bh_header_of(p, &a) : 0;
    return h ? ((size_t)1 << h->cls) - h->offset : 0;
}

static void *bh_resize(int a, void *p, size_t n)
{
    if (!p) return bh_alloc(a, n, 16);
    int home;
    bh_header *h = bh_header_of(p, &home);
    if (!h) return 0;
    if (n == 0) { bh_release(p); return 0; }
    size_t have = ((size_t)1 << h->cls) - h->offset;
    if (n <= have) return p;
    void *q = bh_alloc(home, n, 16);   /* a block stays in its arena */
    if (!q) return 0;
    memcpy(q, p, have);
    bh_release(p);
    return q;
}

void *malloc(size_t n) { return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, 16); }
void free(void *p) { bh_release(p); }
void cfree(void *p) { bh_release(p); }
void *realloc(void *p, size_t n) { return bh_resize(bh_arena_of_code(__builtin_return_address(0)), p, n); }
size_t malloc_usable_size(void *p) { return bh_usable(p); }

void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) { errno = ENOMEM; return 0; }
    void *p = bh_alloc(bh_arena_of_code(__builtin_return_address(0)), total, 16);
    if (p) memset(p, 0, total);
    return p;
}

void *reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) { errno = ENOMEM; return 0; }
    return bh_resize(bh_arena_of_code(__builtin_return_address(0)), p, total);
}

static int bh_power_of_two(size_t a) { return a && !(a & (a - 1)); }

int posix_memalign(void **out, size_t align, size_t n)
{
    if (!bh_power_of_two(align) || align % sizeof(void *)) return EINVAL;
    void *p = bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, align);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    if (!bh_power_of_two(align)) { errno = EINVAL; return 0; }
    return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, align);
}

void *memalign(size_t align, size_t n)
{
    if (!bh_power_of_two(align)) { errno = EINVAL; return 0; }
    return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, align);
}

void *valloc(size_t n) { return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), n, 4096); }
void *pvalloc(size_t n) { return bh_alloc(bh_arena_of_code(__builtin_return_address(0)), (n + 4095) & ~(size_t)4095, 4096); }

void *bh_shared_malloc(size_t n) { return bh_alloc(0, n, 16); }
void *bh_shared_realloc(void *p, size_t n) { return bh_resize(0, p, n); }
void bh_shared_free(void *p) { bh_release(p); }
void *bh_shared_calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) { errno = ENOMEM; return 0; }
    void *p = bh_alloc(0, total, 16);
    if (p) memset(p, 0, total);
    return p;
}
char *bh_shared_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = bh_alloc(0, n, 16);
    return p ? memcpy(p, s, n) : p;
}
char *bh_shared_strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *p = bh_alloc(0, n + 1, 16);
    if (p) { memcpy(p, s, n); p[n] = 0; }
    return p;
}

/* The shared stack of the analysis (locals whose address crosses a gate move there, bh_shared_stack.h):
 * blocks of the shared heap, key 0, so that a callee on a stack of its own can reach them too. */
void *bh_stack_alloc(size_t n, size_t align)
{
    void *p = bh_alloc(0, n ? n : 1, align);
    if (!p) bh_die("bulkhead: out of memory for a local moved to the shared stack (%zu bytes)\n", n);
    return p;
}
void bh_stack_free(void *p) { bh_release(p); }

