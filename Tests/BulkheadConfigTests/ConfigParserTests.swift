import XCTest
@testable import BulkheadConfig
import BulkheadModel

final class ConfigParserTests: XCTestCase {
    func testExplore() {
        let inputs: [String] = [
            "", "   \n# c\n", "42", "- a\n- b", "program: [a\n", "program: a\n\tbackend: b\n", "a: b\n  c: d\n",
            "program: 'abc\n", "a: b\n---\nc: d\n", "{a: b", "program: x\nprogram: y\n", "\u{1}", "a: *x\n",
            "program: x\nlibraries:\n  l: {sources: [a.c]}\ncompartments:\n  m: {default: true}\n",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            "key: value: x\n", "- a\nb: c\n", "a:\n  - b\n c: d\n", "é: [ü, x\n",
            "program: x\ngates:\n  f:\n    ret: { dir: out, string: true, size: 3 }\n    args:\n      p: { dir: sideways, count: 4, string: yes }\n",
        ]
        let n = Int(ProcessInfo.processInfo.environment["DEPTH"] ?? "10") ?? 10
        let deep = String(repeating: "[", count: n) + String(repeating: "]", count: n)
        let deep2 = "a:\n" + String(repeating: "- ", count: n) + "x\n"
        let deep3 = String(repeating: "[\n", count: n)
        for input in [deep, deep2, deep3] {
            let t = Date()
            do { _ = try ConfigParser.parse(text: input, path: "b.yaml", displayPath: "b.yaml", baseDirectory: "/x") }
            catch { print(String(describing: error).prefix(300), Date().timeIntervalSince(t)) }
        }
        for input in inputs {
            do {
                let c = try ConfigParser.parse(text: input, path: "b.yaml", displayPath: "b.yaml", baseDirectory: "/x")
                print("OK \(input.debugDescription) -> \(c.program.value)")
            } catch {
                print("IN \(input.debugDescription)\n\(error)")
            }
        }
    }
}
