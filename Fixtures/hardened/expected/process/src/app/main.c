/* app library (default compartment "main"): round-trips messages through the codec.
 * With --trigger it finally decodes a crafted frame that hits the codec's injected bug. */
#include <stdio.h>
#include <string.h>
#include "hardened.h"

static void print_hex(const char *label, const unsigned char *p, int n)
{
    printf("%s", label);
    for (int i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

extern __typeof__(crc32_bytes) bh_gate_crc32_bytes;
extern __typeof__(decode) bh_gate_decode;
extern __typeof__(decode_checked) bh_gate_decode_checked;
extern __typeof__(encode) bh_gate_encode;
int main(int argc, char **argv)
{
    static const char *const messages[] = { "hello", "aaaaaaaabbbc", "", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz!" };
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++) {
        const unsigned char *msg = (const unsigned char *)messages[i];
        size_t len = strlen(messages[i]);
        unsigned char frame[64], back[64];
        int nf = bh_gate_encode(msg, len, frame, sizeof frame);                  /* main -> codec, local out buffer */
        uint32_t crc = bh_gate_crc32_bytes(msg, len);                            /* main -> check */
        int nd = bh_gate_decode_checked(frame, (size_t)nf, back, sizeof back, crc); /* main -> codec -> check */
        printf("msg %zu: \"%s\" crc=%08x\n", i, messages[i], (unsigned)crc);
        print_hex("  frame ", frame, nf);
        printf("  decoded %d bytes: \"%.*s\"\n", nd, nd > 0 ? nd : 0, (const char *)back);
    }

    /* Malformed frames that the (buggy) bounds check still rejects correctly. */
    static const unsigned char bad_odd[] = { 3, 1 };
    static const unsigned char bad_zero_run[] = { 2, 0, 'x', 2, 'y' };
    static const unsigned char bad_overshoot[] = { 4, 3, 'a', 3, 'b' }; /* len + 2 */
    unsigned char out[16];
    printf("bad odd length:   %d\n", bh_gate_decode(bad_odd, sizeof bad_odd, out, sizeof out));
    printf("bad zero run:     %d\n", bh_gate_decode(bad_zero_run, sizeof bad_zero_run, out, sizeof out));
    printf("bad overshoot:    %d\n", bh_gate_decode(bad_overshoot, sizeof bad_overshoot, out, sizeof out));
    printf("small out buffer: %d\n", bh_gate_decode((const unsigned char *)"\x04\x04q", 3, out, 2));
    printf("bad crc:          %d\n", bh_gate_decode_checked((const unsigned char *)"\x01\x01q", 3, out, sizeof out, 0));

    if (argc > 1 && strcmp(argv[1], "--trigger") == 0) {
        /* Runs add up to 5 = declared length 4 + 1: writes one byte past decode's buffer. */
        static const unsigned char crafted[] = { 4, 3, 'a', 2, 'b' };
        printf("decoding crafted frame...\n");
        fflush(stdout);
        int r = bh_gate_decode(crafted, sizeof crafted, out, sizeof out);
        printf("crafted frame decoded to %d bytes (the bug went unnoticed)\n", r);
    }
    printf("done\n");
    return 0;
}
