import BulkheadModel
import Foundation
import Yams

/// Reads `explore.yaml` into an `ExploreSpec`; every problem is reported at its file:line:col, as for bulkhead.yaml.
public enum ExploreParser {
    public static func load(path: String) throws -> ExploreSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiagnosticError(.error("cannot read explore file '\(path)'"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DiagnosticError(.error("the explore file is not valid UTF-8 text; save it as UTF-8",
                                         at: SourceLocation(file: path, line: 1, column: 1)))
        }
        let base = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        return try parse(text: text, path: path, displayPath: path, baseDirectory: base)
    }

    public static func parse(text: String, path: String, displayPath: String, baseDirectory: String) throws -> ExploreSpec {
        let lines = LineTable(text)
        let start = SourceLocation(file: displayPath, line: 1, column: 1)
        if ConfigParser.maximumDepthBound(text) > 200 {
            throw DiagnosticError(.error("this file nests lists and maps too deeply; an explore.yaml needs at most 4 levels",
                                         at: start))
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw DiagnosticError(ConfigParser.yamlDiagnostic(error, lines: lines, displayPath: displayPath))
        }
        var reader = ConfigReader(displayPath: displayPath, lines: lines, sink: DiagnosticSink())
        let spec = reader.readExplore(root, path: path, baseDirectory: baseDirectory)
        if let spec, !reader.sink.hasErrors { return spec }
        if !reader.sink.hasErrors { reader.sink.error("the explore file could not be read", at: start) }
        let sorted = reader.sink.diagnostics.enumerated().sorted {
            ($0.element.location ?? start, $0.offset) < ($1.element.location ?? start, $1.offset)
        }
        throw DiagnosticError(sorted.map(\.element))
    }
}

extension ConfigReader {
    static let exploreKeys = ["base", "isolate", "together", "backends", "hardening", "harden_default", "mix_backends", "syscalls",
                              "workload", "budget"]
    static let workloadKeys = ["command", "runs", "metric", "better", "check_output"]
    static let budgetKeys = ["ratio", "max", "min"]

    mutating func readExplore(_ root: Node?, path: String, baseDirectory: String) -> ExploreSpec? {
        let start = SourceLocation(file: displayPath, line: 1, column: 1)
        guard let root, !isNull(root) else {
            sink.error("the explore file is empty; it needs at least 'base', 'isolate', 'workload' and 'budget'", at: start)
            return nil
        }
        guard case .mapping = root else {
            sink.error("expected a map of settings at the top level, like 'base: bulkhead.yaml'; found \(describe(root))",
                       at: location(root))
            return nil
        }
        let top = keyed(entries(root, allowed: Self.exploreKeys, context: ""))
        let here = location(root)
        let base = required("base", in: top, at: here).flatMap { string($0, example: "base: bulkhead.yaml") }

        var isolate: [Located<String>] = []
        if let e = required("isolate", in: top, at: here) {
            isolate = strings(e, example: "[parser, codec]")
            for name in isolate { checkName(name, what: "library") }
            if isolate.isEmpty, !sink.hasErrors {
                sink.error("'isolate' must name at least one library that may leave the default compartment, like [parser]",
                           at: e.valueLocation)
            }
            var seen = Set<String>()
            for name in isolate where !seen.insert(name.value).inserted {
                sink.error("library '\(name.value)' is listed twice in 'isolate'; remove one", at: name.location)
            }
        }

        var together: [[Located<String>]]?
        if let e = top["together"], !isNull(e.value) {
            together = []
            if case .sequence(let groups) = e.value {
                for g in groups {
                    let item = Entry(key: "together", keyLocation: e.keyLocation, value: g, valueLocation: location(g))
                    let names = strings(item, example: "[[parser, codec]]")
                    for n in names where !isolate.contains(where: { $0.value == n.value }) {
                        sink.error("'\(n.value)' in 'together' is not listed in 'isolate'"
                                   + Spelling.didYouMean(n.value, among: isolate.map(\.value)), at: n.location)
                    }
                    together?.append(names)
                }
            } else {
                sink.error("expected a list of groups for 'together', like [[parser, codec]]; found \(describe(e.value))",
                           at: e.valueLocation)
            }
        }

        var backends: [Located<BackendKind>] = []
        if let e = top["backends"] {
            for b in strings(e, example: "[fcall, process]") {
                if let kind: BackendKind = choice(b, key: "backends"), !backends.contains(where: { $0.value == kind }) {
                    backends.append(Located(kind, at: b.location))
                }
            }
        } else {
            backends = [Located(.fcall, at: here), Located(.process, at: here)]
        }
        if backends.isEmpty, !sink.hasErrors {
            sink.error("'backends' must name at least one backend, like [fcall, process]", at: top["backends"]!.valueLocation)
        }

        var hardening: [Set<Hardening>] = [[]]
        if let e = top["hardening"], !isNull(e.value) {
            hardening = readHardening(e)
        }

        var hardenDefault = true
        if let e = top["harden_default"], let b = bool(e) { hardenDefault = b }
        var mixBackends = false
        if let e = top["mix_backends"], let b = bool(e) { mixBackends = b }

        var syscalls: [ExploreSpec.SyscallCandidate] = []
        if let e = top["syscalls"], !isNull(e.value),
           let m = map(e, what: "a map from library to its allowlist", example: "syscalls: { parser: [read, write] }") {
            for lib in entries(m, allowed: nil, context: " in 'syscalls'") {
                let name = Located(lib.key, at: lib.keyLocation)
                checkName(name, what: "library")
                let names = known(strings(lib, example: "[read, write]"), among: Self.syscalls, what: "syscall",
                                  otherwise: "; write a Linux x86_64 system call name, like 'read'")
                syscalls.append(.init(library: name, names: names))
            }
        }

        let workload = required("workload", in: top, at: here).flatMap { readWorkload($0) }
        let budget = required("budget", in: top, at: here).flatMap { readBudget($0, workload: workload) }

        guard let base, let workload, let budget, !sink.hasErrors else { return nil }
        var spec = ExploreSpec(path: path, baseDirectory: baseDirectory, displayPath: displayPath, base: base,
                               isolate: isolate, together: together, backends: backends, hardening: hardening,
                               hardeningLocation: top["hardening"]?.valueLocation, hardenDefault: hardenDefault,
                               syscalls: syscalls, workload: workload, budget: budget)
        spec.mixBackends = mixBackends
        return spec
    }

    /// `[a, b]`: every subset of these; `[[], [a], [a, b]]`: exactly these sets. The empty set is always a choice.
    private mutating func readHardening(_ e: Entry) -> [Set<Hardening>] {
        guard case .sequence(let items) = e.value else {
            sink.error("expected a list for 'hardening', like [stack-protector, asan] (every subset) or "
                       + "[[], [stack-protector]] (these sets); found \(describe(e.value))", at: e.valueLocation)
            return [[]]
        }
        let nested = items.contains { if case .sequence = $0 { return true } else { return false } }
        var sets: [Set<Hardening>] = [[]]
        if nested {
            for item in items {
                let entry = Entry(key: "hardening", keyLocation: e.keyLocation, value: item, valueLocation: location(item))
                var set = Set<Hardening>()
                for h in strings(entry, example: "[[], [stack-protector]]") {
                    if let v: Hardening = choice(h, key: "hardening") { set.insert(v) }
                }
                if !sets.contains(set) { sets.append(set) }
            }
        } else {
            var options: [Hardening] = []
            for h in strings(e, example: "[stack-protector, asan]") {
                if let v: Hardening = choice(h, key: "hardening"), !options.contains(v) { options.append(v) }
            }
            if options.count > 6 {
                sink.error("at most 6 hardening options can be combined freely; list the sets to try instead, "
                           + "like [[], [stack-protector]]", at: e.valueLocation)
                return [[]]
            }
            for mask in 1..<(1 << options.count) {
                sets.append(Set(options.indices.filter { mask & (1 << $0) != 0 }.map { options[$0] }))
            }
        }
        return sets
    }

    private mutating func readWorkload(_ e: Entry) -> ExploreSpec.Workload? {
        let example = "workload: { command: './bench.sh \"$BULKHEAD_PROGRAM\"', runs: 5 }"
        guard let m = map(e, what: "a map with the command to measure", example: example) else { return nil }
        let keys = keyed(entries(m, allowed: Self.workloadKeys, context: " in 'workload'"))
        guard let command = required("command", in: keys, at: e.keyLocation, context: " in 'workload'")
            .flatMap({ string($0, example: example) }) else { return nil }
        var workload = ExploreSpec.Workload(command: command)
        if let r = keys["runs"] {
            if let n = number(r) {
                if n >= 1, n <= 1000, n == n.rounded() { workload.runs = Int(n) } else {
                    sink.error("'runs' must be a whole number from 1 to 1000, like 'runs: 5'", at: r.valueLocation)
                }
            }
        }
        if let metric: Located<ExploreSpec.Workload.Metric> = option(keys["metric"], example: "metric: time") {
            workload.metric = metric.value
        }
        if let better: Located<ExploreSpec.Workload.Better> = option(keys["better"], example: "better: higher") {
            workload.better = better.value
            if workload.metric != .output, better.value == .higher {
                sink.error("a time is better when it is lower; 'better: higher' needs 'metric: output'",
                           at: better.location)
            }
        }
        if let c = keys["check_output"], let b = bool(c) { workload.checkOutput = b }
        return workload
    }

    private mutating func readBudget(_ e: Entry, workload: ExploreSpec.Workload?) -> ExploreSpec.Budget? {
        let example = "budget: { ratio: 1.5 }"
        guard let m = map(e, what: "a map with one bound", example: example) else { return nil }
        let all = entries(m, allowed: Self.budgetKeys, context: " in 'budget'")
        guard all.count == 1, let bound = all.first else {
            if all.count > 1 || !sink.hasErrors {
                sink.error("'budget' must hold exactly one of ratio, max, min, like '\(example)'", at: e.keyLocation)
            }
            return nil
        }
        guard let value = number(bound), value > 0 else {
            sink.error("'\(bound.key)' must be a positive number, like '\(bound.key): 1.5'", at: bound.valueLocation)
            return nil
        }
        let kind = ExploreSpec.Budget.Kind(rawValue: bound.key)!
        if kind == .ratio, value < 1 {
            sink.error("a ratio budget is at least 1 (1.5 allows 1.5x the baseline's cost)", at: bound.valueLocation)
        }
        let better = workload?.better ?? .lower
        if kind == .max, better == .higher {
            sink.error("'max' bounds a metric that is better lower; with 'better: higher' write 'min'", at: bound.keyLocation)
        }
        if kind == .min, better == .lower {
            sink.error("'min' bounds a metric that is better higher; with a lower-is-better metric write 'max'",
                       at: bound.keyLocation)
        }
        return ExploreSpec.Budget(kind: kind, value: value, location: bound.valueLocation)
    }

    private mutating func number(_ e: Entry) -> Double? {
        if case .scalar(let s) = e.value, [Tag.Name.int.rawValue, Tag.Name.float.rawValue].contains(e.value.tag.description),
           let v = Double(s.string) {
            return v
        }
        sink.error("expected a number for '\(e.key)'; found \(describe(e.value))", at: e.valueLocation)
        return nil
    }
}
