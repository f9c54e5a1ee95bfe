import BulkheadModel

/// `bulkhead.stamp` in the tree: what the tree was made from (the generator's version, the translation units,
/// a hash of every input file) and a hash of every file written. `bulkhead check` compares it first and
/// parses nothing when all of it still holds. Content hashes only, so the stamp is deterministic.
public struct Stamp: Equatable, Sendable {
    public static let fileName = "bulkhead.stamp"

    public var generator: String
    public var backend: String
    /// Relative path (to the annotation file's folder) -> hash, for the annotation file, compile_commands and
    /// every file the translation units read below that folder.
    public var inputs: [String: String]
    /// The translation units, relative.
    public var units: [String]
    /// Tree path -> hash, for every other file of the tree.
    public var outputs: [String: String]

    public init(generator: String, backend: String, inputs: [String: String], units: [String], outputs: [String: String]) {
        self.generator = generator
        self.backend = backend
        self.inputs = inputs
        self.units = units.sorted()
        self.outputs = outputs
    }

    public func render() -> String {
        var s = "# bulkhead stamp: what this tree was made from; `bulkhead check` reads it\n"
        s += "generator \(generator)\n"
        s += "backend \(backend)\n"
        for u in units { s += "unit \(u)\n" }
        for k in inputs.keys.sorted() { s += "input \(inputs[k]!) \(k)\n" }
        for k in outputs.keys.sorted() { s += "output \(outputs[k]!) \(k)\n" }
        return s
    }

    public static func parse(_ text: String) -> Stamp? {
        var stamp = Stamp(generator: "", backend: "", inputs: [:], units: [], outputs: [:])
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let head = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard head.count == 2 else { return nil }
            let pair = head[1].split(separator: " ", maxSplits: 1).map(String.init)
            switch head[0] {
            case "generator": stamp.generator = head[1]
            case "backend": stamp.backend = head[1]
            case "unit": stamp.units.append(head[1])
            case "input" where pair.count == 2: stamp.inputs[pair[1]] = pair[0]
            case "output" where pair.count == 2: stamp.outputs[pair[1]] = pair[0]
            default: return nil
            }
        }
        return stamp.generator.isEmpty ? nil : stamp
    }

    /// 64-bit FNV-1a of the bytes and their length, as hex: enough to tell an edited file.
    public static func hash(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex + "-" + String(bytes.count)
    }
}
