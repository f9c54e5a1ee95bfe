#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vault_add(int a, int b);
int thief_kill(int victim);
int thief_heap(uintptr_t target);

static char motto[64] = "MAIN-MOTTO-9e4";   /* main's private data */

int main(int argc, char **argv)
{
    printf("add: %d\n", vault_add(2, 3));
    if (argc > 2 && strcmp(argv[1], "kill") == 0) {
        thief_kill(atoi(argv[2]));
    } else if (argc > 1 && strcmp(argv[1], "heap") == 0) {
        thief_heap((uintptr_t)motto);
        char *p = malloc(48);
        if (p) strcpy(p, "WRITTEN-BY-MALLOC-USER");
        printf("block is main's data: %s\n", p == motto ? "yes" : "no");
    }
    printf("motto: %s\n", motto);
    printf("done\n");
    return 0;
}
