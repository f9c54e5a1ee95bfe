#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Opens (creating) a file and writes a first line: the number goes back to main, which uses it. */
int store_open(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    const char *line = "store: first line\n";
    if (write(fd, line, strlen(line)) < 0) return -1;
    return fd;
}

/* Appends to a descriptor that main opened. */
long store_append(int fd, const char *text)
{
    return (long)write(fd, text, strlen(text));
}

int store_pipe(int fds[2])
{
    return pipe(fds);
}

/* Reads what main wrote into the pipe the store made. */
long store_drain(int fd, char *buf, long cap)
{
    long n = (long)read(fd, buf, (size_t)cap - 1);
    buf[n > 0 ? n : 0] = 0;
    return n;
}

/* Duplicates a descriptor onto a fixed number, then closes main's original. */
int store_dup_and_close(int fd, int to)
{
    if (dup2(fd, to) != to) return -1;
    return close(fd);
}
