#include <stdio.h>
#include <unistd.h>
#include "../app/api.h"

static long total;   /* work's own state, in its process */

long worker_sum(int n)
{
    for (int i = 1; i <= n; i++) total += i;
    return total;
}

int worker_label(char *out, size_t n, int id)
{
    char hex[32];
    fmt_hex(hex, sizeof hex, (unsigned)id * 4096u);   /* into tools: an RPC back into the main process */
    return snprintf(out, n, "item %d at %s", id, hex);
}

const char *worker_pick(const char **words, int count, int (*longer)(const char *, const char *))
{
    const char *best = words[0];
    for (int i = 1; i < count; i++)
        if (longer(words[i], best) > 0) best = words[i];   /* calls main back */
    return best;
}

int worker_check(void)
{
    return seal_word(vault_token()) == seal_word(vault_token());   /* into seal and safe */
}

long worker_pid(void)
{
    return (long)getpid();
}

int worker_peek(uintptr_t address, int n)
{
    const char *p = (const char *)address;   /* safe's memory: another process's */
    int sum = 0;
    for (int i = 0; i < n; i++) sum += p[i];
    printf("work read: %.*s\n", n, p);
    return sum;
}
