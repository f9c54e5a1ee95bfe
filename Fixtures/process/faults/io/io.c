#include <fcntl.h>
#include <unistd.h>

int io_open_config(const char *path)
{
    int fd = open(path, O_RDONLY);     /* not in this compartment's allowlist */
    if (fd >= 0) close(fd);
    return fd >= 0 ? 1 : 0;
}
