import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// A small seeded generator (SplitMix64) so a failing property run can be replayed from its printed seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed for a property run: `VERSION_TEST_SEED` when set, otherwise random.
    static func seed() -> UInt64 {
        TestEnvironment.value("VERSION_TEST_SEED").flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
    }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
    mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &self))) })
    }
}

/// Generates valid Debian versions biased towards dpkg's edge cases.
struct DebianVersionGrammar {
    var rng: SeededGenerator

    mutating func number() -> String {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return "0" + rng.digits(Int.random(in: 1...3, using: &rng))      // leading zeros
        case 1: return rng.digits(Int.random(in: 19...30, using: &rng))           // beyond 64 bits
        case 2: return "0"
        default: return String(Int.random(in: 0...12, using: &rng))
        }
    }

    mutating func fragment(startWithDigit: Bool, extra: [String]) -> String {
        var s = startWithDigit ? number() : ""
        for _ in 0..<Int.random(in: (startWithDigit ? 0 : 1)...5, using: &rng) {
            s += rng.pick([".", ".", "+", "~", "~~", "a", "b", "rc", "Z", "z", "A"] + extra)
            if rng.chance(60) { s += number() }
        }
        return s
    }

    mutating func version() -> String {
        let epoch = rng.chance(30) ? rng.pick(["0", "1", "2", "10", "00", "01", "2147483647"]) + ":" : ""
        let revision = rng.chance(50) ? "-" + fragment(startWithDigit: rng.chance(70), extra: []) : ""
        var extra: [String] = []
        if !epoch.isEmpty { extra.append(":") }
        if !revision.isEmpty { extra.append("-") }
        return epoch + fragment(startWithDigit: true, extra: extra) + revision
    }

    /// A second valid version: often a small edit of `a`, so equal and near-equal pairs are frequent.
    mutating func partner(of a: String) -> String {
        let b = edit(of: a)
        return (try? DebianVersion(b)) != nil ? b : a
    }

    mutating func edit(of a: String) -> String {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return a
        case 1: return a + rng.pick(["~", "0", ".0", "a", "+", "-0", "~rc1"])
        case 2: return a.hasPrefix("0:") ? String(a.dropFirst(2)) : "0:" + a
        case 3:
            var s = Array(a)
            if let i = s.indices.filter({ s[$0] == "0" || s[$0] == "1" }).randomElement(using: &rng) {
                s.insert("0", at: i)
            }
            return String(s)
        case 4:
            var s = Array(a)
            if s.count > 2 { s.removeLast() }
            return String(s)
        default: return version()
        }
    }
}

@Suite struct DebianVersionTests {
    static func cmp(_ a: String, _ b: String) throws -> Int {
        DebianVersion.compare(try DebianVersion(a), try DebianVersion(b))
    }

    @Test(arguments: [
        ("1.0~rc1", "1.0", -1), ("1:0.1", "2.0", 1), ("1.0-1", "1.0-1.1", -1), ("1.0", "1.00", 0),
        ("0:1.0", "1.0", 0), ("1.0-0", "1.0", 0), ("1.0~~", "1.0~~a", -1), ("1.0~~a", "1.0~", -1),
        ("1.0~", "1.0", -1), ("1.0", "1.0a", -1), ("1.0a", "1.0+", -1), ("1.0+", "1.0.", -1),
        ("1.0.", "1.0.0", 0), ("1.0.", "1.0.1", -1), ("1a", "1a0", 0), ("1.18446744073709551616", "1.18446744073709551615", 1),
        ("1.000000000000000000000000001", "1.1", 0), ("2:1.0", "10:0.1", -1), ("1.6.10.2", "1.6.10.10", -1),
    ])
    func knownOrder(_ a: String, _ b: String, _ expected: Int) async throws {
        // The table itself is checked against dpkg, so no row is a guess.
        let op = expected < 0 ? "lt" : expected == 0 ? "eq" : "gt"
        #expect(try await Oracle.run(["dpkg", "--compare-versions", a, op, b]).status == 0)
        #expect(try Self.cmp(a, b).signum() == expected)
        #expect(try Self.cmp(b, a).signum() == -expected)
        #expect((try DebianVersion(a) == DebianVersion(b)) == (expected == 0))
    }

    @Test func equalVersionsHashEqually() throws {
        let set: Set<DebianVersion> = [try DebianVersion("1.0"), try DebianVersion("0:1.00-0"),
                                       try DebianVersion("1a"), try DebianVersion("1a0")]
        #expect(set.count == 2)
    }

    @Test func partsAndDescription() throws {
        let v = try DebianVersion(" 2:1.0-rc-3~b1 ")
        #expect(v.epoch == 2 && v.upstream == "1.0-rc" && v.revision == "3~b1" && v.syntaxWarning == nil)
        #expect(v.description == "2:1.0-rc-3~b1")
        #expect(try DebianVersion("0:1.0").description == "1.0")
        #expect(try DebianVersion("1:2:3").upstream == "2:3")
    }

    @Test(arguments: [
        ("", "version string is empty"), ("  ", "version string is empty"),
        ("1 0", "version string has embedded spaces"), (":1", "epoch in version is empty"),
        ("a:1", "epoch in version is empty"), ("1.0:1", "epoch in version is not number"),
        ("-1:2", "epoch in version is negative"), ("2147483648:1", "epoch in version is too big"),
        ("99999999999999999999999:1", "epoch in version is too big"), ("1:", "nothing after colon in version number"),
        ("1.0-", "revision number is empty"), ("-1", "version number is empty"), ("1:-1", "version number is empty"),
        ("1.0\u{0}", "version string contains a NUL byte"), ("9: ", "version number is empty"),
    ])
    func errorsAreRefused(_ text: String, _ reason: String) {
        #expect(throws: AgentError.self) { try DebianVersion(text, allowingBadSyntax: true) }
        do {
            _ = try DebianVersion(text, allowingBadSyntax: true)
        } catch {
            #expect(error.message.hasSuffix(reason))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test(arguments: [
        ("a1", "version number does not start with digit"), ("1.0_1", "invalid character in version number"),
        ("1.0-a_b", "invalid character in revision number"), ("1.0é", "invalid character in version number"),
        ("1.0\n", "invalid character in version number"),
    ])
    func warningsAreRefusedUnlessAllowed(_ text: String, _ reason: String) throws {
        #expect(throws: AgentError.self) { try DebianVersion(text) }
        #expect(try DebianVersion(text, allowingBadSyntax: true).syntaxWarning == reason)
    }

    /// Versions dpkg only warns about are still ordered as dpkg orders them (bytes ≥ 0x80 between letters and
    /// punctuation, `_` as punctuation, a non-digit start).
    @Test(arguments: [("1.0é", "1.0z", 1), ("1.0é", "1.0+", -1), ("1.0_1", "1.0.1", 1), ("a1", "1", 1), ("1.0-a_b", "1.0-a.b", 1)])
    func badSyntaxStillOrdersLikeDpkg(_ a: String, _ b: String, _ expected: Int) async throws {
        let x = try DebianVersion(a, allowingBadSyntax: true), y = try DebianVersion(b, allowingBadSyntax: true)
        #expect(DebianVersion.compare(x, y).signum() == expected)
        let op = expected < 0 ? "lt" : expected == 0 ? "eq" : "gt"
        #expect(try await Oracle.run(["dpkg", "--compare-versions", a, op, b]).status == 0)
    }

    /// ≥ 10,000 generated pairs against `dpkg --compare-versions` (one bash loop, one process).
    @Test func agreesWithDpkgOnGeneratedPairs() async throws {
        let seed = SeededGenerator.seed()
        var grammar = DebianVersionGrammar(rng: SeededGenerator(seed: seed))
        var pairs: [(String, String)] = []
        for _ in 0..<10_000 {
            let a = grammar.version()
            pairs.append((a, grammar.partner(of: a)))
        }
        let clock = ContinuousClock()
        let start = clock.now
        let (expected, warnings) = try await Oracle.dpkgOrder(pairs)
        let elapsed = clock.now - start
        #expect(!warnings.contains("warning"), "seed \(seed): generator produced bad syntax")
        #expect(expected.count == pairs.count, "seed \(seed)")
        var mismatches: [String] = []
        var seen: [String: Int] = [:]
        for (pair, oracle) in zip(pairs, expected) {
            seen[oracle, default: 0] += 1
            let c: Int
            do { c = try Self.cmp(pair.0, pair.1) } catch let error as AgentError {
                mismatches.append("\(pair): \(error.message)")
                continue
            }
            let ours = c < 0 ? "lt" : c == 0 ? "eq" : "gt"
            if ours != oracle { mismatches.append("\(pair.0) \(pair.1): dpkg \(oracle), ours \(ours)") }
        }
        #expect(mismatches.isEmpty, "seed \(seed), \(mismatches.count) mismatches: \(mismatches.prefix(10))")
        #expect(seen.count == 3, "seed \(seed): every outcome should occur: \(seen)")
        print("dpkg oracle: \(pairs.count) pairs in \(elapsed), outcomes \(seen), seed \(seed)")
    }

    /// Arbitrary strings: we refuse exactly what dpkg refuses, warn exactly where dpkg warns, with dpkg's reason.
    @Test func syntaxVerdictsAgreeWithDpkg() async throws {
        let seed = SeededGenerator.seed()
        var rng = SeededGenerator(seed: seed)
        let pieces = ["1", "0", "9", "12", ":", ":", "-", "-", ".", "~", "+", "a", "Z", "_", " ", "\t", "é", "/", "00"]
        var samples: [String] = []
        while samples.count < 600 {
            let s = (0..<Int.random(in: 1...7, using: &rng)).map { _ in rng.pick(pieces) }.joined()
            if s.hasPrefix("-") || s.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }  // dpkg: option / blank
            samples.append(s)
        }
        let dir = TemporaryDirectory()
        try dir.write("samples", samples.map { $0 + "\n" }.joined())
        let script = """
            while IFS= read -r a; do
              err=$(dpkg --compare-versions "$a" eq "$a" 2>&1 >/dev/null); rc=$?
              printf '%s|%s\\n' "$rc" "$(printf '%s' "$err" | head -n1)"
            done < "$1"
            """
        let out = try await Oracle.run(["bash", "-c", script, "bash", dir.url("samples")])
        let lines = out.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == samples.count, "seed \(seed)")
        var mismatches: [String] = []
        for (s, line) in zip(samples, lines) {
            let rc = line.prefix { $0 != "|" }
            let reason = line.firstRange(of: "bad syntax: ").map { String(line[$0.upperBound...]) } ?? ""
            do {
                let v = try DebianVersion(s, allowingBadSyntax: true)
                let dpkgWarning = line.contains("warning:") ? reason : nil
                if rc != "0" || v.syntaxWarning != dpkgWarning {
                    mismatches.append("[\(s)]: dpkg \(line), ours warning \(v.syntaxWarning ?? "none")")
                }
            } catch {
                if rc != "2" || !error.message.hasSuffix(reason) {
                    mismatches.append("[\(s)]: dpkg \(line), ours \(error.message)")
                }
            }
        }
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches.prefix(10))")
    }
}
