#include <stdio.h>

void sink_keep(long *p);
long sink_step(long by);

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
extern __typeof__(sink_keep) bh_gate_sink_keep;
extern __typeof__(sink_step) bh_gate_sink_step;
int main(void)
{
    int rounds = 0;
    /* a braced body; the sink steps the loop variable too */
    { __attribute__((cleanup(__bh_ss_release))) void *__bh_ss_n = 0; for (long __bh_priv_n = 1; (__bh_ss_n || (__bh_ss_n = __bh_ss_copy(&__bh_priv_n, sizeof __bh_priv_n, _Alignof(__typeof__(__bh_priv_n))))), (*(__typeof__(__bh_priv_n) *)__bh_ss_n) < 10; (*(__typeof__(__bh_priv_n) *)__bh_ss_n)++) {
        bh_gate_sink_keep(&(*(__typeof__(__bh_priv_n) *)__bh_ss_n));
        bh_gate_sink_step(1);
        rounds++;
    } }/* __bh_ss_n */
    printf("braced: %d rounds\n", rounds);

    /* an empty condition and a one-statement body that ends before its own `;` */
    { __attribute__((cleanup(__bh_ss_release))) void *__bh_ss_n = 0; for (long __bh_priv_n = 0; (__bh_ss_n || (__bh_ss_n = __bh_ss_copy(&__bh_priv_n, sizeof __bh_priv_n, _Alignof(__typeof__(__bh_priv_n))))) ; (*(__typeof__(__bh_priv_n) *)__bh_ss_n)++)
        if (bh_gate_sink_keep(&(*(__typeof__(__bh_priv_n) *)__bh_ss_n)), bh_gate_sink_step(1) > 6) break; else rounds++; }/* __bh_ss_n */
    printf("no condition: %d rounds\n", rounds);

    /* two declarators, only the first one's address handed over */
    { __attribute__((cleanup(__bh_ss_release))) void *__bh_ss_i = 0; for (long __bh_priv_i = 0, limit = 4; (__bh_ss_i || (__bh_ss_i = __bh_ss_copy(&__bh_priv_i, sizeof __bh_priv_i, _Alignof(__typeof__(__bh_priv_i))))), (*(__typeof__(__bh_priv_i) *)__bh_ss_i) < limit; (*(__typeof__(__bh_priv_i) *)__bh_ss_i)++)
        bh_gate_sink_keep(&(*(__typeof__(__bh_priv_i) *)__bh_ss_i)), rounds += (int)bh_gate_sink_step(0); }/* __bh_ss_i */
    printf("two declarators: %d rounds\n", rounds);

    /* two loops that end at the same `;` */
    for (long a = 1; a < 3; a++)
        { __attribute__((cleanup(__bh_ss_release))) void *__bh_ss_b = 0; for (long __bh_priv_b = 0; (__bh_ss_b || (__bh_ss_b = __bh_ss_copy(&__bh_priv_b, sizeof __bh_priv_b, _Alignof(__typeof__(__bh_priv_b))))), (*(__typeof__(__bh_priv_b) *)__bh_ss_b) < a; (*(__typeof__(__bh_priv_b) *)__bh_ss_b)++)
            bh_gate_sink_keep(&(*(__typeof__(__bh_priv_b) *)__bh_ss_b)), rounds += (int)(bh_gate_sink_step(0) * 10 + a); }/* __bh_ss_b */
    printf("nested: %d rounds\n", rounds);
    return 0;
}
