/*
 * faults.c: the fault handlers (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS), on a per-thread
 * sigaltstack. Async-signal-safe: the report is built in a stack buffer and written with write(2); dladdr
 * (to find the object holding the target of an ungated call) is the one call outside that list, accepted for
 * the report; a function of the executable is named from its symbol table, mapped before the processes start.
 *
 * Report forms (one line on fd 2):
 *   bulkhead: compartment 'C' faulted while serving gate 'G': SIGSEGV at 0xADDR
 *   bulkhead: compartment 'C' faulted (no gate): SIGFPE at 0xADDR
 *   bulkhead: compartment 'C' faulted while serving gate 'G': denied system call 'openat' (257)
 *   bulkhead: ungated call into compartment 'X': function F (from compartment 'C', serving gate 'G')
 *   bulkhead: compartment 'C' touched the memory of compartment 'X' at 0xADDR (serving gate 'G')
 * with "; restarting" appended when the compartment restarts.
 *
 * Policy: compartment 0 (main) kills the other processes and _exits with 128 + signal. A compartment
 * process with on_fault = restart marks itself and _exits (the zygote, on reaping it, fails its pending
 * frames and forks a fresh process); with on_fault = abort it asks main to end the program with
 * 128 + signal, wakes every channel, and _exits.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_report.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

static const int bh_fault_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS};

void *bh_altstack_install(void) {
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) return NULL;
    void *mem = mmap(NULL, BH_ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return NULL;
    stack_t ss = {.ss_sp = mem, .ss_size = BH_ALTSTACK_SIZE, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) {
        munmap(mem, BH_ALTSTACK_SIZE);
        return NULL;
    }
    return mem;
}

void bh_altstack_release(void *mem) {
    if (!mem) return;
    stack_t ss = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
    sigaltstack(&ss, NULL);
    munmap(mem, BH_ALTSTACK_SIZE);
}

static int in_region(bh_region r, uintptr_t a) { return r.start < r.end && a >= r.start && a < r.end; }

/* The compartment other than self whose region holds addr; *is_text says whether it is the text. */
static int32_t owner_of(uintptr_t addr, int *is_text) {
    const bh_program_desc *p = bh_rt.program;
    if (!p) return -1;
    if (bh_rt.self_index != 0 && addr >= bh_rt.initial_stack_lo && addr < bh_rt.initial_stack_hi) {
        *is_text = 0;
        return 0;   /* main's first thread's stack, whose copy here is unreachable */
    }
    for (int32_t k = 0; k < p->ncompartments; k++) {
        if (k == bh_rt.self_index) continue;
        const bh_compartment_desc *c = &p->compartments[k];
        if (in_region(c->text, addr)) { *is_text = 1; return k; }
        if (in_region(c->rodata, addr) || in_region(c->data, addr) || in_region(c->bss, addr)) {
            *is_text = 0;
            return k;
        }
    }
    int32_t band = bh_band_owner(addr);   /* another compartment's thread stacks, mmap'd heap */
    if (band >= 0 && band != bh_rt.self_index) {
        *is_text = 0;
        return band;
    }
    return -1;
}

/* The dynamic symbol table of the object holding addr: symbols, names, and how many (from DT_HASH or
 * DT_GNU_HASH). Lets a report prefer a function's name over a section bound at the same address
 * (__start_bh_text_1). */
static const char *func_at(uintptr_t addr, const struct link_map *lm) {
    const ElfW(Sym) *symtab = NULL;
    const char *strtab = NULL;
    const uint32_t *gnu = NULL;
    const ElfW(Word) *hash = NULL;
    for (const ElfW(Dyn) *d = lm->l_ld; d && d->d_tag != DT_NULL; d++) {
        uintptr_t v = d->d_un.d_ptr;
        if (v < lm->l_addr) v += lm->l_addr;   /* where the loader left it unrelocated */
        if (d->d_tag == DT_SYMTAB) symtab = (const void *)v;
        else if (d->d_tag == DT_STRTAB) strtab = (const void *)v;
        else if (d->d_tag == DT_GNU_HASH) gnu = (const void *)v;
        else if (d->d_tag == DT_HASH) hash = (const void *)v;
    }
    if (!symtab || !strtab) return NULL;
    size_t n = 0;
    if (hash) {
        n = hash[1];
    } else if (gnu) {
        uint32_t nbuckets = gnu[0], symoffset = gnu[1], bloom_size = gnu[2];
        const uint32_t *buckets = (const uint32_t *)((const ElfW(Addr) *)(gnu + 4) + bloom_size);
        const uint32_t *chain = buckets + nbuckets;
        uint32_t last = 0;
        for (uint32_t i = 0; i < nbuckets; i++) if (buckets[i] > last) last = buckets[i];
        if (last >= symoffset) {
            while (!(chain[last - symoffset] & 1)) last++;
            n = (size_t)last + 1;
        } else {
            n = symoffset;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const ElfW(Sym) *s = &symtab[i];
        if (ELF64_ST_TYPE(s->st_info) == STT_FUNC && s->st_shndx != SHN_UNDEF && s->st_value + lm->l_addr == addr)
            return strtab + s->st_name;
    }
    return NULL;
}

/* The executable's own symbol table (.symtab and its string table), mapped read-only before the processes
 * start, so that a report can name any function of the program, static ones too, without exporting every
 * symbol into the dynamic table (-rdynamic) and without a system call in the handler, where a compartment's
 * syscall allowlist may forbid opening files. Only those two sections are mapped: the file's data sections
 * stay out of reach of compartments that cannot open it. */
static const ElfW(Sym) *bh_exe_syms;
static size_t bh_exe_nsyms;
static const char *bh_exe_strs;
static size_t bh_exe_strsz;

static const void *bh_map_section(int fd, const ElfW(Shdr) *sh, off_t file_size) {
    if (sh->sh_offset > (ElfW(Off))file_size || sh->sh_size > (ElfW(Xword))file_size - sh->sh_offset) return NULL;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    off_t start = (off_t)(sh->sh_offset & ~(ElfW(Off))(pg - 1));
    size_t len = (size_t)(sh->sh_offset - (ElfW(Off))start) + sh->sh_size;
    char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, start);
    return m == MAP_FAILED ? NULL : m + (sh->sh_offset - (ElfW(Off))start);
}

void bh_function_names_prepare(void) {
    if (bh_exe_syms) return;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    ElfW(Ehdr) eh;
    if (fstat(fd, &st) != 0 || pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0
        || eh.e_shentsize != sizeof(ElfW(Shdr)) || eh.e_shnum == 0 || eh.e_shnum > 4096) {
        close(fd);
        return;
    }
    ElfW(Shdr) sh[eh.e_shnum];
    size_t bytes = sizeof sh;
    if (pread(fd, sh, bytes, (off_t)eh.e_shoff) != (ssize_t)bytes) { close(fd); return; }
    for (int i = 0; i < eh.e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh.e_shnum || sh[i].sh_entsize != sizeof(ElfW(Sym))) continue;
        const ElfW(Sym) *syms = bh_map_section(fd, &sh[i], st.st_size);
        const char *strs = bh_map_section(fd, &sh[sh[i].sh_link], st.st_size);
        if (syms && strs) {
            bh_exe_strs = strs;
            bh_exe_strsz = sh[sh[i].sh_link].sh_size;
            bh_exe_nsyms = sh[i].sh_size / sizeof(ElfW(Sym));
            bh_exe_syms = syms;
        }
        break;
    }
    close(fd);
}

/* The function of the executable (from its .symtab) at offset `off` from its load address, into the report;
 * 0 if none holds it. */
static int rb_exe_function(bh_rb *b, uintptr_t off) {
    const ElfW(Sym) *best = NULL;
    for (size_t i = 0; i < bh_exe_nsyms; i++) {
        const ElfW(Sym) *s = &bh_exe_syms[i];
        if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_shndx == SHN_UNDEF || s->st_name >= bh_exe_strsz) continue;
        if (off == s->st_value) { best = s; break; }
        if (off > s->st_value && off - s->st_value < s->st_size) best = s;
    }
    if (!best) return 0;
    const char *name = bh_exe_strs + best->st_name;
    bh_rb_str(b, name);
    if (off != best->st_value) {
        bh_rb_str(b, "+");
        bh_rb_hex(b, off - best->st_value);
    }
    return 1;
}

static void rb_function(bh_rb *b, uintptr_t addr) {
    Dl_info info;
    struct link_map *lm = NULL;
    if (!dladdr1((void *)addr, &info, (void **)&lm, RTLD_DL_LINKMAP)) {
        bh_rb_str(b, "?");
        return;
    }
    if (lm && lm->l_name && lm->l_name[0] == '\0' && rb_exe_function(b, addr - lm->l_addr)) return;   /* the executable */
    const char *exact = lm ? func_at(addr, lm) : NULL;
    if (exact) {
        bh_rb_str(b, exact);
    } else if (info.dli_sname) {
        bh_rb_str(b, info.dli_sname);
        if ((uintptr_t)info.dli_saddr != addr) {
            bh_rb_str(b, "+");
            bh_rb_hex(b, addr - (uintptr_t)info.dli_saddr);
        }
    } else {
        bh_rb_str(b, "?");   /* a stripped executable: the offset, for addr2line on the unstripped one */
        if (lm) {
            bh_rb_str(b, "+");
            bh_rb_hex(b, addr - lm->l_addr);
        }
    }
}

static void rb_serving(bh_rb *b, int32_t gate, int with_comp) {
    bh_rb_str(b, " (");
    if (with_comp) {
        bh_rb_str(b, "from compartment ");
        bh_rb_comp(b, bh_rt.self_index);
        bh_rb_str(b, ", ");
    }
    if (gate >= 0) {
        bh_rb_str(b, "serving gate ");
        bh_rb_gate(b, gate);
    } else {
        bh_rb_str(b, "no gate");
    }
    bh_rb_str(b, ")");
}

static void bh_fault_handler(int sig, siginfo_t *si, void *uctx) {
    (void)uctx;
    int saved_errno = errno;
    if (bh_rt.pid && getpid() != bh_rt.pid) {
        /* a process the program forked: not a compartment; die as it would have without the runtime */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    bh_rb b = {.len = 0};
    int32_t self = bh_rt.self_index;
    bh_frame *f = bh_tls_serving;
    int32_t gate = f ? f->gate : -1;
    uintptr_t addr = (uintptr_t)si->si_addr;
    int is_text = 0;
    int32_t other = (sig == SIGSEGV || sig == SIGBUS) ? owner_of(addr, &is_text) : -1;
    int32_t pair = -1;   /* the pairs' memory (pairs.c) */
    if ((sig == SIGSEGV || sig == SIGBUS) && bh_rt.pair_base && addr >= (uintptr_t)bh_rt.pair_base &&
        (addr - (uintptr_t)bh_rt.pair_base) / BH_PAIR_SPAN < (uintptr_t)bh_rt.npairs)
        pair = (int32_t)((addr - (uintptr_t)bh_rt.pair_base) / BH_PAIR_SPAN);

    if (other >= 0 && is_text) {
        bh_rb_str(&b, "bulkhead: ungated call into compartment ");
        bh_rb_comp(&b, other);
        bh_rb_str(&b, ": function ");
        rb_function(&b, addr);
        rb_serving(&b, gate, 1);
    } else if (pair >= 0) {
        bh_rb_str(&b, "bulkhead: compartment ");
        bh_rb_comp(&b, self);
        bh_rb_str(&b, " touched the memory that compartments ");
        bh_rb_comp(&b, bh_rt.pair_a[pair]);
        bh_rb_str(&b, " and ");
        bh_rb_comp(&b, bh_rt.pair_b[pair]);
        bh_rb_str(&b, " share for their calls, at ");
        bh_rb_hex(&b, addr);
        rb_serving(&b, gate, 0);
    } else if (other >= 0) {
        bh_rb_str(&b, "bulkhead: compartment ");
        bh_rb_comp(&b, self);
        bh_rb_str(&b, " touched the memory of compartment ");
        bh_rb_comp(&b, other);
        bh_rb_str(&b, " at ");
        bh_rb_hex(&b, addr);
        rb_serving(&b, gate, 0);
    } else {
        bh_rb_str(&b, "bulkhead: compartment ");
        bh_rb_comp(&b, self);
        if (gate >= 0) {
            bh_rb_str(&b, " faulted while serving gate ");
            bh_rb_gate(&b, gate);
            bh_rb_str(&b, ": ");
        } else {
            bh_rb_str(&b, " faulted (no gate): ");
        }
        if (sig == SIGSYS) {
            bh_rb_str(&b, "denied system call '");
            bh_rb_str(&b, bh_syscall_name(si->si_syscall));
            bh_rb_str(&b, "' (");
            bh_rb_dec(&b, si->si_syscall);
            bh_rb_str(&b, ")");
        } else if (sig == SIGABRT) {
            bh_rb_str(&b, "SIGABRT (abort)");
        } else {
            bh_rb_str(&b, "SIG");
            bh_rb_str(&b, sigabbrev_np(sig));
            bh_rb_str(&b, " at ");
            bh_rb_hex(&b, addr);
        }
    }

    const bh_program_desc *p = bh_rt.program;
    /* a restart only for a process that finished its setup (else it would fault again at once) */
    int restart = self > 0 && p && bh_rt.ctrl && p->compartments[self].on_fault == BH_ON_FAULT_RESTART &&
                  __atomic_load_n(&bh_rt.ctrl->comp[self].started, __ATOMIC_ACQUIRE);
    if (restart) bh_rb_str(&b, "; restarting");
    bh_rb_emit(&b);

    if (self == 0 || !bh_rt.ctrl) {
        if (bh_rt.multi) bh_kill_all();
        _exit(128 + sig);
    }
    if (restart) {
        __atomic_store_n(&bh_rt.ctrl->comp[self].fault_reported, 1, __ATOMIC_RELEASE);
        _exit(128 + sig);
    }
    bh_request_termination(BH_TERM_FATAL, 128 + sig);
    errno = saved_errno;
    _exit(128 + sig);
}

/* Puts the handlers back if something replaced them after bh_runtime_start (a later constructor: the Swift
 * runtime's backtracer, when it finds swift-backtrace, installs its own). Called when a thread takes its
 * channel, which in main is after the constructors. */
void bh_fault_handlers_check(void) {
    struct sigaction cur;
    for (size_t i = 0; i < sizeof bh_fault_signals / sizeof bh_fault_signals[0]; i++) {
        if (sigaction(bh_fault_signals[i], NULL, &cur) == 0 && cur.sa_sigaction != bh_fault_handler) {
            bh_install_fault_handlers();
            return;
        }
    }
}

int bh_install_fault_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = bh_fault_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof bh_fault_signals / sizeof bh_fault_signals[0]; i++)
        sigaddset(&sa.sa_mask, bh_fault_signals[i]);
    for (size_t i = 0; i < sizeof bh_fault_signals / sizeof bh_fault_signals[0]; i++)
        if (sigaction(bh_fault_signals[i], &sa, NULL) != 0) return -errno;
    return 0;
}
