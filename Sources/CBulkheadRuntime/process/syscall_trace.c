/*
 * syscall_trace.c: what `bulkhead syscalls` records, the system calls each compartment's own code makes.
 *
 * Only a program that `bulkhead syscalls` built records: its generated constructor calls bh_syscall_trace()
 * before the runtime starts, and gives every compartment an empty allowlist. A tree that `bulkhead build`
 * writes never calls it (it does not even declare it), and nothing here reads the environment, so no
 * production program can be switched into recording instead of enforcing.
 *
 * How: each process's filter (seccomp.c) is built as under enforcement, the runtime's own calls allowed,
 * with SCMP_ACT_NOTIFY instead of SCMP_ACT_TRAP for the rest (seccomp user notification). So exactly the
 * calls that the enforced filter of an empty allowlist would deny reach the supervisor, a process of its
 * own, cloned from main here, before any filter exists (it must never be under one: its own calls would
 * wait for itself). It notes (compartment, call) the first time it sees the pair in this run, appends it to
 * the trace file, and lets the call go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE). All processes of the program
 * share one descriptor table (CLONE_FILES), the supervisor's too, so a listener that a compartment's process
 * gets from seccomp_load is already the supervisor's: the process hands over its number in a slot of a
 * shared page and waits until the supervisor has moved it to a high number (out of the program's way).
 *
 * The trace file: a line "run" per start of the program, then "COMPARTMENT SYSCALL" per pair first seen.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_wait.h"
#include "bh_report.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#define BH_TRACE_SLOTS 64          /* listeners being handed over at once */
#define BH_TRACE_MAX_LISTENERS 512 /* live filtered processes at once (restarts add more) */
#define BH_TRACE_NRS 1024          /* syscall numbers recorded (x86_64 has fewer than 512) */

enum { SLOT_FREE, SLOT_CLAIMED, SLOT_HANDED, SLOT_TAKEN };

typedef struct {
    int32_t state;                 /* SLOT_*; futex word */
    int32_t comp;
    int32_t fd;
} bh_trace_slot;

typedef struct {
    int32_t ready;                 /* 0 starting, 1 serving, -1 failed; futex word */
    int32_t efd;                   /* the supervisor's eventfd: a slot was handed over */
    bh_trace_slot slot[BH_TRACE_SLOTS];
} bh_trace_page;

static bh_trace_page *bh_trace;   /* NULL: this program does not record */
static const bh_program_desc *bh_trace_program;
static char bh_trace_path[PATH_MAX];

int bh_syscall_trace_on(void) { return bh_trace != NULL; }

/* A number well above what the program's own descriptors use, below the limit. */
static int high_fd(int fd) {
    struct rlimit r;
    long top = getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY ? (long)r.rlim_cur : 1024;
    if (top > 1024) top = 1024;
    int high = fcntl(fd, F_DUPFD_CLOEXEC, (int)(top * 3 / 4));
    if (high < 0) return fd;
    close(fd);
    return high;
}

static void append(int out, const char *a, const char *b) {
    char line[256];
    size_t n = strlen(a), m = b ? strlen(b) : 0;
    if (n + m + 2 > sizeof line) return;
    memcpy(line, a, n);
    if (b) {
        line[n++] = ' ';
        memcpy(line + n, b, m);
        n += m;
    }
    line[n++] = '\n';
    if (write(out, line, n) != (ssize_t)n) bh_report_fatal("syscall trace: cannot write the trace file");
}

/* One notification: note the pair the first time, let the call go on. */
static void serve(int fd, int32_t comp, int out, uint8_t seen[][BH_TRACE_NRS / 8]) {
    struct seccomp_notif req;
    memset(&req, 0, sizeof req);
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return;   /* the caller was interrupted or died */
    int nr = req.data.nr;
    if (nr >= 0 && nr < BH_TRACE_NRS && !(seen[comp][nr / 8] & (1u << (nr % 8)))) {
        seen[comp][nr / 8] |= (uint8_t)(1u << (nr % 8));
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        char num[16];
        snprintf(num, sizeof num, "%d", nr);
        append(out, bh_trace_program->compartments[comp].name, name ? name : num);
        free(name);
    }
    struct seccomp_notif_resp resp = {.id = req.id, .val = 0, .error = 0, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
    ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);   /* ENOENT: the caller is gone meanwhile */
}

static __attribute__((noreturn)) void supervise(void) {
    prctl(PR_SET_NAME, "bh-syscalls", 0, 0, 0);
    int efd = eventfd(0, EFD_CLOEXEC);
    int out = open(bh_trace_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (efd < 0 || out < 0) {
        __atomic_store_n(&bh_trace->ready, -1, __ATOMIC_RELEASE);
        bh_wake_word(&bh_trace->ready);
        _exit(0);
    }
    efd = high_fd(efd);
    out = high_fd(out);
    append(out, "run", NULL);
    static uint8_t seen[BH_MAX_COMPARTMENTS][BH_TRACE_NRS / 8];
    static struct pollfd fds[1 + BH_TRACE_MAX_LISTENERS];
    static int32_t comp_of[1 + BH_TRACE_MAX_LISTENERS];
    int n = 1;
    fds[0] = (struct pollfd){.fd = efd, .events = POLLIN};
    bh_trace->efd = efd;
    __atomic_store_n(&bh_trace->ready, 1, __ATOMIC_RELEASE);
    bh_wake_word(&bh_trace->ready);
    for (;;) {
        if (poll(fds, (nfds_t)n, -1) < 0) continue;
        for (int i = n - 1; i >= 1; i--) {
            if (fds[i].revents & POLLIN) serve(fds[i].fd, comp_of[i], out, seen);
            else if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {   /* its processes are gone */
                close(fds[i].fd);
                fds[i] = fds[n - 1];
                comp_of[i] = comp_of[n - 1];
                n--;
            }
        }
        if (!(fds[0].revents & POLLIN)) continue;
        uint64_t v;
        if (read(efd, &v, sizeof v) != sizeof v) continue;
        for (int s = 0; s < BH_TRACE_SLOTS; s++) {
            bh_trace_slot *slot = &bh_trace->slot[s];
            if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) != SLOT_HANDED) continue;
            if (n < 1 + BH_TRACE_MAX_LISTENERS && slot->comp >= 0 && slot->comp < BH_MAX_COMPARTMENTS) {
                fds[n] = (struct pollfd){.fd = high_fd(slot->fd), .events = POLLIN};
                comp_of[n++] = slot->comp;
            } else {
                bh_report_fatal("syscall trace: too many filtered processes at once");
                close(slot->fd);
            }
            __atomic_store_n(&slot->state, SLOT_TAKEN, __ATOMIC_RELEASE);
            bh_wake_word(&slot->state);
        }
    }
}

void bh_syscall_trace(const bh_program_desc *program, const char *path) {
    if (bh_trace || !program || !path || strlen(path) >= sizeof bh_trace_path) {
        bh_report_start_failed("bh_syscall_trace: called twice, or without a program or a path", 0);
        bh_exit_now(70);
    }
    strcpy(bh_trace_path, path);
    bh_trace_program = program;
    void *page = mmap(NULL, sizeof(bh_trace_page), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        bh_report_start_failed("syscall trace: cannot map its shared page", errno);
        bh_exit_now(70);
    }
    bh_trace = page;
    pid_t pid = bh_fork_child(getpid(), 1);
    if (pid == 0) supervise();
    if (pid > 0) bh_wait_word(&bh_trace->ready, 0);
    /* the supervisor's eventfd is in this process's table too only if the clone shared it */
    if (pid < 0 || __atomic_load_n(&bh_trace->ready, __ATOMIC_ACQUIRE) != 1 || fcntl(bh_trace->efd, F_GETFD) < 0) {
        bh_report_start_failed("syscall trace: cannot start the supervisor (a process sharing the descriptor "
                               "table, with the trace file open)", pid < 0 ? errno : 0);
        bh_exit_now(70);
    }
}

int bh_syscall_trace_listen(int32_t comp, int fd) {
    if (fd < 0) {
        bh_report_start_failed("syscall trace: the filter has no listener", 0);
        return -1;
    }
    /* only calls the runtime's filter allows from here on (futex, write): any other would wait for this
     * very listener, which the supervisor does not poll yet */
    for (;;) {
        for (int s = 0; s < BH_TRACE_SLOTS; s++) {
            bh_trace_slot *slot = &bh_trace->slot[s];
            if (!bh_cas(&slot->state, SLOT_FREE, SLOT_CLAIMED)) continue;
            slot->comp = comp;
            slot->fd = fd;
            __atomic_store_n(&slot->state, SLOT_HANDED, __ATOMIC_RELEASE);
            uint64_t one = 1;
            if (write(bh_trace->efd, &one, sizeof one) != sizeof one) return -1;
            bh_wait_word(&slot->state, SLOT_HANDED);
            __atomic_store_n(&slot->state, SLOT_FREE, __ATOMIC_RELEASE);
            return 0;
        }
        sched_yield();   /* every slot is being handed over: wait for one */
    }
}
