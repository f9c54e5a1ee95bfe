/* fmt library (compartment "io"): text formatting. */
#include <stdio.h>
#include "shapes.h"

/* FEATURE: returns a pointer into static storage of the callee (ret: {string: true}) */
const char *fmt_vec3(struct vec3 v)
{
    static char buf[96];
    snprintf(buf, sizeof buf, "(%.6f, %.6f, %.6f)", v.x, v.y, v.z);
    return buf;
}

/* FEATURE: returns a string literal */
const char *fmt_kind(int sides)
{
    static const char *const names[] = { "triangle", "quadrilateral", "pentagon", "hexagon" };
    return sides >= 3 && sides <= 6 ? names[sides - 3] : "polygon";
}

/* FEATURE: input byte buffer with a length and an output char buffer with a capacity.
 * Returns the number of characters written (without the NUL), -1 if cap is too small. */
int fmt_hex(const unsigned char *p, size_t n, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    if (cap < 2 * n + 1) {
        if (cap > 0)
            out[0] = '\0';
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
    return (int)(2 * n);
}

/* FEATURE: zero arguments, void result */
void fmt_banner(void) { puts("== shapes =="); }
