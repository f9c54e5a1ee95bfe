/* hardened: a run-length codec in an ASan/UBSan-hardened compartment. */
#ifndef HARDENED_H
#define HARDENED_H

#include <stddef.h>
#include <stdint.h>

/* Frame format: [declared length L] then (run, byte) pairs, run >= 1, whose runs add up to L. */

/* codec library (compartment "codec", hardening asan + ubsan) */
int encode(const unsigned char *in, size_t n, unsigned char *out, size_t cap);
int decode(const unsigned char *in, size_t n, unsigned char *out, size_t cap);
int decode_checked(const unsigned char *in, size_t n, unsigned char *out, size_t cap, uint32_t expect);

/* crc library (compartment "check") */
uint32_t crc32_bytes(const unsigned char *p, size_t n);

#endif
