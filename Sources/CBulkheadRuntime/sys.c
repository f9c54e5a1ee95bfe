/*
 * sys.c: the runtime's system-level C helpers: process-local and thread-local state, the futex wait slow
 * path, the shared region (memfd + mmap before any fork), fork with PR_SET_PDEATHSIG, signal setup of the
 * zygote, termination requests (async-signal-safe), the shared heap's robust process-shared lock, the
 * main() hook (__wrap_main, for programs linked with -Wl,--wrap=main), and a private copy of the program
 * descriptor.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"

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
static struct timespec bh_deadline_in(long ns) {
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

/* ---- processes and signals ------------------------------------------------------------------------- */

/* Every process of the program shares one file-descriptor table, as the unpartitioned program has one: a
 * descriptor opened in any compartment after start-up is usable in all. So the zygote and the compartment
 * processes are made by clone(CLONE_FILES) rather than fork(). The raw clone does what glibc's fork does for
 * a single-threaded caller: the kernel writes the child's thread id into glibc's thread descriptor (at the
 * address the kernel already holds for it: PR_GET_TID_ADDRESS), and the child registers the same robust
 * mutex list. Only a single-threaded caller clones (no lock can be held by a thread that does not exist in
 * the child); the zygote always is, and main is when main() is entered. Otherwise, or where the kernel
 * cannot say the address, this is fork(), and each process has a copy of the table made at start-up.
 * A quiet child (the zygote, main's only child) sends no signal when it ends: to wait(2) without __WALL it
 * is not a child at all, so a program's own wait(NULL) or SIGCHLD handler never meets it. */
static pid_t clone_sharing_files(int quiet) {
    int *tidp = NULL;
    if (!__libc_single_threaded) return fork();
    if (prctl(PR_GET_TID_ADDRESS, &tidp, 0, 0, 0) != 0 || tidp == NULL || *tidp != (int)syscall(SYS_gettid))
        return fork();
    void *head = NULL;
    size_t len = 0;
    long hr = syscall(SYS_get_robust_list, 0, &head, &len);
    unsigned long flags = CLONE_FILES | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | (quiet ? 0 : SIGCHLD);
    long pid = syscall(SYS_clone, flags, NULL, NULL, tidp, 0UL);
    if (pid == 0 && hr == 0 && head) syscall(SYS_set_robust_list, head, len);
    return (pid_t)pid;
}

pid_t bh_fork_child(pid_t expected_parent, int quiet) {
    pid_t pid = clone_sharing_files(quiet);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != expected_parent) _exit(0);   /* the parent died before prctl */
    }
    return pid;
}

static void bh_on_sigchld(int sig) { (void)sig; }

/* The zygote's own record of the compartment processes it made. The pids in the shared control block are
 * for reports only: any compartment can write them, and main must never kill a pid a compartment chose. */
static pid_t bh_zygote_children[BH_MAX_COMPARTMENTS];

void bh_zygote_note_child(int32_t k, pid_t pid) {
    if (k > 0 && k < BH_MAX_COMPARTMENTS) __atomic_store_n(&bh_zygote_children[k], pid, __ATOMIC_RELEASE);
}

int32_t bh_zygote_child_index(pid_t pid) {
    for (int32_t k = 1; k < BH_MAX_COMPARTMENTS; k++)
        if (pid > 0 && __atomic_load_n(&bh_zygote_children[k], __ATOMIC_ACQUIRE) == pid) return k;
    return -1;
}

/* In the zygote (SIGTERM from main's exit, or a fault of the zygote): its compartment processes, by its
 * own record. Async-signal-safe. */
static void bh_kill_children(void) {
    for (int32_t k = 1; k < BH_MAX_COMPARTMENTS; k++) {
        pid_t pid = __atomic_load_n(&bh_zygote_children[k], __ATOMIC_ACQUIRE);
        if (pid > 0) kill(pid, SIGKILL);
    }
}

static void bh_on_sigterm(int sig) {
    (void)sig;
    int e = errno;
    bh_kill_children();
    errno = e;
}

void bh_zygote_signals(void) {
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = bh_on_sigchld;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = bh_on_sigterm;   /* main's exit: the compartments go, reaped here as they die */
    sigaction(SIGTERM, &sa, NULL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    sigprocmask(SIG_BLOCK, &s, NULL);
}

void bh_zygote_suspend(void) {
    sigset_t s;
    sigprocmask(SIG_SETMASK, NULL, &s);
    sigdelset(&s, SIGCHLD);
    sigsuspend(&s);
}

void bh_child_signals(void) {
    signal(SIGCHLD, SIG_DFL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int bh_register_atfork_child(void (*fn)(void)) { return pthread_atfork(NULL, NULL, fn); }

/* Linked with -Wl,--wrap=main, crt1's call of main reaches __wrap_main, and __real_main is the program's
 * main; without it, __real_main stays an undefined weak symbol (NULL) and __wrap_main is never called. */
extern int __real_main(int, char **, char **) __attribute__((weak));

int bh_main_is_wrapped(void) { return __real_main != NULL; }

/* The top of the part of the first thread's stack that holds the program's frames: the page boundary below
 * __wrap_main's own frame. Above it lie the C library's start-up frames, and argv, the environment and the
 * auxiliary vector, which every process keeps reading (getenv, program_invocation_name). 0: main() was not
 * wrapped. */
static uintptr_t bh_frames_top;

int __wrap_main(int argc, char **argv, char **envp) {
    uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
    bh_frames_top = frame & ~(uintptr_t)4095;
    /* main's frames start below that boundary: the rest of this page is left unused */
    char *gap = __builtin_alloca(frame - bh_frames_top + 256);
    __asm__ volatile("" : : "r"(gap) : "memory");
    bh_launch();
    return __real_main(argc, argv, envp);
}

int bh_wstatus_signal(int st) { return WIFSIGNALED(st) ? WTERMSIG(st) : 0; }
int bh_wstatus_code(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : -1; }

/* main knows only the zygote's pid (its own child, privately) and the zygote only its children's: neither
 * kills a pid read from shared memory. A process whose parent dies gets SIGKILL (PR_SET_PDEATHSIG). */
void bh_kill_all(void) {
    if (bh_rt.is_zygote) bh_kill_children();
    else if (bh_rt.zygote_pid > 0) kill(bh_rt.zygote_pid, SIGKILL);
}

/* main's orderly exit: the compartment processes first, reaped by the zygote (no zombies left behind
 * where init does not reap), then the zygote, reaped here. Bounded: 200 ms for the zygote to reap. */
void bh_shutdown_processes(void) {
    bh_ctrl *c = bh_rt.ctrl;
    pid_t zygote = bh_rt.zygote_pid;
    if (!c || zygote <= 0) return;
    __atomic_store_n(&c->shutdown, 1, __ATOMIC_SEQ_CST);
    kill(zygote, SIGTERM);   /* the zygote kills the compartment processes it made */
    /* the zygote reaps them and clears each one's alive word (waking it): wait on each still alive, up to
     * 200 ms in all in case the zygote itself is gone */
    struct timespec deadline = bh_deadline_in(200 * 1000 * 1000);
    int timed_out = 0;
    for (int k = 1; k < c->ncompartments && k < BH_MAX_COMPARTMENTS && !timed_out; k++)
        while (!timed_out && __atomic_load_n(&c->comp[k].alive, __ATOMIC_ACQUIRE))
            timed_out = bh_futex_wait(&c->comp[k].alive, 1, FUTEX_BITSET_MATCH_ANY, &deadline) == -1 && errno == ETIMEDOUT;
    kill(zygote, SIGKILL);
    int st;
    while (waitpid(zygote, &st, __WALL) < 0 && errno == EINTR) {}
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

/* ---- private mapping bands ---------------------------------------------------------------------------- */

bh_map bh_maps[BH_MAX_MAPS];

int bh_read_maps(void) {
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    static char buf[1 << 16];
    size_t have = 0;
    int n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
        if (r <= 0) break;
        have += (size_t)r;
        buf[have] = 0;
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n'))) {
            *nl = 0;
            char *end;
            unsigned long lo = strtoul(line, &end, 16);
            unsigned long hi = *end == '-' ? strtoul(end + 1, NULL, 16) : 0;
            char perms[5] = "";
            int path = 0;
            sscanf(line, "%*x-%*x %4s %*x %*s %*u %n", perms, &path);
            const char *name = path > 0 ? line + path : "";
            if (hi > lo && n < BH_MAX_MAPS)
                bh_maps[n++] = (bh_map){lo, hi, strcmp(name, "[stack]") == 0, strcmp(name, "[heap]") == 0, name[0] == 0,
                                        (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0),
                                        perms[3] == 's'};
            line = nl + 1;
        }
        have = strlen(line);          /* a partial line: keep it for the next read */
        memmove(buf, line, have);
        if (have == sizeof buf - 1) have = 0;
    }
    close(fd);
    return n;
}

/* The bands go at the top of the highest gap below the stack that holds all of them; every smaller gap
 * above it (between libraries, the shared region...) is filled with PROT_NONE, inherited by every process,
 * so that no process can map anything there at an address another process also uses. */
static void bh_bands_prepare(int n) {
    if (n < 2) return;
    int stack = 0;
    while (stack < n && !bh_maps[stack].is_stack) stack++;   /* the gap below it is the stack's to grow into */
    uintptr_t need = ((uintptr_t)bh_rt.program->ncompartments + 1) * BH_BAND;
    int top = -1;
    for (int i = stack - 1; i >= 1 && top < 0; i--)
        if (bh_maps[i].lo - bh_maps[i - 1].hi >= need) top = i;
    if (top < 0) return;
    for (int j = top; j + 1 < stack; j++) {
        uintptr_t lo = bh_maps[j].hi, hi = bh_maps[j + 1].lo;
        if (hi > lo) mmap((void *)lo, hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    }
    bh_rt.band_top = bh_maps[top].lo;   /* private: every process inherits it at its fork */
}

void bh_bands_reserve(int32_t self) {
    uintptr_t top = bh_rt.band_top;
    uintptr_t size = (uintptr_t)self * BH_BAND;
    if (top == 0 || self <= 0 || size >= top) return;
    void *p = mmap((void *)(top - size), size, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != MAP_FAILED && (uintptr_t)p != top - size) munmap(p, size);   /* a kernel without NOREPLACE */
}

int32_t bh_band_owner(uintptr_t addr) {
    uintptr_t top = bh_rt.band_top;
    const bh_program_desc *p = bh_rt.program;
    if (top == 0 || !p || addr >= top) return -1;
    uintptr_t k = (top - 1 - addr) / BH_BAND;
    return k < (uintptr_t)p->ncompartments ? (int32_t)k : -1;
}

void bh_brk_wall(void) {
    malloc_trim(0);   /* what is free at the top of the brk heap goes back, so that new blocks come from mmap */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t end = ((uintptr_t)sbrk(0) + page - 1) & ~(page - 1);
    size_t size = 16 * page;
    void *p = mmap((void *)end, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != MAP_FAILED && (uintptr_t)p != end) munmap(p, size);
    /* Blocks freed before the start are still in malloc's bins (and this thread's cache) at the same
     * addresses in every process: take them all, largest first, and keep them, so that every later block
     * comes from this process's own mappings. It ends at the first block from outside the brk heap for each
     * size; what it keeps was free anyway (about as much as the program freed before main). */
    uintptr_t brk_end = (uintptr_t)sbrk(0);
    /* from 64 KiB down: a request at the mmap threshold (128 KiB) would be mapped, and freeing it would
     * raise the threshold for the rest of the program */
    for (size_t want = (size_t)1 << 16; want >= 16; want = want > 1040 ? want / 2 : want - 16) {
        for (int i = 0; i < 1 << 16; i++) {
            void *b = malloc(want);
            if (!b) break;
            if ((uintptr_t)b >= brk_end) {
                free(b);
                break;
            }
        }
    }
}

/* ---- the first thread's stack ------------------------------------------------------------------------- */

static void bh_find_initial_stack(int n) {
    for (int i = 0; i < n; i++) {
        if (!bh_maps[i].is_stack) continue;
        if (bh_frames_top > bh_maps[i].lo && bh_frames_top <= bh_maps[i].hi) {
            bh_rt.initial_stack_lo = bh_maps[i].lo;
            bh_rt.initial_stack_hi = bh_frames_top;
        }
        return;
    }
}

void bh_note_layout(void) {
    int n = bh_read_maps();
    bh_find_initial_stack(n);
    bh_bands_prepare(n);
}

static pthread_t bh_first_thread;
static void *(*bh_manager_fn)(void *);

static void *bh_manager_trampoline(void *arg) {
    pthread_join(bh_first_thread, NULL);
    bh_forget_range(bh_rt.initial_stack_lo, bh_rt.initial_stack_hi);   /* gone, not just protected */
    return bh_manager_fn(arg);
}

void bh_leave_initial_stack(int32_t self, void *(*manager)(void *), void *arg) {
    if (bh_rt.initial_stack_hi <= bh_rt.initial_stack_lo) return;
    pthread_attr_t attr;
    if (bh_peer_thread_attr(&attr, self, BH_MANAGER_SLOT) != 0) { pthread_attr_destroy(&attr); return; }
    bh_first_thread = pthread_self();
    bh_manager_fn = manager;
    pthread_t t;
    int r = pthread_create(&t, &attr, bh_manager_trampoline, arg);
    pthread_attr_destroy(&attr);
    if (r != 0) return;
    pthread_detach(t);
    /* not pthread_exit: it unwinds the thread, and glibc opens and loads libgcc_s for that (which the
     * program links statically), in every process at every start, and a syscall allowlist denies the open.
     * The kernel still clears the thread's id word on exit (set_tid_address), which pthread_join waits on. */
    syscall(SYS_exit, 0);
    __builtin_unreachable();
}
