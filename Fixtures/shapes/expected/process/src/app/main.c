/* app library (default compartment "main"): calls geom ("math") and fmt ("io") with
 * every kind of argument and result. All printing uses fixed precision. */
#include <stdio.h>
#include <string.h>
#include "shapes.h"

extern __typeof__(fmt_vec3) bh_gate_fmt_vec3;
static void show_vec(const char *what, struct vec3 v)
{
    printf("%-10s %s\n", what, bh_gate_fmt_vec3(v)); /* app -> io, struct by value, static-string result */
}

extern __typeof__(box_make) bh_gate_box_make;
extern __typeof__(box_print) bh_gate_box_print;
extern __typeof__(box_volume) bh_gate_box_volume;
extern __typeof__(clamp_short) bh_gate_clamp_short;
extern __typeof__(fmt_banner) bh_gate_fmt_banner;
extern __typeof__(fmt_hex) bh_gate_fmt_hex;
extern __typeof__(fmt_kind) bh_gate_fmt_kind;
extern __typeof__(geom_calls) bh_gate_geom_calls;
extern __typeof__(geom_mix) bh_gate_geom_mix;
extern __typeof__(geom_reset) bh_gate_geom_reset;
extern __typeof__(ipair_minmax) bh_gate_ipair_minmax;
extern __typeof__(mix_bits) bh_gate_mix_bits;
extern __typeof__(mixed_make) bh_gate_mixed_make;
extern __typeof__(polygon_angles) bh_gate_polygon_angles;
extern __typeof__(pt2_len) bh_gate_pt2_len;
extern __typeof__(pt2_mid) bh_gate_pt2_mid;
extern __typeof__(quantize) bh_gate_quantize;
extern __typeof__(union_value) bh_gate_union_value;
extern __typeof__(vec3_cross) bh_gate_vec3_cross;
extern __typeof__(vec3_dot) bh_gate_vec3_dot;
extern __typeof__(vec3_is_unit) bh_gate_vec3_is_unit;
extern __typeof__(vec3_scale) bh_gate_vec3_scale;
int main(void)
{
    struct vec3 ex = { 1, 0, 0 }, ey = { 0, 1, 0 }, a = { 1.5, -2.25, 3.0 }, b = { -0.5, 4.0, 2.0 };

    bh_gate_fmt_banner();                                          /* app -> io, no args, void */
    bh_gate_geom_reset();                                          /* app -> math, no args, void */

    printf("dot(a,b)   %.6f\n", bh_gate_vec3_dot(a, b));
    show_vec("ex x ey", bh_gate_vec3_cross(ex, ey));
    show_vec("a x b", bh_gate_vec3_cross(a, b));
    show_vec("a * 0.5f", bh_gate_vec3_scale(a, 0.5f));
    printf("is_unit    ex=%d a=%d\n", (int)bh_gate_vec3_is_unit(ex), (int)bh_gate_vec3_is_unit(a));

    struct pt2 p = { 3.0f, 4.0f }, q = { -1.0f, 2.5f };
    struct pt2 m = bh_gate_pt2_mid(p, q);
    printf("mid        (%.6f, %.6f)\n", (double)m.x, (double)m.y);
    printf("len(p)     %.6f\n", (double)bh_gate_pt2_len(p));

    int vals[] = { 7, -3, 12, 5, 0, 9 };
    struct ipair mm = bh_gate_ipair_minmax(vals, 6);
    printf("minmax     lo=%d hi=%d\n", mm.lo, mm.hi);

    struct mixed mx = bh_gate_mixed_make(21, 5.5);
    printf("mixed      tag=%ld weight=%.6f\n", mx.tag, mx.weight);

    union num ui = { .i = -123456789L }, ud = { .d = 2.718281828 };
    printf("union      i=%.6f d=%.6f\n", bh_gate_union_value(ui, 1), bh_gate_union_value(ud, 0));

    /* FEATURE: const char * string argument; large struct returned by value */
    struct box bx = bh_gate_box_make(7, "crate", (struct vec3){ 0, 0, 0 }, (struct vec3){ 2, 3, 0.5 });
    printf("box        id=%d label=%s volume=%.6f\n", bx.id, bx.label, bh_gate_box_volume(&bx));
    bh_gate_box_print(&bx);                                        /* app -> math -> io */

    /* FEATURE: 11 mixed parameters; &local as out-pointer */
    double mixed_sum = 0;
    int chk = bh_gate_geom_mix(-5, 1000000L, 'A', 1.5f, 2.25, vals, 6, (unsigned char)200, (short)-300, 1, &mixed_sum);
    printf("mix        chk=%d sum=%.6f\n", chk, mixed_sum);

    /* FEATURE: out-pointer int *out with an error result */
    for (int sides = 2; sides <= 7; sides++) {
        int angles = -1;
        if (bh_gate_polygon_angles(sides, &angles))
            printf("polygon    %d sides: %-13s angles=%d\n", sides, bh_gate_fmt_kind(sides), angles);
        else
            printf("polygon    %d sides: invalid\n", sides);
    }

    printf("quantize   %u %u %u\n", (unsigned)bh_gate_quantize(-1.0), (unsigned)bh_gate_quantize(0.5), (unsigned)bh_gate_quantize(3.0));
    printf("clamp      %d %d %d\n", bh_gate_clamp_short(-100000), bh_gate_clamp_short(1234), bh_gate_clamp_short(99999));
    printf("mix_bits   %llx %llx\n", bh_gate_mix_bits(0x0123456789abcdefULL, 8), bh_gate_mix_bits(1ULL, 63));

    char hex[32];
    unsigned char raw[] = { 0x00, 0x7f, 0x80, 0xff, 0x42 };
    int nhex = bh_gate_fmt_hex(raw, sizeof raw, hex, sizeof hex);  /* local out buffer filled by io */
    printf("hex        %s (%d)\n", hex, nhex);
    nhex = bh_gate_fmt_hex(raw, sizeof raw, hex, 4);
    printf("hex short  '%s' (%d)\n", hex, nhex);

    printf("geom calls %d\n", bh_gate_geom_calls());               /* app -> math, no args */
    bh_gate_geom_reset();
    printf("after reset %d\n", bh_gate_geom_calls());
    return 0;
}
