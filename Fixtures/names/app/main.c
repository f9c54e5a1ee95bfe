#include <stdio.h>
#include "names.h"

static int combine(int ret, int bh_f)
{
    return ret * 10 + bh_f;
}

/* a local that moves to the shared stack, beside locals named like what that move generates */
static int moved(void)
{
    int bh_priv_x = 1, bh_ss_x = 2, bh_ss_copy = 3, bh_ss_release = 4, __bh_stack = 5;
    int x = 10;
    bump(&x);
    return x + bh_priv_x + bh_ss_x + bh_ss_copy + bh_ss_release + __bh_stack;
}

int main(void)
{
    struct pair p = { 3, 4 };
    printf("frame_sum %d\n", frame_sum(1, 2, 3, 4, 5, 6, 7, p));

    char out[32];
    printf("copy_text %ld %s\n", copy_text("names", out, (int)sizeof out, 7, 8), out);

    int cells[5] = { 1, 2, 3, 4, 5 };
    int sum = fill(cells, 5, 3, 1);
    printf("fill %d:", sum);
    for (int i = 0; i < 5; i++) printf(" %d", cells[i]);
    printf("\n");

    const int *row = row_of(3, 1, 0, 0, 0, 0, 0, 1, 0);
    printf("row_of %d %d %d\n", row[0], row[1], row[2]);

    printf("self_named %d\n", self_named(1, 2, 3));
    fflush(stdout);
    printf("put_line %d\n", put_line(stdout, "to stdout"));
    printf("say %d\n", say(7, 8, "%s=%d\n", "answer", 42));
    printf("visit %d\n", visit(combine, 5));
    printf("moved %d\n", moved());
    return 0;
}
