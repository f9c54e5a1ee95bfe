/* shapes: every kind of argument and result crossing a compartment boundary. */
#ifndef SHAPES_H
#define SHAPES_H

#include <stddef.h>

struct vec3 { double x, y, z; };            /* 24 bytes: passed and returned in memory */
struct pt2 { float x, y; };                 /* 8 bytes: passed and returned in one SSE register */
struct ipair { int lo; int hi; };           /* 8 bytes: returned in one integer register */
struct mixed { long tag; double weight; };  /* 16 bytes: one integer + one SSE register */
union num { long i; double d; unsigned char bytes[8]; };
struct box {                                /* 72 bytes: large struct returned by value */
    struct vec3 lo, hi;
    char label[20];
    int id;
};

/* geom library (compartment "math") */
double vec3_dot(struct vec3 a, struct vec3 b);
struct vec3 vec3_cross(struct vec3 a, struct vec3 b);
struct vec3 vec3_scale(struct vec3 v, float k);
struct pt2 pt2_mid(struct pt2 a, struct pt2 b);
float pt2_len(struct pt2 p);
struct ipair ipair_minmax(const int *vals, int n);
struct mixed mixed_make(long tag, double weight);
double union_value(union num u, int is_int);
struct box box_make(int id, const char *label, struct vec3 lo, struct vec3 hi);
double box_volume(const struct box *b);
void box_print(const struct box *b);
int geom_mix(int a, long b, char c, float d, double e, const int *vals, int nvals,
             unsigned char uc, short s, _Bool flag, double *out);
int polygon_angles(int sides, int *out);
_Bool vec3_is_unit(struct vec3 v);
unsigned char quantize(double x);
short clamp_short(int v);
unsigned long long mix_bits(unsigned long long x, unsigned int rot);
void geom_reset(void);
int geom_calls(void);

/* fmt library (compartment "io") */
const char *fmt_vec3(struct vec3 v);
const char *fmt_kind(int sides);
int fmt_hex(const unsigned char *p, size_t n, char *out, size_t cap);
void fmt_banner(void);

#endif
