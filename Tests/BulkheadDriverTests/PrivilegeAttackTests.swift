import Foundation
import XCTest

/// A compartment's privileges over files when the program runs as root (issue 12; Fixtures/attacks/root-files).
final class PrivilegeAttackTests: XCTestCase {
    /// The attacker compartment opens a file only root may read and write (mode 0600, made here): refused,
    /// since a compartment process of a program that runs as root is the user nobody. The descriptor of
    /// another such file, which main opened and handed over, stays usable. Before, a compartment kept uid 0
    /// (without capabilities), which owns the file: it read the secret and appended to the file.
    func testACompartmentOfAProgramRunningAsRootCannotOpenRootsFiles() throws {
        try XCTSkipUnless(getuid() == 0, "only a program that runs as root drops to nobody")
        let program = try TestSupport.buildFixture("attacks/root-files")
        let dir = try TestSupport.temporaryDirectory("root-files-secrets")
        chmod(dir, 0o755)
        let secret = dir + "/secret", granted = dir + "/granted"
        for (path, text) in [(secret, "ROOT-ONLY-SECRET-99"), (granted, "GRANTED-CONTENT")] {
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
        }
        let r = try TestSupport.run(["timeout", "20", program, secret, granted])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertEqual(r.stdout, """
            main opened the granted file: yes
            attacker: uid 65534, gid 65534, 0 supplementary groups
            open for reading: Permission denied
            open for writing: Permission denied
            granted descriptor: GRANTED-CONTENT
            done

            """)
        XCTAssertEqual(try String(contentsOfFile: secret, encoding: .utf8), "ROOT-ONLY-SECRET-99")
    }
}
