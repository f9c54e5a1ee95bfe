#include "jumps.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static jmp_buf top;          /* in main's own memory: out of every other compartment's reach */
static jmp_buf never;        /* never set: a jump to it is a fault */
static jmp_buf *cb_target;

extern __typeof__(leaf_work) bh_gate_leaf_work;
static int one_level(int n)
{
    int v = setjmp(top);
    if (v != 0)
        return -v;
    return bh_gate_leaf_work(&top, n);
}

#ifndef BH_SHARED_STACK_HELPERS
#define BH_SHARED_STACK_HELPERS
void *bh_stack_alloc(__SIZE_TYPE__, __SIZE_TYPE__);
void bh_stack_free(void *);
static inline void *__bh_ss_copy(const void *bh_p, __SIZE_TYPE__ bh_n, __SIZE_TYPE__ bh_a)
{
	void *bh_c = bh_stack_alloc(bh_n, bh_a);
	__builtin_memcpy(bh_c, bh_p, bh_n);
	return bh_c;
}
static inline void __bh_ss_release(void *bh_pp)
{
	bh_stack_free(*(void **)bh_pp);
}
#endif
extern __typeof__(mid_work) bh_gate_mid_work;
static int nested(int n)
{
    jmp_buf __bh_priv_jb; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_jb) *__bh_ss_jb = (__typeof__(__bh_priv_jb) *)__bh_ss_copy(&__bh_priv_jb, sizeof __bh_priv_jb, _Alignof(__typeof__(__bh_priv_jb)));              /* its address crosses a gate: it moves to the shared stack */
    volatile int depth = 0;
    int v = setjmp((*__bh_ss_jb));
    if (v != 0)
        return -100 * v - depth;
    depth = 1;
    return bh_gate_mid_work(&(*__bh_ss_jb), n);
}

extern __typeof__(mid_fail) bh_gate_mid_fail;
static int fortified(int n)
{
    jmp_buf __bh_priv_jb; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_jb) *__bh_ss_jb = (__typeof__(__bh_priv_jb) *)__bh_ss_copy(&__bh_priv_jb, sizeof __bh_priv_jb, _Alignof(__typeof__(__bh_priv_jb)));
    int v = setjmp((*__bh_ss_jb));
    if (v != 0)
        return -v;
    return bh_gate_mid_fail(&(*__bh_ss_jb), n);
}

extern __typeof__(leaf_sigwork) bh_gate_leaf_sigwork;
static int sig(int n)
{
    sigjmp_buf __bh_priv_jb; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_jb) *__bh_ss_jb = (__typeof__(__bh_priv_jb) *)__bh_ss_copy(&__bh_priv_jb, sizeof __bh_priv_jb, _Alignof(__typeof__(__bh_priv_jb)));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    int v = sigsetjmp((*__bh_ss_jb), 1);
    if (v != 0) {
        sigset_t now;
        sigprocmask(SIG_BLOCK, NULL, &now);
        return -v * 10 - sigismember(&now, SIGUSR1);   /* the mask as sigsetjmp saved it: unblocked */
    }
    sigprocmask(SIG_BLOCK, &set, NULL);
    int r = bh_gate_leaf_sigwork(&(*__bh_ss_jb), n);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    return r;
}

static int jumping_callback(int i)
{
    if (i == 3)
        longjmp(*cb_target, 42);
    return i;
}

extern __typeof__(leaf_each) bh_gate_leaf_each;
static __typeof__(jumping_callback) bh_cb_jumping_callback;
static int through_callback(int n)
{
    jmp_buf __bh_priv_jb; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_jb) *__bh_ss_jb = (__typeof__(__bh_priv_jb) *)__bh_ss_copy(&__bh_priv_jb, sizeof __bh_priv_jb, _Alignof(__typeof__(__bh_priv_jb)));
    cb_target = &(*__bh_ss_jb);
    int v = setjmp((*__bh_ss_jb));
    if (v != 0)
        return -v;
    return bh_gate_leaf_each(bh_cb_jumping_callback, n);
}

extern __typeof__(leaf_work) bh_gate_leaf_work;
extern __typeof__(mid_work) bh_gate_mid_work;
static void *worker(void *arg)
{
    long id = (long)arg;
    long sum = 0;
    for (int i = 0; i < 300; i++) {
        jmp_buf __bh_priv_jb; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_jb) *__bh_ss_jb = (__typeof__(__bh_priv_jb) *)__bh_ss_copy(&__bh_priv_jb, sizeof __bh_priv_jb, _Alignof(__typeof__(__bh_priv_jb)));
        int v = setjmp((*__bh_ss_jb));
        if (v != 0) {
            sum += v;
            continue;
        }
        int n = (int)((i + id) % 3 == 0 ? -(id + 2) : i);
        sum += (i & 1) ? bh_gate_mid_work(&(*__bh_ss_jb), n) : bh_gate_leaf_work(&(*__bh_ss_jb), n);
    }
    return (void *)sum;
}

extern __typeof__(leaf_forge) bh_gate_leaf_forge;
extern __typeof__(leaf_hijack) bh_gate_leaf_hijack;
extern __typeof__(leaf_work) bh_gate_leaf_work;
extern __typeof__(mid_catch) bh_gate_mid_catch;
int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "bogus") == 0) {
        printf("bogus: %d\n", bh_gate_leaf_work(&never, -7));
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "forged") == 0) {
        printf("forged: %d\n", bh_gate_leaf_forge());
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "hijack") == 0) {
        jmp_buf __bh_priv_jb; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_jb) *__bh_ss_jb = (__typeof__(__bh_priv_jb) *)__bh_ss_copy(&__bh_priv_jb, sizeof __bh_priv_jb, _Alignof(__typeof__(__bh_priv_jb)));
        if (setjmp((*__bh_ss_jb)) != 0) {
            printf("hijacked\n");
            return 0;
        }
        printf("hijack: %d\n", bh_gate_leaf_hijack(&(*__bh_ss_jb)));
        return 0;
    }
    for (int round = 0; round < 3; round++) {
        printf("one level: %d %d %d\n", one_level(5), one_level(-3), one_level(-1));
        printf("nested: %d %d\n", nested(4), nested(-6));
        printf("caught in mid: %d %d\n", bh_gate_mid_catch(7), bh_gate_mid_catch(-8));
        printf("fortified: %d %d\n", fortified(9), fortified(-9));
        printf("siglongjmp: %d %d\n", sig(2), sig(-4));
        printf("callback: %d %d\n", through_callback(3), through_callback(10));
    }
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("thread %d: %ld\n", i, (long)r);
    }
    return 0;
}

/* ---- generated by bulkhead (process backend): gate stubs and trampolines; edits here are discarded ---- */
#if __INCLUDE_LEVEL__ == 0
#include "bulkhead_runtime.h"

/* trampoline: int jumping_callback(int i)
 * defined at app/main.c:58:12; gate 8 into compartment 'main' */
struct bh_frame_8 {
	bh_frame h;
	int ret;
	int a0_i;
};

void bh_entry_8_jumping_callback(bh_frame *bh_h);
void bh_entry_8_jumping_callback(bh_frame *bh_h)
{
	struct bh_frame_8 bh_l;
	if (bh_entry_copy(&bh_l, bh_h, sizeof bh_l))
		return;
	struct bh_frame_8 *bh_f = (struct bh_frame_8 *)bh_h;  /* for the result */
	__typeof__(bh_l.a0_i) bh_a0_i = bh_l.a0_i;
	__typeof__(bh_f->ret) bh_r = jumping_callback(bh_a0_i);
	__builtin_memcpy(&bh_f->ret, &bh_r, sizeof bh_f->ret);
}

static __attribute__((section("bh_gate_text"))) int bh_cb_jumping_callback(int bh_a0_i)
{
	if (bh_self() == 0) {
		return jumping_callback(bh_a0_i);
	}
	struct bh_frame_8 *bh_f = (struct bh_frame_8 *)bh_frame_alloc(8, sizeof *bh_f, _Alignof(struct bh_frame_8));
	__builtin_memcpy(&bh_f->a0_i, &bh_a0_i, sizeof bh_f->a0_i);
	bh_call(8, &bh_f->h);
	if (bh_f->h.status == BH_FAULTED) {
		bh_stack_free(bh_f);
		{ __typeof__(bh_f->ret) bh_zero; __builtin_memset(&bh_zero, 0, sizeof bh_zero); return bh_zero; }
	}
	__typeof__(bh_f->ret) bh_r = bh_f->ret;
	bh_stack_free(bh_f);
	return bh_r;
}

#endif /* __INCLUDE_LEVEL__ == 0 */
