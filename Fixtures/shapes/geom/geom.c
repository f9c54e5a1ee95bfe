/* geom library (compartment "math"): vector and box arithmetic. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "shapes.h"

static int calls; /* compartment-private state, reset by geom_reset() */

/* FEATURE: structs passed by value, double result */
double vec3_dot(struct vec3 a, struct vec3 b)
{
    calls++;
    return a.x * b.x + a.y * b.y + a.z * b.z;
}

/* FEATURE: large struct (> 16 bytes) returned by value */
struct vec3 vec3_cross(struct vec3 a, struct vec3 b)
{
    calls++;
    struct vec3 r = { a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x };
    return r;
}

/* FEATURE: float argument next to a struct argument */
struct vec3 vec3_scale(struct vec3 v, float k)
{
    calls++;
    return (struct vec3){ v.x * k, v.y * k, v.z * k };
}

/* FEATURE: small struct of floats passed and returned by value */
struct pt2 pt2_mid(struct pt2 a, struct pt2 b)
{
    calls++;
    return (struct pt2){ (a.x + b.x) / 2.0f, (a.y + b.y) / 2.0f };
}

/* FEATURE: float result */
float pt2_len(struct pt2 p)
{
    calls++;
    return sqrtf(p.x * p.x + p.y * p.y);
}

/* FEATURE: small integer struct returned by value; pointer + count argument */
struct ipair ipair_minmax(const int *vals, int n)
{
    calls++;
    struct ipair r = { 0, 0 };
    for (int i = 0; i < n; i++) {
        if (i == 0 || vals[i] < r.lo)
            r.lo = vals[i];
        if (i == 0 || vals[i] > r.hi)
            r.hi = vals[i];
    }
    return r;
}

/* FEATURE: 16-byte struct with an integer and a double member returned by value */
struct mixed mixed_make(long tag, double weight)
{
    calls++;
    return (struct mixed){ tag * 2, weight / 2 };
}

/* FEATURE: union passed by value */
double union_value(union num u, int is_int)
{
    calls++;
    return is_int ? (double)u.i : u.d;
}

/* FEATURE: large struct returned by value, built from a string and two structs */
struct box box_make(int id, const char *label, struct vec3 lo, struct vec3 hi)
{
    struct box b;
    calls++;
    memset(&b, 0, sizeof b);
    b.id = id;
    b.lo = lo;
    b.hi = hi;
    snprintf(b.label, sizeof b.label, "%s", label);
    return b;
}

/* FEATURE: pointer to a struct, read only */
double box_volume(const struct box *b)
{
    calls++;
    return fabs((b->hi.x - b->lo.x) * (b->hi.y - b->lo.y) * (b->hi.z - b->lo.z));
}

void box_print(const struct box *b)
{
    calls++;
    /* FEATURE: cross-compartment calls math -> io; fmt_vec3 returns its static buffer,
     * so each result is printed before the next call. */
    printf("box #%d '%s' lo=", b->id, b->label);
    fputs(fmt_vec3(b->lo), stdout);
    printf(" hi=");
    fputs(fmt_vec3(b->hi), stdout);
    printf(" volume=%.6f\n", box_volume(b)); /* same compartment */
}

/* FEATURE: 11 parameters mixing int, long, char, float, double, pointers, unsigned char,
 * short and _Bool; more than fit in registers (d and e go in SSE registers, the rest
 * spill to the stack). Writes a weighted sum to *out and returns a checksum. */
int geom_mix(int a, long b, char c, float d, double e, const int *vals, int nvals,
             unsigned char uc, short s, _Bool flag, double *out)
{
    long sum = 0;
    calls++;
    for (int i = 0; i < nvals; i++)
        sum += (long)vals[i] * (i + 1);
    *out = a + b * 0.5 + c + d * 0.25 + e + (double)sum + uc + s + (flag ? 1000.0 : 0.0);
    return (int)((a ^ b ^ c ^ sum ^ uc ^ s ^ flag) & 0x7fff);
}

/* FEATURE: out-pointer argument (int *out); returns 0 on error */
int polygon_angles(int sides, int *out)
{
    calls++;
    if (sides < 3)
        return 0;
    *out = (sides - 2) * 180;
    return 1;
}

/* FEATURE: _Bool, unsigned char and short results */
_Bool vec3_is_unit(struct vec3 v)
{
    calls++;
    return fabs(vec3_dot(v, v) - 1.0) < 1e-9; /* same compartment */
}

unsigned char quantize(double x)
{
    calls++;
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 255;
    return (unsigned char)(x * 255.0 + 0.5);
}

short clamp_short(int v)
{
    calls++;
    return (short)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

/* FEATURE: unsigned long long and unsigned int */
unsigned long long mix_bits(unsigned long long x, unsigned int rot)
{
    calls++;
    rot &= 63;
    return rot ? (x << rot) | (x >> (64 - rot)) : x;
}

/* FEATURE: zero arguments, void result */
void geom_reset(void) { calls = 0; }

int geom_calls(void) { return calls; }
