#include <stddef.h>

unsigned long lib_sum(const unsigned char *buf, size_t len)
{
    unsigned long s = 0;
    for (size_t i = 0; i < len; i++)
        s = s * 31 + buf[i];
    return s;
}

void lib_fill(unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(i * 7 + (i >> 9));
}
