/*
 * seccomp.c: the per-compartment system call filters (libseccomp). Two filters, stacked (the kernel runs
 * both and the stricter answer wins):
 *   - the baseline filter, in the process of every compartment other than the default one, unless the
 *     compartment says `syscalls: unrestricted`: everything is allowed except what reaches beyond the
 *     compartment's own process (bh_baseline_denied, bh_seccomp_baseline);
 *   - the allowlist, where the compartment has a `syscalls:` list: its list plus bh_runtime_syscalls below.
 * Denials are SCMP_ACT_TRAP, so that a denied call raises SIGSYS with the call's number (reported by name by
 * the fault handler); clone3 alone fails with ENOSYS, so that the C library falls back to clone, which the
 * baseline checks. Loaded with SCMP_FLTATR_CTL_TSYNC, so they cover every thread of the process, those that
 * exist and (by inheritance) those created later.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_report.h"
#include "syscall_trace.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <termios.h>
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

/* The baseline's calls by number, for reports where the whole table was not prepared (no allowlist). */
#define BH_BASELINE_NAMES 40
static struct { int nr; const char *name; } bh_baseline_names[BH_BASELINE_NAMES];

const char *bh_syscall_name(long nr) {
    if (nr >= 0 && nr < BH_SYSCALL_NAMES && bh_syscall_names[nr][0]) return bh_syscall_names[nr];
    for (int i = 0; i < BH_BASELINE_NAMES && bh_baseline_names[i].name; i++)
        if (bh_baseline_names[i].nr == nr) return bh_baseline_names[i].name;
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

/* What the baseline filter refuses outright: the kernel's ways into another process's memory (ptrace,
 * process_vm_readv/writev, kcmp, pidfd_getfd, process_madvise), new processes and programs (fork, vfork,
 * execve, execveat; clone and clone3 below), other processes by pidfd (pidfd_open, pidfd_send_signal) and by
 * thread id alone (tkill: any thread of the machine), namespaces (setns, unshare), io_uring (its operations
 * are not seen by seccomp) and the kernel's keyrings (shared by the session). */
static const char *const bh_baseline_denied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise", "process_mrelease",
    "fork", "vfork", "execve", "execveat", "pidfd_open", "pidfd_send_signal", "tkill", "setns", "unshare",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key", NULL,
};

/* Argument `arg`, an int to the kernel, equals `value`: only its low 32 bits are compared. */
#define BH_INT_EQ(arg, value) SCMP_CMP((arg), SCMP_CMP_MASKED_EQ, 0xffffffffULL, (uint32_t)(value))

static int bh_baseline_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
                            const struct scmp_arg_cmp *cmp) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return 0;   /* not on this kernel's architecture */
    for (int i = 0; i < BH_BASELINE_NAMES; i++) {
        if (bh_baseline_names[i].name && bh_baseline_names[i].nr != nr) continue;
        bh_baseline_names[i].nr = nr;
        bh_baseline_names[i].name = name;
        break;
    }
    return seccomp_rule_add_array(ctx, action, nr, n, cmp);
}

/* The baseline filter of this process (its pid is in the rules: built and loaded in the process itself).
 * Besides bh_baseline_denied, with argument checks: signals only to this process (kill, tgkill,
 * rt_sigqueueinfo, rt_tgsigqueueinfo: the target is this pid), clone only for threads (CLONE_THREAD),
 * clone3 not at all (ENOSYS: the C library falls back to clone), prctl neither making the process dumpable
 * again nor clearing its parent-death signal (it would outlive the program) nor naming a tracer, resource
 * limits only of this process (prlimit64 with pid 0), descriptors owned (SIGIO) only by this process
 * (fcntl F_SETOWN; not F_SETOWN_EX, ioctl FIOSETOWN, SIOCSPGRP), no TIOCSTI (typing into the terminal), and
 * neither the terminal's foreground group nor a session or group of its own (TIOCSPGRP, TIOCSCTTY, setpgid,
 * setsid). The kernel reads the option of prctl and the command of fcntl and ioctl as 32-bit ints, so those
 * are compared on their low 32 bits (BH_INT_EQ): a value with high bits set would pass a 64-bit equality
 * (libseccomp's SCMP_A*_32 only truncates the datum; the comparison stays 64-bit). */
static int bh_seccomp_baseline(void) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) return -1;
    int rc = 0;
    for (const char *const *n = bh_baseline_denied; *n && rc == 0; n++) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, *n, 0, NULL);
    scmp_datum_t self = (scmp_datum_t)getpid();
    static const char *const signals[] = {"kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", NULL};
    for (const char *const *n = signals; *n && rc == 0; n++)
        rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, *n, 1, &SCMP_A0(SCMP_CMP_NE, self));
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "clone", 1, &SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
    if (rc == 0) {
        struct scmp_arg_cmp dumpable[] = {BH_INT_EQ(0, PR_SET_DUMPABLE), SCMP_A1(SCMP_CMP_NE, 0)};
        rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "prctl", 2, dumpable);
    }
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "prctl", 1, &BH_INT_EQ(0, PR_SET_PDEATHSIG));
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "prctl", 1, &BH_INT_EQ(0, PR_SET_PTRACER));
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "prlimit64", 1, &SCMP_A0(SCMP_CMP_NE, 0));
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "ioctl", 1, &BH_INT_EQ(1, TIOCSTI));
    /* a descriptor's owner receives SIGIO (F_SETSIG: any signal) when it is ready: only this process, and
     * not through the forms whose pid is behind a pointer */
    if (rc == 0) {
        struct scmp_arg_cmp owner[] = {BH_INT_EQ(1, F_SETOWN), SCMP_A2(SCMP_CMP_NE, self)};
        rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "fcntl", 2, owner);
    }
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "fcntl", 1, &BH_INT_EQ(1, F_SETOWN_EX));
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "ioctl", 1, &BH_INT_EQ(1, FIOSETOWN));
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "ioctl", 1, &BH_INT_EQ(1, SIOCSPGRP));
    /* the terminal's foreground group and controlling terminal stay the program's: a compartment that made
     * itself the foreground group would stop main at its next terminal read and take its ^C */
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "ioctl", 1, &BH_INT_EQ(1, TIOCSPGRP));
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "ioctl", 1, &BH_INT_EQ(1, TIOCSCTTY));
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "setpgid", 0, NULL);
    if (rc == 0) rc = bh_baseline_rule(ctx, SCMP_ACT_TRAP, "setsid", 0, NULL);
    if (rc == 0) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    if (rc == 0) rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) bh_report_start_failed("cannot load the baseline seccomp filter", -rc);
    return rc == 0 ? 0 : -1;
}

int bh_seccomp_install(int32_t comp) {
    const bh_compartment_desc *desc = &bh_rt.program->compartments[comp];
    if (desc->unrestricted) return 0;
    if (comp != 0 && bh_seccomp_baseline() != 0) return -1;
    const char *const *list = desc->syscalls;
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
