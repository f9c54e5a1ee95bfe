/*
 * channels.c: which channel a thread of this process gets. The channels' records and the count of channels
 * handed out lie in the shared region, which every compartment can write; so what a process decides with
 * lies in its private memory: the channels its threads gave back (a free list per process: only its own
 * threads take them again), and how many channels it knows exist (it took them, or its manager started their
 * peer threads). A count that went back below that (a compartment rewrote it: the next thread would be
 * given a channel in use, and two threads would make their calls on one channel) is skipped, reported.
 */
#include "bh_internal_runtime.h"
#include "bh_report.h"

#include <pthread.h>

static pthread_mutex_t bh_chan_mutex = PTHREAD_MUTEX_INITIALIZER;
static int32_t bh_free_first = -1;                 /* this process's free list, linked by bh_free_next */
static int32_t bh_free_next[BH_MAX_CHANNELS];
static int32_t bh_chan_known;                      /* channels [0, known) exist: never handed out again */

void bh_channels_seen(int32_t n) {
    int32_t k = __atomic_load_n(&bh_chan_known, __ATOMIC_RELAXED);
    while (n > k && !__atomic_compare_exchange_n(&bh_chan_known, &k, n, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {}
}

int32_t bh_channel_take(int *fresh) {
    pthread_mutex_lock(&bh_chan_mutex);
    int32_t i = bh_free_first;
    if (i >= 0) bh_free_first = bh_free_next[i];
    pthread_mutex_unlock(&bh_chan_mutex);
    *fresh = i < 0;
    if (i >= 0) return i;
    int32_t *count = &bh_rt.ctrl->nchannels;
    for (int tries = 0; tries < 64; tries++) {
        i = __atomic_fetch_add(count, 1, __ATOMIC_SEQ_CST);
        int32_t known = __atomic_load_n(&bh_chan_known, __ATOMIC_SEQ_CST);
        if (i >= known || i >= BH_MAX_CHANNELS) {
            bh_channels_seen(i + 1);
            return i;
        }
        bh_rb b = {.len = 0};
        bh_rb_str(&b, "bulkhead: compartment ");
        bh_rb_comp(&b, bh_rt.self_index);
        bh_rb_str(&b, ": the shared count of channels went back (to ");
        bh_rb_dec(&b, i);
        bh_rb_str(&b, ", ");
        bh_rb_dec(&b, known);
        bh_rb_str(&b, " exist): skipped");
        bh_rb_emit(&b);
        int32_t next = i + 1;   /* forward again, past what this process knows */
        __atomic_compare_exchange_n(count, &next, known, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
    }
    return BH_MAX_CHANNELS;   /* reported as too many threads */
}

void bh_channel_give_back(int32_t i) {
    if (i < 0 || i >= BH_MAX_CHANNELS) return;
    pthread_mutex_lock(&bh_chan_mutex);
    bh_free_next[i] = bh_free_first;
    bh_free_first = i;
    pthread_mutex_unlock(&bh_chan_mutex);
}
