/*
 * processes.c: the program's processes: clone sharing the descriptor table (with PR_SET_PDEATHSIG), the
 * zygote's record of its children and its signals, and ending them (main kills the zygote it forked, the
 * zygote its own children: never a pid read from shared memory).
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

