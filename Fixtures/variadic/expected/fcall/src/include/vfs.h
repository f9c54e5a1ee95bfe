#ifndef VFS_H
#define VFS_H
#include <sys/types.h>

#define VFS_RDONLY 0
#define VFS_CREAT 0100

/* open-style: a mode follows when flags has VFS_CREAT */
int vfs_open(const char *path, int flags, ...);
int vfs_count(void);

#define vfs_open_ro(path) bh_vgate_vfs_open_v((path), VFS_RDONLY)

#endif
