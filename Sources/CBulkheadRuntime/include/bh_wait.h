/*
 * bh_wait.h: the runtime's atomics and shared futexes, and the hand-over of a channel between the threads of
 * two compartments with its wait (the fast path of every gate: inline here, the slow path in sys.c).
 */
#ifndef BH_WAIT_H
#define BH_WAIT_H

#include "bh_internal_runtime.h"

/* ---- atomics and futexes (shared futexes: no FUTEX_PRIVATE_FLAG, the words live in a MAP_SHARED memfd) */

static inline int32_t bh_load(const int32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void bh_store(int32_t *p, int32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline int32_t bh_fetch_add(int32_t *p, int32_t v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }
static inline int bh_cas(int32_t *p, int32_t expected, int32_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
static inline void bh_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Between two polls of a word that should change within a few hundred nanoseconds: one load at a time
 * (lfence), without the pause instruction's long delay (23 ns on the test machine, which would round every
 * hand-over up to the next pause). */
static inline void bh_poll_fence(void) {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("lfence" ::: "memory");
#else
    bh_pause();
#endif
}

/* Sleeps while *p == val, for wakes whose bitset meets `bits`; abs_deadline (CLOCK_MONOTONIC) or NULL. */
static inline long bh_futex_wait(int32_t *p, int32_t val, uint32_t bits, const struct timespec *abs_deadline) {
    return syscall(SYS_futex, p, FUTEX_WAIT_BITSET, val, abs_deadline, NULL, bits);
}
static inline long bh_futex_wake(int32_t *p, int32_t n, uint32_t bits) {
    return syscall(SYS_futex, p, FUTEX_WAKE_BITSET, n, NULL, NULL, bits);
}
static inline uint32_t bh_bit(int32_t compartment) { return 1u << ((uint32_t)compartment & 31u); }

/* Hands the channel to compartment `to`: the release of everything written to the frame, then a wake of
 * the thread of `to` asleep on it, only if it sleeps (Dekker with the sleepers mask, both seq_cst). A
 * channel has at most one thread per compartment, so a hand-over between two compartments while a third
 * sleeps (main waiting out a call that goes back and forth between two libraries) makes no system call. */
static inline void bh_owner_hand(bh_channel *ch, int32_t to) {
    bh_channel_hot *h = bh_hot(ch);
    __atomic_store_n(&h->owner, to, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&h->sleepers, __ATOMIC_SEQ_CST) & bh_bit(to)) bh_futex_wake(&h->owner, INT32_MAX, bh_bit(to));
}

int bh_wait_owner_slow(bh_channel *ch, int32_t self);

/* Two threads that hand a channel back and forth can end up on one CPU while another CPU idles: a thread
 * created or woken by the other often starts on its CPU, and then each yields to the other for every
 * crossing (about 3.5 us each instead of 0.09) while the scheduler, which sees two busy threads that it
 * considers cache-hot, leaves them there for milliseconds (a quarter to three quarters of the starts of a
 * two-compartment program spent their first 2000 crossings that way; a woken thread is not put on a
 * halted vCPU either). A waiter answered right after a yield that another thread used (BH_YIELD_RAN_NS or
 * more: most likely the thread it waits for) counts it; at BH_COLOCATED_MAX in a row (an answer found any
 * other way resets the count) it moves itself to another CPU, if one is idle (bh_move_off_cpu). */
#define BH_YIELD_RAN_NS 1000
#define BH_COLOCATED_MAX 32
extern _Thread_local uint32_t bh_tls_colocated __attribute__((tls_model("initial-exec")));
void bh_move_off_cpu(bh_channel *ch);
/* The move itself: the calling thread to another of its allowed CPUs, its mask as before afterwards. 1 if it
 * moved. */
int bh_move_to_another_cpu(void);

/* Waits until the channel's owner == self (acquire). Returns 0 then. In the main process only: 1 when the program is
 * terminating and no thread of main has taken charge of the exit yet; 2 after a 20 ms poll while
 * terminating (the caller may then fail a gate whose compartment died). */
static inline int bh_wait_owner(bh_channel *ch, int32_t self) {
    int32_t *owner = &bh_hot(ch)->owner;
    uint32_t quiet = bh_tls_quiet;
    for (uint32_t k = 0; k < quiet; k++) bh_poll_fence();   /* the quiet period: the line is left alone */
    for (int i = 0; i < BH_POLLS; i++) {       /* the common case, before any clock reading */
        if (__atomic_load_n(owner, __ATOMIC_ACQUIRE) == self) {
            if (bh_tls_colocated) bh_tls_colocated = 0;   /* answered without a yield: not on one CPU */
            if (i == 0) {
                bh_tls_quiet = quiet - (quiet + BH_QUIET_S - 1) / BH_QUIET_S;
            } else if (i >= BH_QUIET_G) {
                uint32_t q = quiet + (uint32_t)(i + 1 - BH_QUIET_G) / 2;
                bh_tls_quiet = q < BH_QUIET_MAX ? q : BH_QUIET_MAX;
            }
            return 0;
        }
        if (BH_SPIN_NS == 0) break;
        bh_poll_fence();
    }
    if (BH_SPIN_NS > 0) {
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        long spent = 0;   /* when this round's yield began */
        for (;;) {
            sched_yield();   /* not answered yet: the callee may be waiting for this CPU */
            clock_gettime(CLOCK_MONOTONIC, &t);
            /* another thread had this CPU meanwhile: if the answer is there now, most likely the callee */
            int ran_here = (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) - spent >= BH_YIELD_RAN_NS;
            for (int i = 0; i < 64; i++) {
                if (__atomic_load_n(owner, __ATOMIC_ACQUIRE) == self) {
                    if (!ran_here) bh_tls_colocated = 0;
                    else if (++bh_tls_colocated >= BH_COLOCATED_MAX) {
                        bh_tls_colocated = 0;
                        bh_move_off_cpu(ch);
                    }
                    return 0;
                }
                bh_pause();
            }
            clock_gettime(CLOCK_MONOTONIC, &t);
            spent = (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec);
            if (spent >= BH_SPIN_NS) break;
        }
    }
    return bh_wait_owner_slow(ch, self);
}

/* Sleeps until a compartment hands the channel to `self` again (for a channel with nothing to do). */
void bh_park(bh_channel *ch, int32_t self);
/* Sleeps while *word == val (any wake). */
void bh_wait_word(int32_t *word, int32_t val);
void bh_wake_word(int32_t *word);


/* errno, without the Swift Glibc overlay (not linked into C programs). */
static inline int bh_errno(void) { return errno; }
static inline void bh_set_errno(int e) { errno = e; }

/* Flushes stdout and stderr if they hold output. */
static inline int bh_pending(FILE *f) {   /* __fpending(f) != 0, inline for byte streams (a crossing's hot path) */
    return f->_mode > 0 ? __fpending(f) != 0 : f->_IO_write_ptr != f->_IO_write_base;
}
static inline void bh_flush_std(void) {
    if (bh_pending(stdout)) fflush(stdout);
    if (bh_pending(stderr)) fflush(stderr);
}

#endif
