/* syscall_trace.h: `bulkhead syscalls`' recording (syscall_trace.c), for the filter's builder (seccomp.c). */
#ifndef BH_SYSCALL_TRACE_H
#define BH_SYSCALL_TRACE_H
#include <stdint.h>

/* The program was built by `bulkhead syscalls`: filters notify the supervisor instead of denying. */
int bh_syscall_trace_on(void);
/* Right after this process loaded its filter: hands the filter's listener to the supervisor; 0, or -1. */
int bh_syscall_trace_listen(int32_t comp, int fd);

#endif
