/*
 * bh_mpk_runtime.c: the runtime of the mpk backend (protection keys, one process), copied into every mpk
 * tree as bh/bh_mpk_runtime.c with bh_mpk_heap.c (the malloc family) and bh_mpk_unwind.c (longjmp across
 * gates), and compiled with the program. Together they
 *   - refuses to start where the CPU or kernel has no protection keys;
 *   - allocates key i + 1 to compartment i and tags its data and bss (bh/bulkhead.ld's sections) and its
 *     heap with that key; key 0 stays the shared key;
 *   - is the program's malloc family: one arena per compartment plus the shared arena, chosen by the code
 *     that calls (its return address: code in a compartment's text allocates from that compartment's
 *     arena, anything else, the C library included, from the shared one); free and realloc by address;
 *   - reports a protection-key fault (SEGV_PKUERR) with the compartment running, the compartment whose
 *     memory was touched and the gate entered last, then aborts;
 *   - runs the program's signal handlers (sigaction and signal are wrapped at link time) with the rights
 *     of the compartment whose code they are, as the kernel resets PKRU on delivery;
 *   - before main(), after every constructor, installs a seccomp filter that denies what would undo the
 *     keys, and enters the default compartment.
 * docs/architecture.md ("The mpk backend") gives the reasons.
 */
#include "bh_mpk_internal.h"

__thread int bh_mpk_current;
__thread int bh_mpk_gate = -1;

const bh_mpk_program *bh_program;

void bh_die(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 1) n = (int)sizeof line - 1;
    if (n > 0 && write(2, line, (size_t)n) < 0) { /* nothing more to do */ }
    abort();
}

/* ---- private stacks (`gate: private`) ------------------------------------------------------------------ */

/* A thread's stack for compartment k: 8 MiB of the upper half of k's arena (so it carries k's key), handed
 * out by a bump counter on key 0, so that a caller finds the callee's stack without the callee's rights (the
 * gate moves to that stack before it writes PKRU: no memory is touched in between). bh_mpk_sp[k] is where
 * k's frames continue when k is entered again while active on this thread (a gate leaving k records its
 * stack pointer there). A thread that runs on a private stack gets an alternate signal stack on key 0: the
 * kernel resets PKRU on delivery, and a handler on k's stack could not push. */
#define BH_MPK_STACK_SIZE ((uintptr_t)8 << 20)
__thread uintptr_t bh_mpk_sp[BH_MPK_MAX_COMPARTMENTS];
static __thread uintptr_t bh_mpk_stacks[BH_MPK_MAX_COMPARTMENTS];
static __thread int bh_mpk_altstack;
static uintptr_t bh_mpk_stack_next[BH_MPK_MAX_COMPARTMENTS];

uintptr_t bh_mpk_stack_top(int k)
{
    if (bh_mpk_sp[k]) return bh_mpk_sp[k];
    if (!bh_mpk_stacks[k]) {
        if (!bh_mpk_altstack) {
            stack_t ss = { .ss_sp = bh_alloc(0, 65536, 4096), .ss_size = 65536, .ss_flags = 0 };
            if (!ss.ss_sp || sigaltstack(&ss, 0) != 0) bh_die("bulkhead: cannot give a thread its signal stack\n");
            bh_mpk_altstack = 1;
        }
        uintptr_t n = __atomic_fetch_add(&bh_mpk_stack_next[k], 1, __ATOMIC_RELAXED);
        if ((n + 1) * BH_MPK_STACK_SIZE > BH_ARENA_SIZE / 2) bh_die("bulkhead: too many threads in compartment %d\n", k);
        bh_mpk_stacks[k] = bh_arena_start(k + 1) + BH_ARENA_SIZE / 2 + n * BH_MPK_STACK_SIZE;
        /* its lowest page is a guard: an overflow faults instead of running into the stack below */
        if (mprotect((void *)bh_mpk_stacks[k], 4096, PROT_NONE) != 0) bh_die("bulkhead: cannot guard a private stack: %s\n", strerror(errno));
    }
    return bh_mpk_stacks[k] + BH_MPK_STACK_SIZE;
}

/* ---- faults and signals ---------------------------------------------------------------------------- */

typedef struct { void (*handler)(int, siginfo_t *, void *); int installer; } bh_handler;
static bh_handler bh_handlers[_NSIG];

int __real_sigaction(int sig, const struct sigaction *act, struct sigaction *old);

const char *bh_name(int c)
{
    return c >= 0 && bh_program && c < bh_program->ncompartments ? bh_program->compartments[c].name : "(the runtime)";
}

void bh_mpk_refused(int gate, uint32_t pkru)
{
    int caller = -1;
    for (int i = 0; bh_program && i < bh_program->ncompartments; i++)
        if (BH_MPK_PKRU(i) == pkru) caller = i;
    bh_die("bulkhead: %s: compartment '%s' entered gate '%s', which the plan does not let it call (only the compartments that call it by name may); aborting\n",
           bh_program ? bh_program->program : "?", bh_name(caller),
           bh_program && gate >= 0 && gate < bh_program->ngates ? bh_program->gate_names[gate] : "?");
}

static void bh_report_key_fault(siginfo_t *si)
{
    int owner = (int)si->si_pkey - 1, gate = bh_mpk_gate;
    const char *gname = gate >= 0 && bh_program && gate < bh_program->ngates ? bh_program->gate_names[gate] : "(none: main)";
    bh_die("bulkhead: %s: compartment '%s' touched memory of compartment '%s' (protection key %u) at %p, inside gate '%s'; aborting (on_fault: abort)\n",
           bh_program ? bh_program->program : "?", bh_name(bh_mpk_current), owner >= 0 ? bh_name(owner) : "(shared)",
           (unsigned)si->si_pkey, si->si_addr, gname);
}

static void bh_on_signal(int sig, siginfo_t *si, void *uc)
{
#ifdef SEGV_PKUERR
    if (sig == SIGSEGV && si && si->si_code == SEGV_PKUERR) bh_report_key_fault(si);
#else
    if (sig == SIGSEGV && si && si->si_code == 4) bh_report_key_fault(si);
#endif
    bh_handler h = bh_handlers[sig];
    if (!h.handler) {
        /* no handler of the program's: the default action, on return the fault repeats */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        __real_sigaction(sig, &dfl, 0);
        if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE) raise(sig);
        return;
    }
    /* the rights of the compartment whose code the handler is (else of the one that installed it); the
     * kernel restores the interrupted rights from the signal frame on return */
    int c = bh_compartment_of_code((const void *)h.handler);
    if (c < 0) c = h.installer;
    int prev = bh_mpk_current;
    bh_mpk_current = c;
    bh_mpk_restore(BH_MPK_PKRU(c < 0 ? 0 : c));
    h.handler(sig, si, uc);
    bh_mpk_current = prev;
}

static int bh_install(int sig, void (*handler)(int, siginfo_t *, void *), int installer, const struct sigaction *act,
                      struct sigaction *old)
{
    struct sigaction mine = *act;
    bh_handler previous = bh_handlers[sig];
    bh_handlers[sig].handler = handler;
    bh_handlers[sig].installer = installer;
    mine.sa_sigaction = bh_on_signal;
    mine.sa_flags |= SA_SIGINFO | SA_ONSTACK;
    int r = __real_sigaction(sig, &mine, old);
    if (old && old->sa_sigaction == bh_on_signal) {
        old->sa_flags = act->sa_flags;
        old->sa_sigaction = previous.handler;
        if (!previous.handler) old->sa_handler = SIG_DFL;
    }
    return r;
}

int __wrap_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig <= 0 || sig >= _NSIG || !act) return __real_sigaction(sig, act, old);
    int installer = bh_compartment_of_code(__builtin_return_address(0));
    if (act->sa_handler == SIG_IGN || (act->sa_handler == SIG_DFL && sig != SIGSEGV)) {
        bh_handlers[sig].handler = 0;
        return __real_sigaction(sig, act, old);
    }
    if (act->sa_handler == SIG_DFL) {   /* SIGSEGV keeps the runtime's handler for key faults */
        bh_handlers[sig].handler = 0;
        struct sigaction mine = *act;
        mine.sa_sigaction = bh_on_signal;
        mine.sa_flags |= SA_SIGINFO;
        return __real_sigaction(sig, &mine, old);
    }
    if (act->sa_flags & SA_SIGINFO) return bh_install(sig, act->sa_sigaction, installer, act, old);
    /* a plain handler takes one argument; called with three, the others are ignored (the x86-64 ABI) */
    return bh_install(sig, (void (*)(int, siginfo_t *, void *))(void *)act->sa_handler, installer, act, old);
}

sighandler_t __wrap_signal(int sig, sighandler_t handler)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART;
    sigemptyset(&act.sa_mask);
    if (sig <= 0 || sig >= _NSIG) { errno = EINVAL; return SIG_ERR; }
    int installer = bh_compartment_of_code(__builtin_return_address(0));
    bh_handler previous = bh_handlers[sig];
    int r;
    if (handler == SIG_IGN || handler == SIG_DFL) {
        bh_handlers[sig].handler = 0;
        r = __real_sigaction(sig, &act, &old);
    } else {
        r = bh_install(sig, (void (*)(int, siginfo_t *, void *))(void *)handler, installer, &act, &old);
    }
    if (r != 0) return SIG_ERR;
    if (old.sa_sigaction == bh_on_signal) return previous.handler ? (sighandler_t)(void *)previous.handler : SIG_DFL;
    return old.sa_handler;
}

/* ---- threads ------------------------------------------------------------------------------------------ */

/* A new thread inherits its creator's PKRU from the kernel; it inherits its compartment and gate here too
 * (for the fault reports), through a record on the shared heap. */
typedef struct { void *(*fn)(void *); void *arg; int compartment, gate; } bh_thread_start;

int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);

static void *bh_run_thread(void *p)
{
    bh_thread_start s = *(bh_thread_start *)p;
    bh_release(p);
    bh_mpk_current = s.compartment;
    bh_mpk_gate = s.gate;
    return s.fn(s.arg);
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    bh_thread_start *s = bh_alloc(0, sizeof *s, 16);
    if (!s) return EAGAIN;
    s->fn = fn;
    s->arg = arg;
    s->compartment = bh_mpk_current;
    s->gate = bh_mpk_gate;
    int r = __real_pthread_create(t, attr, bh_run_thread, s);
    if (r != 0) bh_release(s);
    return r;
}

/* ---- start-up: tagging ------------------------------------------------------------------------------- */

static void bh_tag(const bh_mpk_region *r, int key, const char *what, const char *name)
{
    if (r->end <= r->start) return;
    if (syscall(SYS_pkey_mprotect, r->start, r->end - r->start, PROT_READ | PROT_WRITE, key) != 0)
        bh_die("bulkhead: cannot give the %s of compartment '%s' its protection key %d: %s\n", what, name, key, strerror(errno));
}

/* ---- exit: handlers and destructors with their compartment's rights ------------------------------- */

typedef struct { void (*fn)(void *); void (*on_exit)(int, void *); void *arg; int compartment; } bh_exit_handler;

int __real___cxa_atexit(void (*fn)(void *), void *arg, void *dso);
int __real_on_exit(void (*fn)(int, void *), void *arg);

static void bh_run_exit_handler(int status, void *p)
{
    bh_exit_handler *h = p;
    uint32_t saved = bh_mpk_rdpkru();
    int prev = bh_mpk_current;
    bh_mpk_current = h->compartment;
    bh_mpk_restore(BH_MPK_PKRU(h->compartment));
    if (h->fn) h->fn(h->arg); else h->on_exit(status, h->arg);
    bh_mpk_restore(saved);
    bh_mpk_current = prev;
}

static void bh_run_atexit_handler(void *p) { bh_run_exit_handler(0, p); }

/* A handler that is code of a compartment runs with that compartment's rights, whoever registered it. */
static bh_exit_handler *bh_exit_record(void (*fn)(void *), void (*on_exit)(int, void *), void *arg)
{
    int c = bh_compartment_of_code(fn ? (const void *)fn : (const void *)on_exit);
    if (c < 0) return 0;
    bh_exit_handler *h = bh_alloc(0, sizeof *h, 16);
    if (!h) return 0;
    h->fn = fn;
    h->on_exit = on_exit;
    h->arg = arg;
    h->compartment = c;
    return h;
}

int __wrap___cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
    bh_exit_handler *h = bh_exit_record(fn, 0, arg);
    return h ? __real___cxa_atexit(bh_run_atexit_handler, h, dso) : __real___cxa_atexit(fn, arg, dso);
}

int __wrap_on_exit(void (*fn)(int, void *), void *arg)
{
    bh_exit_handler *h = bh_exit_record(0, fn, arg);
    return h ? __real_on_exit(bh_run_exit_handler, h) : __real_on_exit(fn, arg);
}

/* The compartments' destructors (their .fini_array, which bh/bulkhead.ld moves out of the program's), run
 * at exit, each with its compartment's rights, compartments in reverse order as the linker would have
 * placed them; registered before every constructor of the program, so they run after its exit handlers. */
static void bh_run_destructors(void *unused)
{
    (void)unused;
    const bh_mpk_program *p = bh_program;
    uint32_t saved = bh_mpk_rdpkru();
    int prev = bh_mpk_current;
    for (int i = p->ncompartments - 1; i >= 0; i--) {
        const bh_mpk_region *f = &p->compartments[i].fini;
        bh_mpk_current = i;
        bh_mpk_restore(BH_MPK_PKRU(i));
        for (uintptr_t e = f->end; e > f->start; e -= sizeof(void *)) {
            void (*d)(void) = *(void (**)(void))(e - sizeof(void *));
            if (d && (uintptr_t)d != (uintptr_t)-1) d();
        }
    }
    bh_mpk_restore(saved);
    bh_mpk_current = prev;
}

/* ---- the shared libraries' own WRPKRU ----------------------------------------------------------- */

/* The build scans the executable; the shared libraries it loads are not its code, and glibc's pkey_set
 * has a WRPKRU: a jump there with EAX = 0 would grant every right. Before isolation, every WRPKRU in a
 * loaded library's executable segments is overwritten with UD2 (0F 0B); the runtime never calls pkey_set.
 * The patch works on raw bytes, as the scan does: an occurrence inside another instruction (an immediate)
 * would change it; Debian 12's libc has one, pkey_set's own. XRSTOR is left alone: the dynamic loader's
 * lazy-binding resolver executes it (libraries bind lazily even when the program is linked -z now), so
 * that gadget stays (docs/architecture.md, "The mpk backend"). System calls are made inline: libc's own
 * mprotect may lie on the page being written. */
static long bh_raw_syscall3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static int bh_patched;

static int bh_is_hit(const unsigned char *p, size_t left)
{
    return left >= 3 && p[0] == 0x0f && p[1] == 0x01 && p[2] == 0xef;   /* WRPKRU */
}

static int bh_patch_object(struct dl_phdr_info *info, size_t size, void *unused)
{
    (void)size; (void)unused;
    if (!info->dlpi_name || !info->dlpi_name[0] || strstr(info->dlpi_name, "linux-vdso")) return 0;   /* the executable, scanned when built */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X)) continue;
        unsigned char *start = (unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        size_t len = ph->p_memsz;
        for (size_t k = 0; k < len; k++) {
            if (!bh_is_hit(start + k, len - k)) continue;
            uintptr_t page = (uintptr_t)(start + k) & ~(uintptr_t)4095;
            size_t span = ((uintptr_t)(start + k) + 2 - page + 4095) & ~(size_t)4095;
            if (bh_raw_syscall3(SYS_mprotect, (long)page, (long)span, PROT_READ | PROT_WRITE) != 0)
                bh_die("bulkhead: cannot remove a WRPKRU from %s\n", info->dlpi_name);
            start[k] = 0x0f;
            start[k + 1] = 0x0b;
            bh_raw_syscall3(SYS_mprotect, (long)page, (long)span, PROT_READ | PROT_EXEC);
            bh_patched++;
        }
    }
    return 0;
}

/* ---- start-up ---------------------------------------------------------------------------------------- */

void bh_mpk_start(const bh_mpk_program *program)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(c & (1u << 3))) {
        fprintf(stderr, "%s: this CPU has no protection keys (pku); build with backend: process\n", program->program);
        exit(1);
    }
    long key = syscall(SYS_pkey_alloc, 0, 0);
    if (!(c & (1u << 4)) || (key < 0 && (errno == ENOSYS || errno == EINVAL))) {
        fprintf(stderr, "%s: this kernel does not enable protection keys (ospke); build with backend: process\n", program->program);
        exit(1);
    }
    if (program->ncompartments > BH_MPK_MAX_COMPARTMENTS)
        bh_die("bulkhead: %d compartments, and protection keys give at most %d\n", program->ncompartments, BH_MPK_MAX_COMPARTMENTS);
    bh_heap_reserve();
    bh_tag(&program->shared, 0, "shared globals", "(shared)");
    for (int i = 0; i < program->ncompartments; i++) {
        if (i > 0) key = syscall(SYS_pkey_alloc, 0, 0);
        if (key != i + 1)
            bh_die("bulkhead: compartment '%s' needs protection key %d, and the kernel gave %ld (%s)\n",
                   program->compartments[i].name, i + 1, key, key < 0 ? strerror(errno) : "another key");
        const bh_mpk_compartment *c = &program->compartments[i];
        bh_tag(&c->data, i + 1, "data", c->name);
        bh_tag(&c->bss, i + 1, "bss", c->name);
        if (c->rodata.end > c->rodata.start
            && syscall(SYS_pkey_mprotect, c->rodata.start, c->rodata.end - c->rodata.start, PROT_READ, i + 1) != 0)
            bh_die("bulkhead: cannot give the read-only data of compartment '%s' its protection key: %s\n", c->name, strerror(errno));
        bh_mpk_region heap = { bh_arena_start(i + 1), bh_arena_start(i + 1) + BH_ARENA_SIZE };
        bh_tag(&heap, i + 1, "heap", c->name);
    }
    dl_iterate_phdr(bh_patch_object, 0);
    bh_program = program;
    __real___cxa_atexit(bh_run_destructors, 0, 0);
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_sigaction = bh_on_signal;
    act.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
    sigemptyset(&act.sa_mask);
    __real_sigaction(SIGSEGV, &act, 0);
}

/* What would undo the keys: allocating, freeing or re-tagging keys, and making memory executable (new code
 * could write PKRU). x32 system calls are refused too. */
static void bh_mpk_filter(void)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 11, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pkey_alloc, 10, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pkey_free, 9, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pkey_mprotect, 8, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_writev, 7, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_process_vm_readv, 6, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 5, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 2),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    };
    struct sock_fprog prog = { (unsigned short)(sizeof f / sizeof f[0]), f };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        bh_die("bulkhead: cannot install the mpk system-call filter: %s\n", strerror(errno));
}

int __real_main(int argc, char **argv, char **envp);

/* After the constructors (which run with every right: before isolation), main runs in the default
 * compartment. */
int __wrap_main(int argc, char **argv, char **envp)
{
    bh_mpk_filter();
    bh_mpk_current = 0;
    bh_mpk_restore(BH_MPK_PKRU(0));
    return __real_main(argc, argv, envp);
}
