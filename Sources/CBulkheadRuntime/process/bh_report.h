/* bh_report.h: a fixed-size line builder for reports, async-signal-safe (no malloc, no stdio). */
#ifndef BH_REPORT_H
#define BH_REPORT_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char buf[1024];
    size_t len;
} bh_rb;

void bh_rb_str(bh_rb *b, const char *s);
void bh_rb_dec(bh_rb *b, long v);
void bh_rb_hex(bh_rb *b, uintptr_t v);
void bh_rb_comp(bh_rb *b, int32_t comp);   /* 'name' of a compartment (or its index) */
void bh_rb_gate(bh_rb *b, int32_t gate);   /* 'name' of a gate (or its index) */
void bh_rb_emit(bh_rb *b);                 /* newline, one write(2) to fd 2 */

#endif
