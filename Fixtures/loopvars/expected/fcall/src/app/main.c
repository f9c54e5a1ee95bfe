#include <stdio.h>

void sink_keep(long *p);
long sink_step(long by);

extern __typeof__(sink_keep) bh_gate_sink_keep;
extern __typeof__(sink_step) bh_gate_sink_step;
int main(void)
{
    int rounds = 0;
    /* a braced body; the sink steps the loop variable too */
    for (long n = 1; n < 10; n++) {
        bh_gate_sink_keep(&n);
        bh_gate_sink_step(1);
        rounds++;
    }
    printf("braced: %d rounds\n", rounds);

    /* an empty condition and a one-statement body that ends before its own `;` */
    for (long n = 0; ; n++)
        if (bh_gate_sink_keep(&n), bh_gate_sink_step(1) > 6) break; else rounds++;
    printf("no condition: %d rounds\n", rounds);

    /* two declarators, only the first one's address handed over */
    for (long i = 0, limit = 4; i < limit; i++)
        bh_gate_sink_keep(&i), rounds += (int)bh_gate_sink_step(0);
    printf("two declarators: %d rounds\n", rounds);

    /* two loops that end at the same `;` */
    for (long a = 1; a < 3; a++)
        for (long b = 0; b < a; b++)
            bh_gate_sink_keep(&b), rounds += (int)(bh_gate_sink_step(0) * 10 + a);
    printf("nested: %d rounds\n", rounds);
    return 0;
}
