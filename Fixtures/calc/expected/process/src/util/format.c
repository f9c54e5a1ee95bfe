/* util library (default compartment, with app): formatting helpers. */
#include <stdio.h>
#include <string.h>
#include "calc.h"
#include "charclass.h"

/* FEATURE: static function with the same name as a different one in parser/lex.c
 * (different signature too: this one works on size_t offsets and can go backwards). */
static size_t skip_space(const char *s, size_t i, int step)
{
    while (s[i] != '\0' && cc_is_space((unsigned char)s[i]) && (step > 0 || i > 0))
        i += (size_t)step;
    return i;
}

/* Copies src without leading/trailing blanks into dst (NUL-terminated, truncated to cap - 1). */
size_t util_trim(const char *src, char *dst, size_t cap)
{
    size_t len = strlen(src), start = skip_space(src, 0, 1), end;
    if (cap == 0)
        return 0;
    if (start == len) {
        dst[0] = '\0';
        return 0;
    }
    end = skip_space(src, len - 1, -1) + 1;
    if (end - start >= cap)
        end = start + cap - 1;
    memcpy(dst, src + start, end - start);
    dst[end - start] = '\0';
    return end - start;
}

/* Integers print without decimals, everything else with 6 fixed decimals. */
void util_format_number(double v, char *buf, size_t cap)
{
    if (v == 0)
        v = 0; /* no "-0" */
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
        snprintf(buf, cap, "%lld", (long long)v);
    else
        snprintf(buf, cap, "%.6f", v);
}

void util_rule(int width)
{
    for (int i = 0; i < width; i++)
        putchar('-');
    putchar('\n');
}
