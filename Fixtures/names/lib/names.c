#include <string.h>
#include "names.h"

int frame_sum(int h, int ret, int ret_size, int frame, int bh_f, int bh_h, int bh_r, struct pair a0_h)
{
    return h + 2 * ret + 3 * ret_size + 4 * frame + 5 * bh_f + 6 * bh_h + 7 * bh_r + 8 * a0_h.h + 9 * a0_h.ret;
}

long copy_text(const char *bh_text, char *bh_c, int bh_n, int bh_n_bh_c, int bh_c_bh_c)
{
    snprintf(bh_c, (size_t)bh_n, "<%s>", bh_text);
    return (long)strlen(bh_c) * 100 + bh_n_bh_c + bh_c_bh_c;
}

int fill(int *bh_c0, int bh_n0, int bh_n1, int bh_c1)
{
    int sum = 0;
    for (int i = 0; i < bh_n0; i++) {
        sum += bh_c0[i];
        bh_c0[i] = i * bh_n1 + bh_c1;
    }
    return sum;
}

static int rows[4][3] = { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 }, { 10, 11, 12 } };

const int *row_of(int bh_n, int bh_rb, int bh_rc, int bh_zero, int realloc, int bh_call, int bh_self,
                  int bh_stack_alloc, int bh_stack_free)
{
    (void)bh_n;
    return rows[(bh_rb + bh_rc + bh_zero + realloc + bh_call + bh_self + bh_stack_alloc + bh_stack_free) % 4];
}

int self_named(int self_named, int bh_a0_self_named, int bh_a1_self_named)
{
    return self_named * 100 + bh_a0_self_named * 10 + bh_a1_self_named;
}

int put_line(FILE *bh_check_stream, const char *bh_f)
{
    return fprintf(bh_check_stream, "line: %s\n", bh_f);
}

int vsay(int bh_ap, int bh_len, const char *bh_fmt, va_list bh_ap2)
{
    printf("say(%d, %d): ", bh_ap, bh_len);
    return vprintf(bh_fmt, bh_ap2);
}

int say(int bh_ap, int bh_len, const char *bh_fmt, ...)
{
    va_list ap;
    va_start(ap, bh_fmt);
    int n = vsay(bh_ap, bh_len, bh_fmt, ap);
    va_end(ap);
    return n;
}

int visit(int (*h)(int ret, int bh_f), int bh_r)
{
    return h(bh_r, bh_r + 1) + h(bh_r * 2, 3);
}

void bump(int *bh_priv_x)
{
    *bh_priv_x += 40;
}
