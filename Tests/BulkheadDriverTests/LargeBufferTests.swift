import Foundation
import XCTest

/// Marshalled buffers against what one call can carry (Fixtures/process/bigbuf).
final class LargeBufferTests: XCTestCase {
    /// Buffers that fit on a call's sub-stack go both ways intact; a 4 MiB one is a fault of the caller that
    /// names the gate, the size and the limit (it aborted with a bare "shared stack overflow" before).
    func testABufferLargerThanACallCarriesIsAFaultNamingTheGateSizeAndLimit() throws {
        let program = try TestSupport.buildFixture("process/bigbuf")
        let fits = try TestSupport.run([program])
        XCTAssertEqual(fits.status, 0, fits.stderr)
        XCTAssertEqual(fits.stdout, "65536 bytes: same both ways\n204800 bytes: same both ways\n")
        let big = try TestSupport.run([program, "big"])
        XCTAssertEqual(big.stdout, fits.stdout, "the calls before the large one")
        XCTAssertNotEqual(big.status, 0)
        XCTAssertTrue(big.stderr.contains("bulkhead: compartment 'main': gate 'lib_fill' into compartment 'lib' marshals 4194304 bytes in one piece; a call carries at most 262128"),
                      big.stderr)
    }
}
