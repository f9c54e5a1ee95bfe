#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int evil_kill(int pid, int how);
int evil_spawn(int how);
int evil_orphan(int high);
int evil_group(void);

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int pid = argc > 2 ? atoi(argv[2]) : 0;
    if (strcmp(mode, "kill") == 0) evil_kill(pid, 0);
    else if (strcmp(mode, "tgkill") == 0) evil_kill(pid, 1);
    else if (strcmp(mode, "tkill") == 0) evil_kill(pid, 2);
    else if (strcmp(mode, "sigio") == 0) evil_kill(pid, 3);
    else if (strcmp(mode, "sigqueue") == 0) evil_kill(pid, 4);
    else if (strcmp(mode, "sigio-high") == 0) evil_kill(pid, 5);
    else if (strcmp(mode, "group") == 0) evil_group();
    else if (strcmp(mode, "fork") == 0) evil_spawn(0);
    else if (strcmp(mode, "clone") == 0) evil_spawn(1);
    else if (strcmp(mode, "clone3") == 0) evil_spawn(2);
    else if (strcmp(mode, "orphan") == 0 || strcmp(mode, "orphan-high") == 0) {
        printf("attacker %d\n", evil_orphan(mode[6] == '-'));   /* the test kills main with SIGKILL now */
        fflush(stdout);
        sleep(60);
    }
    printf("main done\n");
    return 0;
}
