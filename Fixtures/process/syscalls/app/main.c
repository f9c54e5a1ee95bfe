#include <stdio.h>
#include <unistd.h>

long count_lines(const char *path);
unsigned long checksum(unsigned long n);

int main(int argc, char **argv) {
    printf("user id known: %s\n", getuid() == (uid_t)-1 ? "no" : "yes");
    for (int i = 1; i < argc; i++) printf("%s: %ld lines\n", argv[i], count_lines(argv[i]));
    printf("checksum %lu\n", checksum(100000));
    return 0;
}
