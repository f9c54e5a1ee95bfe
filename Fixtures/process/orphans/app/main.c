#include <stdio.h>
#include <unistd.h>

int idle_pid(void);

int main(void)
{
    printf("main %d, compartment idle %d\n", (int)getpid(), idle_pid());
    fflush(stdout);
    sleep(60);
    return 0;
}
