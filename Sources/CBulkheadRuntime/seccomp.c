/*
 * seccomp.c: the per-compartment system call filter (libseccomp). Default action SCMP_ACT_TRAP, so that a
 * denied call raises SIGSYS with the call's number (reported by name by the fault handler); allowed: the
 * compartment's list plus bh_runtime_syscalls below. Loaded with SCMP_FLTATR_CTL_TSYNC, so it covers every
 * thread of the process, those that exist and (by inheritance) those created later.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_report.h"
#include "syscall_trace.h"

#include <dlfcn.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <string.h>

/* The system calls the runtime itself needs in every filtered process, whatever the compartment lists:
 *   futex                                   the gates (channel owner words), the shared heap's lock
 *   exit, exit_group, restart_syscall,      ending threads and processes; restarted sleeps;
 *   rt_sigreturn, rt_sigprocmask,           return from the fault handlers; signal masks (pthread_create,
 *   rt_sigaction,                           abort); glibc's first pthread_create installs its SIGCANCEL
 *   sigaltstack, tgkill, gettid, getpid     handler; each thread's alternate signal stack; abort()/raise()
 *   mmap, munmap, mprotect, madvise, brk    malloc, thread stacks, alternate signal stacks
 *   clone, clone3, set_robust_list, rseq,   pthread_create (peer threads, the manager) and the threads
 *   sched_getaffinity, sched_yield          it starts; malloc's arena sizing; the channel lock's backoff
 *   clock_gettime, nanosleep,               timed waits
 *   clock_nanosleep
 *   write, writev                           reports, flushing stdio at gate crossings, glibc's messages
 *   fstat, newfstatat                       stdio's first output (it asks what fd 1/2 are)
 *   getrandom                               malloc's and the stack protector's randomness
 *   prctl, close                            thread names/settings; closing what glibc opened
 *   ioctl(fd, TCGETS) only                  isatty(): stdio's first output on a terminal, and the Swift
 *                                           runtime's own start-up (it asks whether stderr is a terminal)
 * and in the default compartment's process (main) only:
 *   kill, wait4                             main's exit: killing and reaping the other processes
 */
static const char *const bh_runtime_syscalls[] = {
    "futex", "exit", "exit_group", "restart_syscall", "rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "sigaltstack",
    "tgkill", "gettid", "getpid", "mmap", "munmap", "mprotect", "madvise", "brk", "clone", "clone3",
    "set_robust_list", "rseq", "sched_getaffinity", "sched_yield", "clock_gettime", "nanosleep",
    "clock_nanosleep", "write", "writev", "fstat", "newfstatat", "getrandom", "prctl", "close", NULL,
};
static const char *const bh_main_syscalls[] = {"kill", "wait4", NULL};

#define BH_SYSCALL_NAMES 512
#define BH_SYSCALL_NAME_LEN 28
static char bh_syscall_names[BH_SYSCALL_NAMES][BH_SYSCALL_NAME_LEN];
static int bh_syscall_names_ready;

void bh_seccomp_prepare(void) {
    if (bh_syscall_names_ready) return;
    /* glibc loads its unwinder (libgcc_s) on a thread's first pthread_exit or cancellation, by opening the
     * file: under a filter that open is denied. The program links libgcc statically (a shorter start-up),
     * so nothing else loads it; with a filter to come, load it now. */
    dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NODELETE);
    for (int nr = 0; nr < BH_SYSCALL_NAMES; nr++) {
        char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        if (n) {
            strncpy(bh_syscall_names[nr], n, BH_SYSCALL_NAME_LEN - 1);
            free(n);
        }
    }
    bh_syscall_names_ready = 1;
}

const char *bh_syscall_name(long nr) {
    if (nr >= 0 && nr < BH_SYSCALL_NAMES && bh_syscall_names[nr][0]) return bh_syscall_names[nr];
    return "?";
}

static int allow(scmp_filter_ctx ctx, const char *name, int32_t comp, int quiet) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) {
        if (!quiet) {
            bh_rb b = {.len = 0};
            bh_rb_str(&b, "bulkhead: compartment ");
            bh_rb_comp(&b, comp);
            bh_rb_str(&b, ": unknown system call '");
            bh_rb_str(&b, name);
            bh_rb_str(&b, "' in its allowlist (ignored)");
            bh_rb_emit(&b);
        }
        return 0;
    }
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

int bh_seccomp_install(int32_t comp) {
    const char *const *list = bh_rt.program->compartments[comp].syscalls;
    if (!list) return 0;
    /* built by `bulkhead syscalls`: what the filter would deny goes to its supervisor instead (syscall_trace.c) */
    scmp_filter_ctx ctx = seccomp_init(bh_syscall_trace_on() ? SCMP_ACT_NOTIFY : SCMP_ACT_TRAP);
    if (!ctx) {
        bh_report_start_failed("seccomp_init failed", 0);
        return -1;
    }
    int rc = 0;
    for (const char *const *n = bh_runtime_syscalls; *n && rc == 0; n++) rc = allow(ctx, *n, comp, 1);
    for (const char *const *n = bh_main_syscalls; comp == 0 && *n && rc == 0; n++) rc = allow(ctx, *n, comp, 1);
    if (rc == 0) {
        struct scmp_arg_cmp tcgets = {.arg = 1, .op = SCMP_CMP_EQ, .datum_a = TCGETS, .datum_b = 0};
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, tcgets);
    }
    for (const char *const *n = list; *n && rc == 0; n++) rc = allow(ctx, *n, comp, 0);
    if (rc == 0) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc == 0) rc = seccomp_load(ctx);
    if (rc == 0 && bh_syscall_trace_on() && bh_syscall_trace_listen(comp, seccomp_notify_fd(ctx)) != 0) rc = -EIO;
    seccomp_release(ctx);
    if (rc != 0) {
        bh_report_start_failed("cannot load the seccomp filter", -rc);
        return -1;
    }
    return 0;
}
