#ifndef JUMPS_H
#define JUMPS_H
#include <setjmp.h>

/* leaf: jumps to *jb with -n when n < 0 (0 for n == -1: longjmp delivers 1) */
int leaf_work(jmp_buf *jb, int n);
/* leaf: the same with siglongjmp */
int leaf_sigwork(sigjmp_buf *jb, int n);
/* leaf: calls cb(i) for i in [0, n), sums the results */
int leaf_each(int (*cb)(int), int n);
/* leaf: jumps to a jmp_buf of its own that no setjmp wrote */
int leaf_forge(void);
/* leaf: rewrites *jb to resume elsewhere in its setter's code, then jumps to it */
int leaf_hijack(jmp_buf *jb);
/* mid: calls leaf_work (nested gates: a jump from leaf to main leaves both calls) */
int mid_work(jmp_buf *jb, int n);
/* mid: catches leaf's jump itself, returns 1000 + the value */
int mid_catch(int n);
/* mid: jumps to *jb itself (__longjmp_chk: mid is built with _FORTIFY_SOURCE) */
int mid_fail(jmp_buf *jb, int n);
#endif
