/*
 * sys.c: the runtime's system-level C helpers: process-local and thread-local state, the futex wait slow
 * path, the shared region (memfd + mmap before any fork), termination requests (async-signal-safe), the
 * shared heap's robust process-shared lock, and a private copy of the program descriptor. The processes
 * and their signals are in processes.c, the address-space layout and the main() hook in layout.c.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_wait.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/single_threaded.h>
#include <sys/wait.h>

bh_rt_state bh_rt;
_Thread_local bh_channel *bh_tls_channel __attribute__((tls_model("initial-exec")));
_Thread_local bh_frame *bh_tls_serving __attribute__((tls_model("initial-exec")));
_Thread_local uint32_t bh_tls_quiet __attribute__((tls_model("initial-exec")));
_Thread_local uint32_t bh_tls_colocated __attribute__((tls_model("initial-exec")));
_Thread_local void *bh_tls_altstack __attribute__((tls_model("initial-exec")));

#define BH_MAGIC 0x42484b31u

/* ---- waiting ---------------------------------------------------------------------------------------- */

/* How many threads are runnable on the whole machine now (the reader included), from /proc/loadavg's
 * fourth field ("running/total"); -1 if unknown. */
static int bh_running_threads(void) {
    int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = buf;
    for (int field = 0; field < 3 && p; field++) p = strchr(p + 1, ' ');
    return p ? atoi(p + 1) : -1;
}

int bh_move_to_another_cpu(void) {
    cpu_set_t all, others;
    int cpu = sched_getcpu();
    if (cpu < 0 || sched_getaffinity(0, sizeof all, &all) != 0 || !CPU_ISSET(cpu, &all) || CPU_COUNT(&all) < 2) return 0;
    /* allowed everywhere but here, then everywhere again: the scheduler moves the thread at once and leaves
     * it where it went */
    others = all;
    CPU_CLR(cpu, &others);
    if (sched_setaffinity(0, sizeof others, &others) != 0) return 0;
    int moved = sched_getcpu() != cpu;
    sched_setaffinity(0, sizeof all, &all);
    return moved;
}

/* A waiting thread keeps finding the thread it waits for on its own CPU (bh_wait_owner): it moves to another
 * CPU if one is idle, unless a thread of the same channel tried less than the gap ago. Only where no
 * syscall allowlist applies (the count of runnable threads comes from a file). */
void bh_move_off_cpu(bh_channel *ch) {
    const bh_program_desc *prog = bh_rt.program;
    if (!prog || prog->compartments[bh_rt.self_index].syscalls) return;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int64_t now = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
    int64_t next = __atomic_load_n(&ch->next_move_ns, __ATOMIC_ACQUIRE);
    if (now < next || !__atomic_compare_exchange_n(&ch->next_move_ns, &next, now + 1000000, 0, __ATOMIC_ACQ_REL,
                                                   __ATOMIC_ACQUIRE))
        return;   /* a thread of this channel tried less than a millisecond ago, or tries now */
    cpu_set_t all;
    if (sched_getaffinity(0, sizeof all, &all) != 0) return;
    /* Only to an idle CPU: beside a busy thread (of another program, or another pair of this one) this
     * thread would wait for its turn at every crossing, far worse than beside the thread it waits for.
     * This thread and the one it waits for are runnable on this CPU; if the others that are runnable
     * anywhere are fewer than the other CPUs, one of those has nothing to run. */
    int running = bh_running_threads();
    if (running < 0 || running - 2 >= CPU_COUNT(&all) - 1) return;
    if (!bh_move_to_another_cpu()) return;
    /* the next try after 1 ms, then 2, 4 ... 64 ms while tries keep coming within 100 ms of each other */
    int64_t gap = __atomic_load_n(&ch->move_gap_ns, __ATOMIC_RELAXED);
    gap = (gap == 0 || now - next > 100000000) ? 1000000 : (gap < 64000000 ? 2 * gap : gap);
    __atomic_store_n(&ch->move_gap_ns, gap, __ATOMIC_RELAXED);
    __atomic_store_n(&ch->next_move_ns, now + gap, __ATOMIC_RELEASE);
}

/* A thread of compartment self about to sleep on a channel's owner word, and done sleeping. With more than
 * 32 compartments two of them share a bit (bh_bit), so the bit stays set: a wake too many, never too few. */
static void bh_sleep_enter(bh_channel_hot *h, uint32_t bit) { __atomic_fetch_or(&h->sleepers, bit, __ATOMIC_SEQ_CST); }
static void bh_sleep_leave(bh_channel_hot *h, uint32_t bit) {
    if (bh_ncompartments() <= 32) __atomic_fetch_and(&h->sleepers, ~bit, __ATOMIC_SEQ_CST);
}

/* The CLOCK_MONOTONIC time `ns` nanoseconds from now (an absolute deadline for bh_futex_wait). */
struct timespec bh_deadline_in(long ns) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ns / 1000000000L;
    t.tv_nsec += ns % 1000000000L;
    if (t.tv_nsec >= 1000000000L) { t.tv_sec++; t.tv_nsec -= 1000000000L; }
    return t;
}

int bh_wait_owner_slow(bh_channel *ch, int32_t self) {
    bh_channel_hot *h = bh_hot(ch);
    bh_ctrl *c = bh_rt.ctrl;
    uint32_t bit = bh_bit(self);
    for (;;) {
        if (__atomic_load_n(&h->owner, __ATOMIC_ACQUIRE) == self) return 0;
        int term = self == 0 && __atomic_load_n(&c->terminating, __ATOMIC_ACQUIRE) != BH_TERM_NONE;
        if (term && !__atomic_load_n(&bh_rt.exit_claimed, __ATOMIC_ACQUIRE)) return 1;
        struct timespec deadline, *dl = NULL;
        if (term) {
            deadline = bh_deadline_in(20 * 1000 * 1000);
            dl = &deadline;
        }
        bh_sleep_enter(h, bit);
        int32_t o = __atomic_load_n(&h->owner, __ATOMIC_SEQ_CST);
        long r = 0;
        if (o != self) r = bh_futex_wait(&h->owner, o, bit, dl);
        int timedout = r == -1 && errno == ETIMEDOUT;
        bh_sleep_leave(h, bit);
        if (timedout && __atomic_load_n(&h->owner, __ATOMIC_ACQUIRE) != self) return 2;
    }
}

void bh_park(bh_channel *ch, int32_t self) {
    bh_channel_hot *h = bh_hot(ch);
    bh_sleep_enter(h, bh_bit(self));
    if (__atomic_load_n(&h->owner, __ATOMIC_SEQ_CST) == self) bh_futex_wait(&h->owner, self, bh_bit(self), NULL);
    bh_sleep_leave(h, bh_bit(self));
}

void bh_wait_word(int32_t *word, int32_t val) {
    while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == val) bh_futex_wait(word, val, FUTEX_BITSET_MATCH_ANY, NULL);
}

void bh_wake_word(int32_t *word) { bh_futex_wake(word, INT32_MAX, FUTEX_BITSET_MATCH_ANY); }

void bh_chan_lock(void) {
    int32_t *l = &bh_rt.ctrl->chan_lock;
    while (!bh_cas(l, 0, 1)) {
        for (int i = 0; i < 100 && __atomic_load_n(l, __ATOMIC_RELAXED); i++) bh_pause();
        if (__atomic_load_n(l, __ATOMIC_RELAXED)) sched_yield();
    }
}

void bh_chan_unlock(void) { bh_store(&bh_rt.ctrl->chan_lock, 0); }

void bh_wake_all_channels(void) {
    bh_ctrl *c = bh_rt.ctrl;
    int32_t n = __atomic_load_n(&c->nchannels, __ATOMIC_ACQUIRE);
    if (n > BH_MAX_CHANNELS) n = BH_MAX_CHANNELS;
    for (int32_t i = 0; i < n; i++) bh_futex_wake(&bh_hot(&bh_rt.channels[i])->owner, INT32_MAX, FUTEX_BITSET_MATCH_ANY);
}

/* Async-signal-safe: the first request fixes the status; main's manager and waiters act on it. */
void bh_request_termination(int32_t kind, int32_t status) {
    bh_ctrl *c = bh_rt.ctrl;
    if (!c) return;
    bh_cas(&c->term_status, -1, status & 0xff);
    bh_cas(&c->terminating, BH_TERM_NONE, kind);
    __atomic_fetch_add(&c->event, 1, __ATOMIC_SEQ_CST);
    bh_wake_word(&c->event);
    bh_wake_all_channels();
}

/* ---- the shared region ------------------------------------------------------------------------------ */

static size_t round_page(size_t n) {
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    return (n + pg - 1) & ~(pg - 1);
}

int bh_region_create(size_t heap_size, int32_t ncompartments) {
    size_t ctrl_size = round_page(sizeof(bh_ctrl));
    size_t chan_size = round_page(sizeof(bh_channel) * BH_MAX_CHANNELS);
    size_t stacks_size = (size_t)BH_CHANNEL_STACK_SIZE * BH_MAX_CHANNELS;
    heap_size = round_page(heap_size);
    size_t total = ctrl_size + chan_size + stacks_size + heap_size;
    int fd = memfd_create("bulkhead-shared", MFD_CLOEXEC);
    if (fd < 0) return -errno;
    if (ftruncate(fd, (off_t)total) != 0) { int e = errno; close(fd); return -e; }
    char *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    int e = errno;
    close(fd);
    if (base == MAP_FAILED) return -e;

    bh_ctrl *c = (bh_ctrl *)base;
    bh_channel *chans = (bh_channel *)(base + ctrl_size);
    char *stacks = base + ctrl_size + chan_size;
    char *heap = stacks + stacks_size;
    c->magic = BH_MAGIC;
    c->term_status = -1;
    /* only what the program uses: every page written here is a page fault now and one more in each process
     * that reads it (channels are set up when first handed out: bh_channel_init) */
    for (int i = 0; i < ncompartments && i < BH_MAX_COMPARTMENTS; i++) { c->free_head[i] = -1; c->comp[i].alive = 1; }
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&c->heap_lock, &a);
    pthread_mutexattr_destroy(&a);
    c->heap_start = heap;
    c->heap_brk = heap;
    c->heap_end = heap + heap_size;

    bh_rt.ctrl = c;
    bh_rt.channels = chans;
    bh_rt.stacks = stacks;
    bh_rt.heap = heap;
    bh_rt.heap_size = heap_size;
    bh_rt.region_size = total;
    return 0;
}

void bh_channel_init(int32_t i) {
    bh_channel *ch = &bh_rt.channels[i];
    ch->index = i;
    ch->next_free = -1;
    ch->base = bh_rt.stacks + (size_t)i * BH_CHANNEL_STACK_SIZE + sizeof(bh_channel_hot);
    ch->limit = bh_rt.stacks + (size_t)(i + 1) * BH_CHANNEL_STACK_SIZE;
    ch->sp = ch->base;
}

/* Makes [start, end) one copy for every process: its bytes go to a memfd mapped over the same range. */
int bh_share_range(uintptr_t start, uintptr_t end) {
    if (end <= start) return 0;
    size_t len = end - start;
    int fd = memfd_create("bulkhead-globals", MFD_CLOEXEC);
    if (fd < 0) return -errno;
    const char *src = (const char *)start;
    size_t done = 0;
    while (done < len) {
        ssize_t w = pwrite(fd, src + done, len - done, (off_t)done);
        if (w < 0) { if (errno == EINTR) continue; int e = errno; close(fd); return -e; }
        done += (size_t)w;
    }
    void *m = mmap((void *)start, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
    int e = errno;
    close(fd);
    return m == MAP_FAILED ? -e : 0;
}

void bh_exit_now(int status) { _exit(status); }

int bh_claim_exit(void) {
    int32_t me = (int32_t)syscall(SYS_gettid);
    int32_t cur = 0;
    if (__atomic_compare_exchange_n(&bh_rt.exit_claimed, &cur, me, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return 2;
    return cur == me ? 1 : 0;
}

void bh_park_forever(void) {
    static int32_t never = 0;
    for (;;) syscall(SYS_futex, &never, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

int bh_heap_lock(void) {
    int r = pthread_mutex_lock(&bh_rt.ctrl->heap_lock);
    if (r == EOWNERDEAD) { pthread_mutex_consistent(&bh_rt.ctrl->heap_lock); r = 0; }
    return r;
}

void bh_heap_unlock(void) { pthread_mutex_unlock(&bh_rt.ctrl->heap_lock); }

/* ---- the program descriptor, copied out of the image (its memory may be protected later) -------------- */

static const char *dup_str(const char *s) { return strdup(s ? s : "?"); }

const bh_program_desc *bh_program_copy(const bh_program_desc *p) {
    bh_program_desc *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    *q = *p;
    q->program = dup_str(p->program);
    int32_t n = p->ncompartments > 0 ? p->ncompartments : 0;
    bh_compartment_desc *cs = calloc((size_t)n + 1, sizeof *cs);
    if (!cs) return NULL;
    for (int32_t k = 0; k < n; k++) {
        cs[k] = p->compartments[k];
        cs[k].name = dup_str(p->compartments[k].name);
        if (p->compartments[k].syscalls) {
            size_t m = 0;
            while (p->compartments[k].syscalls[m]) m++;
            const char **l = calloc(m + 1, sizeof *l);
            if (!l) return NULL;
            for (size_t i = 0; i < m; i++) l[i] = dup_str(p->compartments[k].syscalls[i]);
            cs[k].syscalls = l;
        }
    }
    q->compartments = cs;
    int32_t g = p->ngates > 0 ? p->ngates : 0;
    bh_gate_desc *gs = calloc((size_t)g + 1, sizeof *gs);
    if (!gs) return NULL;
    for (int32_t i = 0; i < g; i++) {
        gs[i] = p->gates[i];
        gs[i].name = dup_str(p->gates[i].name);
        if (p->gates[i].callers) {
            size_t words = ((size_t)n + 31) / 32;
            uint32_t *m = calloc(words, sizeof *m);
            if (!m) return NULL;
            memcpy(m, p->gates[i].callers, words * sizeof *m);
            gs[i].callers = m;
        }
    }
    q->gates = gs;
    return q;
}

/* Peer-thread stacks: compartment k's slot i lies at BH_STACKS_BASE + k * 256 GiB + i * 8 MiB (with a guard
 * page below each), inside the 47-bit user address space for 256 compartments of 1024 slots. */
#define BH_STACKS_BASE ((uintptr_t)0x200000000000ull)
#define BH_STACK_SIZE ((size_t)8 << 20)

int bh_peer_thread_attr(pthread_attr_t *attr, int32_t self, int32_t index) {
    pthread_attr_init(attr);
    if (self < 0 || index < 0 || index > BH_MANAGER_SLOT) return 1;
    uintptr_t at = BH_STACKS_BASE + ((uintptr_t)self << 38) + (uintptr_t)index * BH_STACK_SIZE;
    void *p = mmap((void *)at, BH_STACK_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE | MAP_STACK, -1, 0);
    if (p == MAP_FAILED || (uintptr_t)p != at) {
        if (p != MAP_FAILED) munmap(p, BH_STACK_SIZE);
        return 1;
    }
    mprotect(p, 4096, PROT_NONE);  /* guard page */
    if (pthread_attr_setstack(attr, p, BH_STACK_SIZE) != 0) {
        munmap(p, BH_STACK_SIZE);
        pthread_attr_init(attr);
        return 1;
    }
    return 0;
}

