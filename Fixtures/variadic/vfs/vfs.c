#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "vfs.h"

static char names[8][32];
static int opened;

int vfs_open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & VFS_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (opened == 8) return -1;
    snprintf(names[opened], sizeof names[opened], "%s", path);
    printf("vfs_open(\"%s\", %#o, %#o) = %d\n", names[opened], (unsigned)flags, (unsigned)mode, opened);
    return opened++;
}

int vfs_count(void)
{
    return opened;
}
