#include <stdint.h>

/* a pure function of its arguments, so that each caller can check every answer */
uint64_t counter_mix(uint32_t thread, uint32_t i, uint64_t acc)
{
    uint64_t x = acc ^ ((uint64_t)thread << 32 | i);
    x *= 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
}
