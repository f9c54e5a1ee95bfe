/* crc library (compartment "check"): bitwise CRC-32 (IEEE, reflected, poly 0xEDB88320). */
#include "hardened.h"

uint32_t crc32_bytes(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}
