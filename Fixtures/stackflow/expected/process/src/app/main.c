#include <stdio.h>

#include "relay.h"

struct buf { char text[64]; int len; };
struct writer { struct buf *out; const char *prefix; };
struct stats { int calls; long total; };
struct box { int *value; };

void sink_write(struct writer *w, const char *s);
void sink_count(long *counter, int by);
void sink_fill(int *cells, int n);
long sink_twice(int by);
int sink_peek(struct box *b);

/* a helper of main's that passes its parameter on to the gate */
extern __typeof__(sink_write) bh_gate_sink_write;
static void emit(struct writer *w, const char *s)
{
    bh_gate_sink_write(w, w->prefix);
    bh_gate_sink_write(w, s);
}

/* two levels of helpers */
static void emit_twice(struct writer *w, const char *s)
{
    emit(w, s);
    emit(w, s);
}

/* a parameter's field passed on: &st->total */
extern __typeof__(sink_count) bh_gate_sink_count;
static void tally(struct stats *st, int by)
{
    st->calls++;
    bh_gate_sink_count(&st->total, by);
}

/* the address of a parameter's own storage */
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
extern __typeof__(sink_count) bh_gate_sink_count;
static long bump(long __bh_priv_start)
{ __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_start) *__bh_ss_start = (__typeof__(__bh_priv_start) *)__bh_ss_copy(&__bh_priv_start, sizeof __bh_priv_start, _Alignof(__typeof__(__bh_priv_start)));
    bh_gate_sink_count(&(*__bh_ss_start), 7);
    return (*__bh_ss_start);
}

/* a function pointer whose target is the gate */
static void apply(void (*fill)(int *, int), int *cells, int n)
{
    fill(cells, n);
}

extern __typeof__(sink_fill) bh_gate_sink_fill;
extern __typeof__(sink_peek) bh_gate_sink_peek;
extern __typeof__(sink_twice) bh_gate_sink_twice;
int main(void)
{
    struct buf __bh_priv_out = { "", 0 }; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_out) *__bh_ss_out = (__typeof__(__bh_priv_out) *)__bh_ss_copy(&__bh_priv_out, sizeof __bh_priv_out, _Alignof(__typeof__(__bh_priv_out)));
    struct writer __bh_priv_w = { &(*__bh_ss_out), "> " }; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_w) *__bh_ss_w = (__typeof__(__bh_priv_w) *)__bh_ss_copy(&__bh_priv_w, sizeof __bh_priv_w, _Alignof(__typeof__(__bh_priv_w)));          /* &out inside the initializer of w */
    emit_twice(&(*__bh_ss_w), "hello ");
    printf("buffer: '%s' (%d bytes)\n", (*__bh_ss_out).text, (*__bh_ss_out).len);

    struct stats __bh_priv_s = { 0, 0 }; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_s) *__bh_ss_s = (__typeof__(__bh_priv_s) *)__bh_ss_copy(&__bh_priv_s, sizeof __bh_priv_s, _Alignof(__typeof__(__bh_priv_s)));
    struct stats *sp = &(*__bh_ss_s);                      /* a local pointer to a local */
    for (int i = 1; i <= 4; i++) tally(sp, i * 10);
    printf("stats: %d calls, total %ld\n", (*__bh_ss_s).calls, (*__bh_ss_s).total);

    int __bh_priv_cells[6]; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_cells) *__bh_ss_cells = (__typeof__(__bh_priv_cells) *)__bh_ss_copy(&__bh_priv_cells, sizeof __bh_priv_cells, _Alignof(__typeof__(__bh_priv_cells)));
    apply(bh_gate_sink_fill, (*__bh_ss_cells), 6);
    for (int i = 0; i < 6; i++) printf("%d%s", (*__bh_ss_cells)[i], i < 5 ? " " : "\n");

    int __bh_priv_more[3], *q; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_more) *__bh_ss_more = (__typeof__(__bh_priv_more) *)__bh_ss_copy(&__bh_priv_more, sizeof __bh_priv_more, _Alignof(__typeof__(__bh_priv_more)));
    bh_gate_sink_fill((q = (*__bh_ss_more)), 3);                   /* the value of an assignment */
    printf("%d %d %d via %s\n", (*__bh_ss_more)[0], (*__bh_ss_more)[1], (*__bh_ss_more)[2], q == (*__bh_ss_more) ? "q" : "?");

    long __bh_priv_total = 0; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_total) *__bh_ss_total = (__typeof__(__bh_priv_total) *)__bh_ss_copy(&__bh_priv_total, sizeof __bh_priv_total, _Alignof(__typeof__(__bh_priv_total)));
    relay_count(&(*__bh_ss_total), 5);                     /* main's copy of the helper: a gate */
    printf("relayed: %ld; the sink's own: %ld\n", (*__bh_ss_total), bh_gate_sink_twice(3));

    int __bh_priv_answer = 42; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_answer) *__bh_ss_answer = (__typeof__(__bh_priv_answer) *)__bh_ss_copy(&__bh_priv_answer, sizeof __bh_priv_answer, _Alignof(__typeof__(__bh_priv_answer)));
    struct box __bh_priv_b; __attribute__((cleanup(__bh_ss_release))) __typeof__(__bh_priv_b) *__bh_ss_b = (__typeof__(__bh_priv_b) *)__bh_ss_copy(&__bh_priv_b, sizeof __bh_priv_b, _Alignof(__typeof__(__bh_priv_b)));
    (*__bh_ss_b).value = &(*__bh_ss_answer);                          /* a store after the declarations */
    printf("peeked: %d\n", bh_gate_sink_peek(&(*__bh_ss_b)));
    printf("bumped: %ld\n", bump(35));
    return 0;
}
