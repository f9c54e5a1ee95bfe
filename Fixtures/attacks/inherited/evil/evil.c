/* The attacker: code running in compartment 'attacker', calling what its filter lets it call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void show(const char *how, const char *buf, long n)
{
    printf("%s: ", how);
    for (long i = 0; i < n; i++) putchar(buf[i] >= 32 && buf[i] < 127 ? buf[i] : '.');
    putchar('\n');
}

/* Makes the page readable again and reads it. */
int evil_peek(uintptr_t addr)
{
    mprotect((void *)(addr & ~(uintptr_t)4095), 4096, PROT_READ);
    show("peek", (const char *)addr, 24);
    return 0;
}

/* Reads it through /proc/thread-self/mem, which ignores the protection of the page. */
int evil_selfmem(uintptr_t addr)
{
    char buf[32] = {0};
    int fd = open("/proc/thread-self/mem", O_RDONLY);
    long n = fd < 0 ? -1 : pread(fd, buf, 24, (off_t)addr);
    if (n <= 0) printf("selfmem: %s\n", strerror(errno));
    else show("selfmem", buf, n);
    if (fd >= 0) close(fd);
    return 0;
}

/* Every mapping of this process up to 64 MiB, made readable: every "-SECRET-" in it, with the name before
 * it and what follows (printed at the end: the output buffer would be scanned too). */
int evil_scan(void)
{
    static char maps[1 << 16], found[32][40];
    int fd = open("/proc/thread-self/maps", O_RDONLY);
    long have = 0, n;
    while (fd >= 0 && (n = read(fd, maps + have, sizeof maps - 1 - have)) > 0) have += n;
    if (fd >= 0) close(fd);
    maps[have] = 0;
    int nfound = 0;
    for (char *line = maps; *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && hi - lo <= (64ul << 20) && !strstr(line, "[v")) {
            if (perms[0] != 'r') mprotect((void *)lo, hi - lo, PROT_READ);
            for (const char *p = (const char *)lo; p + 32 < (const char *)hi && nfound < 32; p++) {
                if (p[0] != '-' || memcmp(p, "-SECRET-", 8) != 0) continue;
                if (p >= found[0] && p < found[32]) continue;   /* what this scan found before */
                const char *start = p;
                while (start > (const char *)lo && p - start < 20 && ((start[-1] >= 'A' && start[-1] <= 'Z') || start[-1] == '-')) start--;
                if (start == p) continue;                       /* no name before it: this function's own */
                memcpy(found[nfound++], start, (size_t)(p - start) + 11);
            }
        }
        line = nl ? nl + 1 : line + strlen(line);
    }
    for (int i = 0; i < nfound; i++) show("scan", found[i], (long)strnlen(found[i], 39));
    printf("scan: %d found\n", nfound);
    return nfound;
}
