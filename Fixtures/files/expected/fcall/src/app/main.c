#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int store_open(const char *path);
long store_append(int fd, const char *text);
int store_pipe(int fds[2]);
long store_drain(int fd, char *buf, long cap);
int store_dup_and_close(int fd, int to);

static void dump(const char *what, int fd)
{
    char buf[256];
    if (lseek(fd, 0, SEEK_SET) != 0) { printf("%s: lseek failed: %s\n", what, strerror(errno)); return; }
    long n = (long)read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("%s (%ld bytes):\n%s", what, n, buf);
}

extern __typeof__(store_append) bh_gate_store_append;
extern __typeof__(store_drain) bh_gate_store_drain;
extern __typeof__(store_dup_and_close) bh_gate_store_dup_and_close;
extern __typeof__(store_open) bh_gate_store_open;
extern __typeof__(store_pipe) bh_gate_store_pipe;
int main(void)
{
    /* a descriptor the store opened, used here */
    int fd = bh_gate_store_open("store.txt");
    printf("store_open -> %s\n", fd >= 0 ? "a descriptor" : "failed");
    const char *mine = "main: second line\n";
    if (write(fd, mine, strlen(mine)) < 0) printf("main: write failed: %s\n", strerror(errno));
    dump("store.txt", fd);

    /* a descriptor main opened, written by the store at the offset main left */
    int own = open("main.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(own, "main: opened me\n", 16);
    printf("store_append -> %ld\n", bh_gate_store_append(own, "store: appended\n"));
    dump("main.txt", own);

    /* a pipe the store made: main writes, the store reads */
    int fds[2] = { -1, -1 };
    printf("store_pipe -> %d\n", bh_gate_store_pipe(fds));
    write(fds[1], "through the pipe", 16);
    char got[64];
    long n = bh_gate_store_drain(fds[0], got, sizeof got);
    printf("store_drain -> %ld '%s'\n", n, got);

    /* the store duplicates main's descriptor and closes the original: main sees both */
    int rc = bh_gate_store_dup_and_close(own, 40);
    printf("store_dup_and_close -> %d; original %s; duplicate %s\n", rc,
           fcntl(own, F_GETFD) < 0 && errno == EBADF ? "closed" : "still open",
           fcntl(40, F_GETFD) >= 0 ? "open" : "missing");
    dump("main.txt via 40", 40);

    /* stdio over a descriptor the store opened */
    FILE *f = fdopen(fd, "a");
    fprintf(f, "main: through stdio\n");
    fclose(f);
    int again = open("store.txt", O_RDONLY);
    dump("store.txt again", again);
    close(again);
    close(40);
    close(fds[0]);
    close(fds[1]);
    unlink("store.txt");
    unlink("main.txt");

    /* the program's own children: a child it forks is waited for, and then there is none left (the
     * runtime's processes are not the program's children) */
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) _exit(7);
    int status = 0;
    pid_t waited = wait(&status);
    printf("wait -> %s, status %d\n", waited == child ? "the child" : "something else", WEXITSTATUS(status));
    waited = wait(NULL);
    printf("wait again -> %d (%s)\n", (int)waited, waited < 0 && errno == ECHILD ? "no children" : "unexpected");
    return 0;
}
