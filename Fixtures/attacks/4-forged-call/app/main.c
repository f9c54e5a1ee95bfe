#include <stdio.h>
#include <string.h>

int vault_check(int pin);
int vault_export(char *out, int n);
int thief_run(int claim);

int main(int argc, char **argv)
{
    printf("check: %d\n", vault_check(1234));
    if (argc > 5) {   /* never taken: main's gate to vault_export is there, but unused */
        char buf[64];
        vault_export(buf, (int)sizeof buf);
    }
    thief_run(argc > 1 && strcmp(argv[1], "claim") == 0);
    printf("done\n");
    return 0;
}
