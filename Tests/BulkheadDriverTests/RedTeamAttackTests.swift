import Foundation
import XCTest

/// What a red-team review of the process backend's runtime found after the defences of classes 1-9 (README,
/// "Threat model: calls between compartments"): one program (Fixtures/attacks/red-team, built once), one
/// mode per finding, the attacker in compartment `evil`. Each test shows that the attack no longer reaches its
/// goal, and that the program finished or reported a contained fault.
final class RedTeamAttackTests: XCTestCase {
    static var built: String?

    func program() throws -> String {
        if let p = Self.built { return p }
        let p = try TestSupport.buildFixture("attacks/red-team")
        Self.built = p
        return p
    }

    /// The thief points its channel's hand-over words at bytes of the memory that main and the vault share
    /// (zeros: gate 0, erase_vault, which only main has) and hands the channel to the vault.
    func testAHandOverOfAFrameItsCallerDidNotPostIsRefused() throws {
        let r = try TestSupport.run(["timeout", "30", try program(), "inject"])
        XCTAssertTrue(r.stdout.contains("thief: gate 0 is erase_vault"), r.stdout)  // the attack ran as planned
        XCTAssertFalse(r.stdout.contains("vault: erased"), r.stdout)
        XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'safe' refused a call from an unknown caller: its frame was not handed over by a party of the call"), r.stderr)
        XCTAssertEqual(r.status, 134, r.stderr)
    }

    /// The thief lends vault_rename a 12-letter name while a thread of its own removes and puts back its NUL,
    /// so that the vault's copy (after its length check) would run into its `admin` flag.
    func testALentStringCannotChangeAfterTheCalleesCheck() throws {
        let r = try TestSupport.run(["timeout", "120", try program(), "string"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("thief: admin 0 after 20000 calls"), r.stdout)  // every call made, none got in
        XCTAssertTrue(r.stdout.hasSuffix("done\nmain: state saved\n"), r.stdout)
    }

    /// The thief answers main's call of thief_name with a result pointer aimed at main's own data (main's stub
    /// would copy it and main hand it back to the thief).
    func testAResultOutsideTheMemoryTheCalleeLentIsRefused() throws {
        let r = try TestSupport.run(["timeout", "30", try program(), "result"])
        XCTAssertTrue(r.stdout.contains("thief: got 'hello'"), r.stdout)  // the thief's hook is in place
        XCTAssertFalse(r.stdout.contains("MAIN-MOTTO-SECRET") || r.stderr.contains("MAIN-MOTTO-SECRET"), r.stdout)
        XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'main' refused the result of gate 'thief_name' from compartment 'evil': it lies outside the memory the callee lent"), r.stderr)
        XCTAssertEqual(r.status, 134, r.stderr)
    }

    /// The thief finds the order of the program's exit handlers and marks every entry as run already, so that
    /// main's own handler would be skipped at exit.
    func testTheExitHandlersMainRunsAreNotInSharedMemory() throws {
        let r = try TestSupport.run(["timeout", "30", try program(), "exits"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("thief: rewrote "), r.stdout)  // the attack ran (and found nothing)
        XCTAssertTrue(r.stdout.hasSuffix("done\nmain: state saved\n"), r.stdout)
    }

    /// The thief moves the shared count of channels back to 0; main then starts a thread, and both threads make
    /// 2000 calls at once (on one channel, had the new thread been given the first one's).
    func testAThreadIsNeverGivenAChannelInUse() throws {
        let r = try TestSupport.run(["timeout", "60", try program(), "channels"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("thief: channel count 1 -> 0"), r.stdout)  // the attack ran
        XCTAssertTrue(r.stdout.contains("checks: 4000 of 4000\ndone\nmain: state saved\n"), r.stdout)
        XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'main': the shared count of channels went back (to 0, 1 exist): skipped"), r.stderr)
    }
}
