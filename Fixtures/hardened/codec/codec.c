/* codec library (compartment "codec", hardening: asan, ubsan). */
#include <stdlib.h>
#include <string.h>
#include "hardened.h"

/* Returns the frame length, or -1 when the input is too long or out too small. */
int encode(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    size_t o = 0;
    if (n > 255 || cap < 1)
        return -1;
    out[o++] = (unsigned char)n;
    for (size_t i = 0; i < n;) {
        size_t run = 1;
        while (i + run < n && in[i + run] == in[i] && run < 255)
            run++;
        if (o + 2 > cap)
            return -1;
        out[o++] = (unsigned char)run;
        out[o++] = in[i];
        i += run;
    }
    return (int)o;
}

/* INJECTED BUG (on purpose, for the hardening fixture): the bounds check below allows
 * pos + run == len + 1, one more byte than the len bytes malloc'ed for `work`, so a
 * frame whose runs add up to exactly its declared length + 1 makes memset write one
 * byte past the heap buffer (and memcpy then read it). The correct check is
 * `pos + run > len`. Well-formed frames and frames that overshoot by 2 or more are
 * unaffected. main() feeds the crafted frame only when run with --trigger; under
 * -fsanitize=address this is reported as a heap-buffer-overflow.
 * Returns the decoded length, or -1 on a malformed frame or when out is too small. */
int decode(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    if (n < 1 || (n - 1) % 2 != 0)
        return -1;
    size_t len = in[0], pos = 0;
    unsigned char *work = malloc(len ? len : 1);
    if (work == NULL)
        return -1;
    for (size_t i = 1; i + 1 < n; i += 2) {
        size_t run = in[i];
        if (run == 0 || pos + run > len + 1) { /* BUG: should be pos + run > len */
            free(work);
            return -1;
        }
        memset(work + pos, in[i + 1], run);
        pos += run;
    }
    if (pos > cap) {
        free(work);
        return -1;
    }
    memcpy(out, work, pos);
    free(work);
    return (int)pos;
}

/* Decodes and verifies the CRC-32 of the result: returns -2 on a mismatch. */
int decode_checked(const unsigned char *in, size_t n, unsigned char *out, size_t cap, uint32_t expect)
{
    int r = decode(in, n, out, cap); /* same compartment */
    if (r < 0)
        return r;
    return crc32_bytes(out, (size_t)r) == expect ? r : -2; /* codec -> check */
}
