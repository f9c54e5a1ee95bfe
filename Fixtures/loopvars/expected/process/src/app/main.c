#include <stdio.h>

void sink_keep(long *p);
long sink_step(long by);

#ifndef BH_SHARED_STACK_HELPERS
#define BH_SHARED_STACK_HELPERS
void *bh_stack_alloc(__SIZE_TYPE__, __SIZE_TYPE__);
void bh_stack_free(void *);
static inline void *bh_ss_copy(const void *bh_p, __SIZE_TYPE__ bh_n, __SIZE_TYPE__ bh_a)
{
	void *bh_c = bh_stack_alloc(bh_n, bh_a);
	__builtin_memcpy(bh_c, bh_p, bh_n);
	return bh_c;
}
static inline void bh_ss_release(void *bh_pp)
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
    { __attribute__((cleanup(bh_ss_release))) void *bh_ss_n = 0; for (long bh_priv_n = 1; (bh_ss_n || (bh_ss_n = bh_ss_copy(&bh_priv_n, sizeof bh_priv_n, _Alignof(__typeof__(bh_priv_n))))), (*(__typeof__(bh_priv_n) *)bh_ss_n) < 10; (*(__typeof__(bh_priv_n) *)bh_ss_n)++) {
        bh_gate_sink_keep(&(*(__typeof__(bh_priv_n) *)bh_ss_n));
        bh_gate_sink_step(1);
        rounds++;
    } }/* bh_ss_n */
    printf("braced: %d rounds\n", rounds);

    /* an empty condition and a one-statement body that ends before its own `;` */
    { __attribute__((cleanup(bh_ss_release))) void *bh_ss_n = 0; for (long bh_priv_n = 0; (bh_ss_n || (bh_ss_n = bh_ss_copy(&bh_priv_n, sizeof bh_priv_n, _Alignof(__typeof__(bh_priv_n))))) ; (*(__typeof__(bh_priv_n) *)bh_ss_n)++)
        if (bh_gate_sink_keep(&(*(__typeof__(bh_priv_n) *)bh_ss_n)), bh_gate_sink_step(1) > 6) break; else rounds++; }/* bh_ss_n */
    printf("no condition: %d rounds\n", rounds);

    /* two declarators, only the first one's address handed over */
    { __attribute__((cleanup(bh_ss_release))) void *bh_ss_i = 0; for (long bh_priv_i = 0, limit = 4; (bh_ss_i || (bh_ss_i = bh_ss_copy(&bh_priv_i, sizeof bh_priv_i, _Alignof(__typeof__(bh_priv_i))))), (*(__typeof__(bh_priv_i) *)bh_ss_i) < limit; (*(__typeof__(bh_priv_i) *)bh_ss_i)++)
        bh_gate_sink_keep(&(*(__typeof__(bh_priv_i) *)bh_ss_i)), rounds += (int)bh_gate_sink_step(0); }/* bh_ss_i */
    printf("two declarators: %d rounds\n", rounds);

    /* two loops that end at the same `;` */
    for (long a = 1; a < 3; a++)
        { __attribute__((cleanup(bh_ss_release))) void *bh_ss_b = 0; for (long bh_priv_b = 0; (bh_ss_b || (bh_ss_b = bh_ss_copy(&bh_priv_b, sizeof bh_priv_b, _Alignof(__typeof__(bh_priv_b))))), (*(__typeof__(bh_priv_b) *)bh_ss_b) < a; (*(__typeof__(bh_priv_b) *)bh_ss_b)++)
            bh_gate_sink_keep(&(*(__typeof__(bh_priv_b) *)bh_ss_b)), rounds += (int)(bh_gate_sink_step(0) * 10 + a); }/* bh_ss_b */
    printf("nested: %d rounds\n", rounds);
    return 0;
}
