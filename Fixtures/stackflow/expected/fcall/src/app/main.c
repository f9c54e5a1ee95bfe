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
extern __typeof__(sink_count) bh_gate_sink_count;
static long bump(long start)
{
    bh_gate_sink_count(&start, 7);
    return start;
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
    struct buf out = { "", 0 };
    struct writer w = { &out, "> " };          /* &out inside the initializer of w */
    emit_twice(&w, "hello ");
    printf("buffer: '%s' (%d bytes)\n", out.text, out.len);

    struct stats s = { 0, 0 };
    struct stats *sp = &s;                      /* a local pointer to a local */
    for (int i = 1; i <= 4; i++) tally(sp, i * 10);
    printf("stats: %d calls, total %ld\n", s.calls, s.total);

    int cells[6];
    apply(bh_gate_sink_fill, cells, 6);
    for (int i = 0; i < 6; i++) printf("%d%s", cells[i], i < 5 ? " " : "\n");

    int more[3], *q;
    bh_gate_sink_fill((q = more), 3);                   /* the value of an assignment */
    printf("%d %d %d via %s\n", more[0], more[1], more[2], q == more ? "q" : "?");

    long total = 0;
    relay_count(&total, 5);                     /* main's copy of the helper: a gate */
    printf("relayed: %ld; the sink's own: %ld\n", total, bh_gate_sink_twice(3));

    int answer = 42;
    struct box b;
    b.value = &answer;                          /* a store after the declarations */
    printf("peeked: %d\n", bh_gate_sink_peek(&b));
    printf("bumped: %ld\n", bump(35));
    return 0;
}
