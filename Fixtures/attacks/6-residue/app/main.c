#include <stdio.h>

int vault_login(const char *key);
int vault_secret(char *out, int n);
int thief_run(void);

static int login(void)
{
    char key[32] = "RESIDUE-KEY-6b2";   /* lent by address: it lives on the shared stack while in scope */
    return vault_login(key);
}

int main(void)
{
    char data[32];
    printf("login: %d\n", login());
    printf("secret: %d\n", vault_secret(data, (int)sizeof data));
    thief_run();
    printf("done\n");
    return 0;
}
