#include <stdio.h>
#include <string.h>

int flaky_square(int x);
int io_open_config(const char *path);
long io_worker_sum(long n);

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "open") == 0) {
        printf("open -> %d\n", io_open_config("/etc/hostname"));
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "thread") == 0) {
        printf("worker -> %ld\n", io_worker_sum(8));
        return 0;
    }
    for (int i = 1; i <= 5; i++) {
        printf("flaky_square(%d) -> %d\n", i, flaky_square(i));
        fflush(stdout);
    }
    return 0;
}
