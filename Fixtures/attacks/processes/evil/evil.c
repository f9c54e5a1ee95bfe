/* The attacker: code running in compartment 'attacker', calling what its filter lets it call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int evil_kill(int pid, int how)
{
    long rc;
    switch (how) {
    case 0: rc = kill(pid, SIGKILL); break;
    case 1: rc = syscall(SYS_tgkill, pid, pid, SIGKILL); break;
    case 2: rc = syscall(SYS_tkill, pid, SIGKILL); break;
    case 3: {   /* the owner of a pipe that becomes readable gets a signal, here SIGKILL */
        int fds[2];
        pipe(fds);
        rc = fcntl(fds[0], F_SETOWN, pid);
        if (rc == 0) rc = fcntl(fds[0], F_SETSIG, SIGKILL);
        if (rc == 0) rc = fcntl(fds[0], F_SETFL, O_ASYNC | O_NONBLOCK);
        if (rc == 0 && write(fds[1], "x", 1) != 1) rc = -1;
        break;
    }
    case 5: {   /* the same with the command's high 32 bits set: the kernel reads an int, a filter 64 bits */
        int fds[2];
        pipe(fds);
        rc = syscall(SYS_fcntl, fds[0], (1UL << 32) | F_SETOWN, (long)pid);
        if (rc == 0) rc = fcntl(fds[0], F_SETSIG, SIGKILL);
        if (rc == 0) rc = fcntl(fds[0], F_SETFL, O_ASYNC | O_NONBLOCK);
        if (rc == 0 && write(fds[1], "x", 1) != 1) rc = -1;
        break;
    }
    default: {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        si.si_code = SI_QUEUE;
        rc = syscall(SYS_rt_sigqueueinfo, pid, SIGKILL, &si);
    }
    }
    printf("signal %d: %ld (%s)\n", how, rc, rc == 0 ? "sent" : strerror(errno));
    return (int)rc;
}

/* A process that leaves the program's session and sleeps for a minute, its pid in ./outlived.pid. */
static void outlive(void)
{
    setsid();
    FILE *f = fopen("outlived.pid", "w");
    if (f) {
        fprintf(f, "%d\n", getpid());
        fclose(f);
    }
    for (int fd = 0; fd < 1024; fd++) close(fd);
    sleep(60);
    _exit(0);
}

int evil_spawn(int how)
{
    long pid;
    if (how == 0) {
        pid = fork();
    } else if (how == 1) {
        pid = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    } else {
        struct clone_args args;
        memset(&args, 0, sizeof args);
        args.exit_signal = SIGCHLD;
        pid = syscall(SYS_clone3, &args, sizeof args);
    }
    if (pid == 0) outlive();
    printf("spawn %d: %s\n", how, pid > 0 ? "a new process" : strerror(errno));
    return pid > 0;
}

/* No signal when its parent (the zygote) dies: it would outlive a program killed with SIGKILL. `high` sets
 * the option's high 32 bits, which the kernel ignores (it reads an int). */
int evil_orphan(int high)
{
    long rc = high ? syscall(SYS_prctl, (1UL << 32) | PR_SET_PDEATHSIG, 0L, 0L, 0L, 0L) : prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    printf("parent-death signal cleared: %ld\n", rc);
    return getpid();
}

/* A process group or session of its own: with a group of its own it could make itself the terminal's
 * foreground group (TIOCSPGRP) and stop main at its next terminal read. */
int evil_group(void)
{
    long a = setpgid(0, 0), b = setsid();
    printf("setpgid %ld, setsid %ld: %s\n", a, b, a == 0 || b >= 0 ? "a group of its own" : strerror(errno));
    return a == 0 || b >= 0;
}
