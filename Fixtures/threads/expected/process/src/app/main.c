#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 8
#define CALLS 10000

uint64_t counter_mix(uint32_t thread, uint32_t i, uint64_t acc);

static uint64_t local_mix(uint32_t thread, uint32_t i, uint64_t acc)
{
    uint64_t x = acc ^ ((uint64_t)thread << 32 | i);
    x *= 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
}

struct job { uint32_t id; uint64_t acc; int wrong; };

extern __typeof__(counter_mix) bh_gate_counter_mix;
static void *run(void *arg)
{
    struct job *j = arg;
    for (uint32_t i = 0; i < CALLS; i++) {
        uint64_t expected = local_mix(j->id, i, j->acc);
        j->acc = bh_gate_counter_mix(j->id, i, j->acc);
        if (j->acc != expected) j->wrong++;
    }
    return 0;
}

int main(void)
{
    pthread_t t[THREADS];
    struct job jobs[THREADS];
    for (uint32_t k = 0; k < THREADS; k++) {
        jobs[k] = (struct job){ k, k, 0 };
        pthread_create(&t[k], 0, run, &jobs[k]);
    }
    uint64_t total = 0;
    int wrong = 0;
    for (int k = 0; k < THREADS; k++) {
        pthread_join(t[k], 0);
        total ^= jobs[k].acc;
        wrong += jobs[k].wrong;
        printf("thread %d: checksum %016llx\n", k, (unsigned long long)jobs[k].acc);
    }
    printf("%d calls, %d wrong, total %016llx\n", THREADS * CALLS, wrong, (unsigned long long)total);
    return wrong != 0;
}
