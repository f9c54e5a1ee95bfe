#include <fcntl.h>
#include <stdio.h>

int evil_steal(const char *path, int granted);

int main(int argc, char **argv)
{
    if (argc < 3) return 2;
    int fd = open(argv[2], O_RDONLY);   /* main keeps the program's privileges */
    printf("main opened the granted file: %s\n", fd >= 0 ? "yes" : "no");
    fflush(stdout);
    evil_steal(argv[1], fd);
    printf("done\n");
    return 0;
}
