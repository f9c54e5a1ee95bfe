import Foundation
import XCTest

/// The shared heap's metadata under attack (issue 12, class 9: Fixtures/attacks/heap). Main and the thief
/// (compartment `evil`) both allocate from the shared heap; the thief attacks what main's allocator acts on.
/// Each test fails on a runtime whose allocator keeps its lock and metadata in shared memory.
final class HeapAttackTests: XCTestCase {
    static var program: String?

    func build() throws -> String {   // one build for the three tests
        if let p = Self.program { return p }
        let p = try TestSupport.buildFixture("attacks/heap")
        Self.program = p
        return p
    }

    /// The heap's lock was a robust pthread mutex in shared memory, whose list words glibc follows at
    /// unlock: a thread of the thief rewrote them while main allocated, and main's unlock wrote a value of the
    /// thief's choice into main's private data. Now no lock of the heap lies in shared memory.
    func testTheHeapsLockCannotBeTurnedIntoAWriteInAnotherProcess() throws {
        let r = try TestSupport.run(["timeout", "60", try build(), "lock"])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("main's private word: intact\n"), r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasSuffix("done\n"), r.stdout)
    }

    /// A block freed by another compartment's process stays allocated to its owner: the thief freeing a
    /// block main still uses does not make main's next malloc hand it out again.
    func testAFreeByAnotherCompartmentDoesNotMakeTheOwnerHandTheBlockOutAgain() throws {
        let r = try TestSupport.run(["timeout", "20", try build(), "overlap"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "blocks overlap: no\na: MAIN-BLOCK-A\ndone\n")
    }

    /// The size of a block comes from its owner's private metadata: a size class forged in shared memory
    /// does not make realloc grow a block in place over the next one.
    func testAForgedSizeDoesNotMakeReallocGrowOverAnotherBlock() throws {
        let r = try TestSupport.run(["timeout", "20", try build(), "grow"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "grown in place: no\nb: MAIN-BLOCK-B\ndone\n")
    }

    /// A restarted compartment's process allocates above the spans its predecessor took: a block that the
    /// thief's first process handed main is not handed out again by the process that replaced it.
    func testARestartedCompartmentDoesNotHandOutItsPredecessorsBlocksAgain() throws {
        let r = try TestSupport.run(["timeout", "20", try build(), "restart"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "crash: -1\nafter the restart: another block; kept: KEPT-BY-MAIN\ndone\n")
        XCTAssertTrue(r.stderr.contains("bulkhead: compartment 'evil' faulted"), r.stderr)
    }
}
