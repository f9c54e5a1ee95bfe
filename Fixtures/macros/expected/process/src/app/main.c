#include <stdio.h>
#include "api.h"

typedef int (*writer_fn)(const char *);

static int local_writer(const char *s)
{
    return printf("local: %s\n", s);
}

/* a table of writers: one of another compartment, one of ours */
extern __typeof__(logger_write) bh_gate_logger_write;
static const writer_fn writers[] = { bh_gate_logger_write, local_writer };

extern __typeof__(kr_add) bh_gate_kr_add;
extern __typeof__(kr_scale) bh_gate_kr_scale;
extern __typeof__(logger_count) bh_gate_logger_count;
extern __typeof__(logger_selftest) bh_gate_logger_selftest;
extern __typeof__(logger_write) bh_gate_logger_write;
int main(void)
{
    int total = 0;
    total += LOG_TWICE("twice from app");             /* shared-header macro body */
    total += LOG_OUTER("nested from app");            /* nested macros */
    total += announce("inline from app");             /* static inline header function */
    writer_fn w = bh_gate_logger_write;                       /* address of a foreign function */
    total += w("through a pointer");
    for (unsigned i = 0; i < sizeof writers / sizeof writers[0]; i++)
        total += writers[i]("through the table");
    bh_gate_logger_selftest();
    printf("kr_add(2, 3) = %d\n", bh_gate_kr_add(2, 3));       /* K&R definition across compartments */
    printf("kr_scale(7, 6) = %ld\n", bh_gate_kr_scale(7, 6));
    printf("count = %d, total = %d\n", bh_gate_logger_count(), total);
    return 0;
}
