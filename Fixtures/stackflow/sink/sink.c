#include <stdio.h>
#include <string.h>

#include "relay.h"

struct buf { char text[64]; int len; };
struct writer { struct buf *out; const char *prefix; };

/* Appends to the writer's buffer, which lives on the caller's stack. */
void sink_write(struct writer *w, const char *s)
{
    int n = (int)strlen(s);
    memcpy(w->out->text + w->out->len, s, (size_t)n + 1);
    w->out->len += n;
}

/* Counts into a counter inside a bigger struct of the caller's. */
void sink_count(long *counter, int by)
{
    *counter += by;
}

/* Fills an array the caller owns. */
void sink_fill(int *cells, int n)
{
    for (int i = 0; i < n; i++) cells[i] = i * i;
}

/* Counts through its own copy of the header's helper: a plain call here, so `local` stays on its stack. */
long sink_twice(int by)
{
    long local = 0;
    relay_count(&local, by);
    relay_count(&local, by);
    return local;
}

struct box { int *value; };

/* Reads through a pointer the caller stored in a struct after declaring both. */
int sink_peek(struct box *b)
{
    return *b->value;
}
