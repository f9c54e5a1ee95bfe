#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long lib_sum(const unsigned char *buf, size_t len);
void lib_fill(unsigned char *buf, size_t len);

static int round_trip(size_t len)
{
    unsigned char *b = malloc(len);
    lib_fill(b, len);
    unsigned long want = 0;
    for (size_t i = 0; i < len; i++) {
        if (b[i] != (unsigned char)(i * 7 + (i >> 9))) {
            printf("%zu bytes: wrong byte at %zu\n", len, i);
            return 1;
        }
        want = want * 31 + b[i];
    }
    unsigned long got = lib_sum(b, len);
    printf("%zu bytes: %s\n", len, got == want ? "same both ways" : "sums differ");
    free(b);
    return got != want;
}

int main(int argc, char **argv)
{
    int bad = round_trip(64 * 1024) + round_trip(200 * 1024);
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "big") == 0)
        bad += round_trip(4 * 1024 * 1024);
    return bad;
}
