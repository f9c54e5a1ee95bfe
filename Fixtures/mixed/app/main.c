#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "api.h"

/* called back from work through a pointer */
static int by_length(const char *a, const char *b)
{
    return (int)strlen(a) - (int)strlen(b);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "run";
    if (strcmp(mode, "pids") == 0) {
        long me = (long)getpid();
        printf("tools in main's process: %s\n", fmt_pid() == me ? "yes" : "no");
        printf("seal in main's process: %s\n", seal_pid() == me ? "yes" : "no");
        printf("work in main's process: %s\n", worker_pid() == me ? "yes" : "no");
        printf("safe in main's process: %s\n", vault_pid() == me ? "yes" : "no");
        printf("safe in work's process: %s\n", vault_pid() == worker_pid() ? "yes" : "no");
        return 0;
    }
    if (strcmp(mode, "peek") == 0) {
        printf("secret length %d\n", vault_secret_length());
        fflush(stdout);
        printf("peek -> %d\n", worker_peek(vault_secret_address(), vault_secret_length()));
        return 0;
    }
    char line[64];
    fmt_hex(line, sizeof line, 48879u);
    printf("main: %s\n", line);
    printf("sum: %ld\n", worker_sum(10));
    worker_label(line, sizeof line, 7);
    printf("label: %s\n", line);
    const char *words[] = { "kiwi", "fig", "banana", "plum" };
    printf("longest: %s\n", worker_pick(words, 4, by_length));
    printf("seal: %u\n", seal_word(vault_token()));
    printf("checked: %d\n", worker_check());
    return 0;
}
