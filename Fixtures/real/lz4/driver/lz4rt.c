/* Our test driver for the lz4 libraries (not part of lz4): round-trips each file named on the command line
 * through the block API (fast and HC) and the frame API, printing sizes and hashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lz4.h"
#include "lz4hc.h"
#include "lz4frame.h"
#include "xxhash.h"

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    *size = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

static int block_round_trip(const char *name, const unsigned char *src, size_t n, int hc_level)
{
    int cap = LZ4_compressBound((int)n);
    char *dst = malloc((size_t)cap + 1), *back = malloc(n + 1);
    int c = hc_level ? LZ4_compress_HC((const char *)src, dst, (int)n, cap, hc_level)
                     : LZ4_compress_default((const char *)src, dst, (int)n, cap);
    int d = LZ4_decompress_safe(dst, back, c, (int)n);
    int ok = d == (int)n && memcmp(back, src, n) == 0;
    printf("%s block%s%d %d bytes xxh32=%08x %s\n", name, hc_level ? " hc" : " fast", hc_level, c,
           XXH32(dst, (size_t)c, 0), ok ? "ok" : "MISMATCH");
    free(dst);
    free(back);
    return ok;
}

static int frame_round_trip(const char *name, const unsigned char *src, size_t n, int level)
{
    LZ4F_preferences_t prefs;
    memset(&prefs, 0, sizeof prefs);
    prefs.compressionLevel = level;
    prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    size_t cap = LZ4F_compressFrameBound(n, &prefs);
    unsigned char *dst = malloc(cap), *back = malloc(n + 1);
    size_t c = LZ4F_compressFrame(dst, cap, src, n, &prefs);
    if (LZ4F_isError(c)) { printf("%s frame error %s\n", name, LZ4F_getErrorName(c)); return 0; }
    LZ4F_dctx *dctx;
    LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION);
    size_t in_pos = 0, out_pos = 0, ret = 1;
    while (ret != 0 && in_pos < c) {         /* streaming: small input steps */
        size_t in_len = c - in_pos < 1000 ? c - in_pos : 1000, out_len = n + 1 - out_pos;
        ret = LZ4F_decompress(dctx, back + out_pos, &out_len, dst + in_pos, &in_len, NULL);
        if (LZ4F_isError(ret)) { printf("%s decompress error %s\n", name, LZ4F_getErrorName(ret)); break; }
        in_pos += in_len;
        out_pos += out_len;
    }
    LZ4F_freeDecompressionContext(dctx);
    int ok = out_pos == n && memcmp(back, src, n) == 0;
    printf("%s frame%d %zu bytes xxh64=%016llx %s\n", name, level, c,
           (unsigned long long)XXH64(dst, c, 0), ok ? "ok" : "MISMATCH");
    free(dst);
    free(back);
    return ok;
}

int main(int argc, char **argv)
{
    int failures = 0;
    printf("lz4 %s\n", LZ4_versionString());
    for (int i = 1; i < argc; i++) {
        size_t n = 0;
        unsigned char *src = read_file(argv[i], &n);
        if (!src) { printf("%s unreadable\n", argv[i]); failures++; continue; }
        const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        printf("%s %zu bytes xxh64=%016llx\n", name, n, (unsigned long long)XXH64(src, n, 0));
        failures += !block_round_trip(name, src, n, 0);
        failures += !block_round_trip(name, src, n, 9);
        failures += !frame_round_trip(name, src, n, 0);
        failures += !frame_round_trip(name, src, n, 12);
        free(src);
    }
    printf("%d failures\n", failures);
    return failures != 0;
}
