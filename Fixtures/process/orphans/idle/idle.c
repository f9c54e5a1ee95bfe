#include <unistd.h>

int idle_pid(void)
{
    return (int)getpid();
}
