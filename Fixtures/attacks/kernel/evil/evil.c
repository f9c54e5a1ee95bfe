/* The attacker: code running in compartment 'attacker', calling what its filter lets it call. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* A live thread of process pid: the highest thread id in /proc/PID/task (a compartment's first thread has
 * ended, and /proc/PID/mem or process_vm_readv(PID) through it finds no memory). */
static int live_tid(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    int best = pid;
    for (struct dirent *e; d && (e = readdir(d));)
        if (atoi(e->d_name) > best) best = atoi(e->d_name);
    if (d) closedir(d);
    return best;
}

static void show(const char *how, const char *buf, long n)
{
    printf("%s: ", how);
    for (long i = 0; i < n && buf[i]; i++) putchar(buf[i] >= 32 && buf[i] < 127 ? buf[i] : '.');
    putchar('\n');
}

/* /proc/PID/mem: read 24 bytes at addr, then (write != 0) overwrite them */
int evil_procmem(int pid, uintptr_t addr, int write)
{
    char path[64], buf[32] = {0};
    if (pid == 0) pid = getppid();   /* the zygote */
    snprintf(path, sizeof path, "/proc/%d/mem", live_tid(pid));
    int fd = open(path, write ? O_RDWR : O_RDONLY);
    if (fd < 0) {
        printf("open %s: %s\n", path, strerror(errno));
        return -1;
    }
    long n = pread(fd, buf, 24, (off_t)addr);
    if (n > 0) show("procmem read", buf, n);
    else printf("procmem read: %s\n", strerror(errno));
    if (write) {
        n = pwrite(fd, "PWNED-BY-EVIL", 14, (off_t)addr);
        printf("procmem write: %ld\n", n);
    }
    close(fd);
    return 0;
}

int evil_vmread(int pid, uintptr_t addr)
{
    char buf[32] = {0};
    struct iovec local = {buf, 24}, remote = {(void *)addr, 24};
    pid = live_tid(pid);
    long n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n > 0) show("vmread", buf, n);
    else printf("vmread: %s\n", strerror(errno));
    char evil[] = "PWNED-BY-EVIL";
    struct iovec from = {evil, sizeof evil}, to = {(void *)addr, sizeof evil};
    printf("vmwrite: %ld\n", (long)process_vm_writev(pid, &from, 1, &to, 1, 0));
    return 0;
}

int evil_ptrace(int pid, uintptr_t addr)
{
    pid = live_tid(pid);
    if (ptrace(PTRACE_ATTACH, pid, 0, 0) != 0) {
        printf("ptrace attach: %s\n", strerror(errno));
        return -1;
    }
    int st;
    waitpid(pid, &st, __WALL);
    char buf[32] = {0};
    for (int i = 0; i < 3; i++) {
        long w = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr + 8 * i), 0);
        memcpy(buf + 8 * i, &w, 8);
    }
    show("ptrace read", buf, 24);
    ptrace(PTRACE_DETACH, pid, 0, 0);
    return 0;
}

int evil_dumpable(void)
{
    int rc = prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    printf("dumpable again: %d (now %d)\n", rc, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    return rc;
}
