#include <stdio.h>

int vault_verify(int pin);
int thief_start(void);
long thief_stop(void);

int main(void)
{
    thief_start();
    long granted = 0;
    for (int i = 0; i < 50000; i++)
        granted += vault_verify(1234) != 0;   /* a wrong pin: never granted */
    long rewrites = thief_stop();
    printf("granted %ld times (the thief rewrote %s)\n", granted, rewrites ? "some" : "none");
    printf("done\n");
    return 0;
}
