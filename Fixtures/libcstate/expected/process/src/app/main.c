#include <errno.h>
#include <stdio.h>
#include <string.h>

long worker_parse(const char *text);
void worker_report(int step);
void worker_finish(int status);

extern __typeof__(worker_finish) bh_gate_worker_finish;
extern __typeof__(worker_parse) bh_gate_worker_parse;
extern __typeof__(worker_report) bh_gate_worker_report;
int main(void)
{
    const char *inputs[] = { "42", "99999999999999999999999", "-7", "x" };
    for (int i = 0; i < 4; i++) {
        printf("main: parsing '%s' (pending in main's buffer)", inputs[i]);   /* no newline: stays buffered */
        errno = 0;
        long v = bh_gate_worker_parse(inputs[i]);                                       /* worker prints too */
        int e = errno;                                                          /* set by the callee */
        printf(" -> %ld, errno %s\n", v, e == ERANGE ? "ERANGE" : e == EINVAL ? "EINVAL" : e ? "other" : "0");
        fprintf(stderr, "main: stderr line %d\n", i);
        bh_gate_worker_report(i);
    }
    printf("main: calling worker_finish with output pending");
    bh_gate_worker_finish(3);                                                           /* exit(3) in the worker */
    printf("main: not reached\n");
    return 0;
}
