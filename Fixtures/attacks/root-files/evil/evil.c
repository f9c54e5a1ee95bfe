/* The attacker: root's file by its path, for reading and for writing; then the descriptor main granted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int evil_steal(const char *path, int granted)
{
    printf("attacker: uid %d, gid %d, %d supplementary groups\n", (int)getuid(), (int)getgid(), getgroups(0, NULL));
    char buf[128] = {0};
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        printf("read: %s\n", n > 0 ? buf : "(nothing)");
        close(fd);
    } else {
        printf("open for reading: %s\n", strerror(errno));
    }
    fd = open(path, O_WRONLY | O_APPEND);
    if (fd >= 0) {
        printf("append: %s\n", write(fd, "CHANGED", 7) == 7 ? "written" : "failed");
        close(fd);
    } else {
        printf("open for writing: %s\n", strerror(errno));
    }
    memset(buf, 0, sizeof buf);
    ssize_t n = pread(granted, buf, sizeof buf - 1, 0);
    printf("granted descriptor: %s\n", n > 0 ? buf : "unreadable");
    fflush(stdout);
    return 0;
}
