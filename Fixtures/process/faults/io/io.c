#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

int io_open_config(const char *path)
{
    int fd = open(path, O_RDONLY);     /* not in this compartment's allowlist */
    if (fd >= 0) close(fd);
    return fd >= 0 ? 1 : 0;
}

static void *io_worker(void *arg)
{
    long n = (long)arg, sum = 0;
    for (long i = 1; i <= n; i++) sum += i;
    pthread_exit((void *)sum);         /* glibc unwinds the thread: the unwinder must already be loaded */
}

long io_worker_sum(long n)
{
    pthread_t t;
    void *r = 0;
    if (pthread_create(&t, 0, io_worker, (void *)n) != 0 || pthread_join(t, &r) != 0) return -1;
    return (long)r;
}
