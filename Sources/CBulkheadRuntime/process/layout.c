/*
 * layout.c: the address space every process inherits: the main() hook (__wrap_main, for programs linked
 * with -Wl,--wrap=main) that notes where the program's frames begin, this process's mappings, the private
 * bands of the compartments, the brk wall, and leaving the first thread's stack.
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
