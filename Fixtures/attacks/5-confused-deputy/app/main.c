#include <stdio.h>

const void *vault_open(void);
int vault_transform(const char *in, char *out, int n);
int thief_run(const void *handle);

int main(void)
{
    char out[8];
    printf("transform: %d\n", vault_transform("abc", out, 3));
    printf("thief: %d\n", thief_run(vault_open()));
    printf("done\n");
    return 0;
}
