import Foundation
import XCTest

/// The machines here have no protection keys (PKU); Scripts/vm/run.sh runs programs in a QEMU guest whose CPU
/// has them (`-cpu max`), or lacks them (`-cpu max,-pku`). This checks the harness itself with a static
/// probe: a page keyed away faults with SEGV_PKUERR naming its key under PKU, and pkey_alloc fails without.
final class ProtectionKeyVMTests: XCTestCase {
    static let probe = #"""
    #define _GNU_SOURCE
    #include <errno.h>
    #include <signal.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/mman.h>
    #include <unistd.h>
    static int key;
    static void on_segv(int sig, siginfo_t *si, void *uc) {
        (void)sig; (void)uc;
        printf("fault code=%d pkey=%u expected=%d\n", si->si_code, si->si_pkey, key);
        exit(0);
    }
    int main(void) {
        key = pkey_alloc(0, 0);
        if (key < 0) { printf("no pkey: %s\n", strerror(errno)); return 3; }
        char *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        strcpy(p, "secret");
        if (pkey_mprotect(p, 4096, PROT_READ | PROT_WRITE, key) != 0) { perror("pkey_mprotect"); return 4; }
        printf("readable with the key's rights: %s\n", p);
        struct sigaction sa = {0};
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGSEGV, &sa, 0);
        pkey_set(key, PKEY_DISABLE_ACCESS);
        printf("read without rights: %c\n", *(volatile char *)p);
        return 1;
    }
    """#

    func testGuestWithAndWithoutProtectionKeys() throws {
        let root = Harness.packageRoot.path
        let bundle = Harness.work.appendingPathComponent("pku-vm-bundle").path
        try? FileManager.default.removeItem(atPath: bundle)
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        try Self.probe.write(toFile: bundle + "/probe.c", atomically: true, encoding: .utf8)
        try Harness.check(Harness.shell(["cc", "-static", "-O2", "-o", bundle + "/probe", bundle + "/probe.c"]), "compiling the probe")
        try "./probe; echo \"probe exit $?\"\n".write(toFile: bundle + "/run.sh", atomically: true, encoding: .utf8)

        let withKeys = try Harness.shell([root + "/Scripts/vm/run.sh", bundle])
        XCTAssertEqual(withKeys.status, 0, withKeys.stderr)
        XCTAssertEqual(withKeys.stdout, "readable with the key's rights: secret\nfault code=4 pkey=1 expected=1\nprobe exit 0\n",
                       withKeys.stderr)

        let without = try Harness.shell([root + "/Scripts/vm/run.sh", "--cpu", "max,-pku", bundle])
        XCTAssertEqual(without.status, 0, without.stderr)
        XCTAssertTrue(without.stdout.hasPrefix("no pkey: "), without.stdout)
        XCTAssertTrue(without.stdout.hasSuffix("probe exit 3\n"), without.stdout)
    }
}
