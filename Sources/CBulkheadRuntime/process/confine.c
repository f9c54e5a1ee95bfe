/*
 * confine.c: what the program's processes give up so that code running in one compartment cannot reach
 * another process through the kernel (README, "Threat model").
 *   - Every process of the program is not dumpable (main sets it before the other processes exist; they
 *     inherit it): the kernel then lets only a holder of CAP_SYS_PTRACE at /proc/PID/mem,
 *     process_vm_readv/writev, ptrace and pidfd_getfd of it, even from a process of the same user.
 *   - A compartment process other than the default one's holds no capability at all (bounding, effective,
 *     permitted, inheritable and ambient sets emptied, root's special treatment at execve locked off), and
 *     sets no_new_privs, so root inside a compartment is an ordinary user without CAP_SYS_PTRACE.
 *   - It becomes a Landlock domain of its own where the kernel has Landlock: the kernel then refuses it
 *     ptrace access (and so /proc/PID/mem and process_vm_*) to every process outside the domain (the
 *     program's other processes and every other process of the user), and, from Landlock ABI 6 on,
 *     signals to them. The domain restricts nothing else (it handles only execution, allowed under /).
 * The baseline seccomp filter (seccomp.c) refuses the same calls again, and keeps the compartment from
 * undoing any of this (prctl) or making processes.
 */
#define _GNU_SOURCE
#include "bh_internal_runtime.h"
#include "bh_report.h"

#include <fcntl.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/securebits.h>
#include <sys/prctl.h>

void bh_make_undumpable(void) { prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

/* Every capability gone, for good. Without CAP_SETPCAP (not root) the bounding set and the securebits
 * stay as they were, which gives nothing back: no_new_privs keeps execve from adding capabilities. */
static int bh_drop_capabilities(void) {
    prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED
                                 | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
          0, 0, 0);
    for (int cap = 0; cap < 64; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL) break;   /* past the last one */
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capset, &h, d) != 0) return -1;
    if (syscall(SYS_capget, &h, d) != 0) return -1;
    return (d[0].effective | d[1].effective | d[0].permitted | d[1].permitted) ? -1 : 0;
}

/* The Landlock ruleset's attributes as of ABI 6 (older kernel headers lack `scoped`). */
struct bh_landlock_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};
#define BH_LANDLOCK_SCOPE_SIGNAL (1ull << 1)

/* A Landlock domain of this process's own; 0, or -1 where the kernel has no Landlock (nothing is lost:
 * the rest stands). */
static int bh_landlock_domain(void) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) return -1;
    struct bh_landlock_attr attr = {.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE,
                                    .scoped = abi >= 6 ? BH_LANDLOCK_SCOPE_SIGNAL : 0};
    size_t size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (rs < 0) return -1;
    int root = open("/", O_PATH | O_CLOEXEC);
    struct landlock_path_beneath_attr beneath = {.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE, .parent_fd = root};
    int rc = root >= 0 ? (int)syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) : -1;
    if (root >= 0) close(root);
    if (rc == 0) rc = (int)syscall(SYS_landlock_restrict_self, rs, 0);
    close(rs);
    return rc;
}

int bh_confine(void) {
    if (bh_drop_capabilities() != 0) {
        bh_report_start_failed("cannot drop the capabilities of a compartment process", errno);
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        bh_report_start_failed("cannot set no_new_privs", errno);
        return -1;
    }
    bh_landlock_domain();
    return 0;
}
