import BulkheadConfig
import BulkheadExplore
import XCTest

/// The safety order is a partial order over every enumerated configuration, and orders what it should.
final class SafetyOrderTests: XCTestCase {
    func testPartialOrderOverEveryConfigurationOfTheSyntheticFixture() throws {
        let order = try ExploreTestSupport.plan().space.order
        let n = order.configurations.count
        XCTAssertEqual(n, 252)
        var le = [[Bool]](repeating: [Bool](repeating: false, count: n), count: n)
        for i in 0..<n { for j in 0..<n { le[i][j] = order.lessOrEqual(i, j) } }
        for i in 0..<n { XCTAssertTrue(le[i][i], "not reflexive at \(order.configurations[i].label)") }
        for i in 0..<n {
            for j in 0..<n where i != j && le[i][j] && le[j][i] {
                XCTFail("not antisymmetric: \(order.configurations[i].label) and \(order.configurations[j].label)")
            }
        }
        var intransitive = 0
        for i in 0..<n { for j in 0..<n where le[i][j] { for k in 0..<n where le[j][k] && !le[i][k] { intransitive += 1 } } }
        XCTAssertEqual(intransitive, 0)
        // below/above agree with the relation, and bottomUp puts everything below a configuration first
        let position = Dictionary(uniqueKeysWithValues: order.bottomUp.enumerated().map { ($1, $0) })
        for j in 0..<n {
            XCTAssertEqual(Set(order.below[j]), Set((0..<n).filter { $0 != j && le[$0][j] }))
            for i in order.below[j] { XCTAssertLessThan(position[i]!, position[j]!) }
        }
        // every covering pair is in the relation with nothing between
        for (i, j) in order.covers {
            XCTAssertTrue(le[i][j])
            XCTAssertFalse((0..<n).contains { $0 != i && $0 != j && le[i][$0] && le[$0][j] })
        }
    }

    func testWhatIsSaferThanWhat() throws {
        let plan = try ExploreTestSupport.plan()
        let space = plan.space
        func index(_ label: String) -> Int {
            guard let i = space.configurations.firstIndex(where: { $0.label == label }) else {
                XCTFail("no configuration \(label)"); return 0
            }
            return i
        }
        let le = space.order.lessOrEqual
        // a finer split is safer than a coarser one with the same hardening
        XCTAssertTrue(le(index("process main+c | a,b"), index("process main+c | a | b")))
        XCTAssertFalse(le(index("process main+c | a | b"), index("process main+c | a,b")))
        // process is safer than fcall with the same hardening
        XCTAssertTrue(le(index("fcall main+b+c | a[sp]"), index("process main+b+c | a[sp]")))
        // more hardening is safer
        XCTAssertTrue(le(index("process main+b+c | a[sp]"), index("process main+b+c | a[sp,fort]")))
        // a split and a hardening option that differ are unordered
        XCTAssertFalse(le(index("process main+b+c | a"), index("fcall main+b+c | a[sp]")))
        XCTAssertFalse(le(index("fcall main+b+c | a[sp]"), index("process main+b+c | a")))
        // the baseline is the bottom of this space
        let bottom = index("fcall main+a+b+c")
        XCTAssertEqual(plan.baseline.configuration, space.configurations[bottom])
        XCTAssertTrue(space.configurations.indices.allSatisfy { le(bottom, $0) })
    }

    func testMixedMechanismsSeparation() {
        XCTAssertEqual(SafetyVector.separation(.process, .fcall), 2)
        XCTAssertEqual(SafetyVector.separation(.mpk, .mpk), 1)
        XCTAssertEqual(SafetyVector.separation(.mpk, .fcall), 0)
        XCTAssertEqual(SafetyVector.separation(.fcall, .fcall), 0)
    }
}
