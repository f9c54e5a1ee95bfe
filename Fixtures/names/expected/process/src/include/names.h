#ifndef NAMES_H
#define NAMES_H
#include <stdarg.h>
#include <stdio.h>

struct pair { int h, ret; };

/* frame fields and the entry's and stub's locals */
int frame_sum(int h, int ret, int ret_size, int frame, int bh_f, int bh_h, int bh_r, struct pair a0_h);
/* marshalling temporaries, old and new */
long copy_text(const char *bh_text, char *bh_c, int bh_n, int bh_n_bh_c, int bh_c_bh_c);
int fill(int *bh_c0, int bh_n0, int bh_n1, int bh_c1);
/* the result and the runtime's functions */
const int *row_of(int bh_n, int bh_rb, int bh_rc, int bh_zero, int realloc, int bh_call, int bh_self,
                  int bh_stack_alloc, int bh_stack_free);
/* a parameter named like the function itself, and like a generated parameter */
int self_named(int self_named, int bh_a0_self_named, int bh_a1_self_named);
/* a stream, and a parameter named like the check the entry makes of it */
int put_line(FILE *bh_check_stream, const char *bh_f);
/* printf-style, with fixed parameters named like the formatting locals */
int say(int bh_ap, int bh_len, const char *bh_fmt, ...);
int vsay(int bh_ap, int bh_len, const char *bh_fmt, va_list bh_ap2);
/* a callback whose parameters are named like frame fields */
int visit(int (*h)(int ret, int bh_f), int bh_r);
/* takes the address of a local of the caller */
void bump(int *bh_priv_x);

#endif
