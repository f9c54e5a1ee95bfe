/*
 * bh_mpk_internal.h: what the files of the mpk runtime (bh_mpk_runtime.c, bh_mpk_heap.c, bh_mpk_unwind.c)
 * share with one another and not with the program.
 */
#ifndef BH_MPK_INTERNAL_H
#define BH_MPK_INTERNAL_H
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bh_mpk.h"

/* the program's compartments (bh_mpk_runtime.c, set at start-up) */
extern const bh_mpk_program *bh_program;

/* the allocator (bh_mpk_heap.c): arena a is 0 (shared) or i + 1 (compartment i) */
#define BH_ARENAS (BH_MPK_MAX_COMPARTMENTS + 1)
#define BH_ARENA_SIZE ((uintptr_t)1 << 34)
uintptr_t bh_arena_start(int a);                 /* arena a's first byte, or 0 before the heap is reserved */
void bh_heap_reserve(void);
void *bh_alloc(int a, size_t n, size_t align);  /* from arena a */
void bh_release(void *p);                       /* a block of any arena */
int bh_compartment_of_code(const void *ra);     /* the compartment whose code holds ra, or -1 */

/* reports (bh_mpk_runtime.c) */
void bh_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));  /* the line, then abort() */
const char *bh_name(int c);                     /* compartment c's name */

#endif
