#include <stdio.h>

int vault_login(const char *key);
int vault_secret(char *out, int n);
int thief_run(void);

int main(void)
{
    char key[32] = "RESIDUE-KEY-6b2";
    char data[32];
    printf("login: %d\n", vault_login(key));
    printf("secret: %d\n", vault_secret(data, (int)sizeof data));
    thief_run();
    printf("done\n");
    return 0;
}
