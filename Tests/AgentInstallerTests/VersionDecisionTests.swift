import AgentInstaller
import AgentSupport
import Testing
import TestSupport

@Suite struct VersionDecisionTests {
    @Test(arguments: [
        ("omi-1.6.10-2.ulinux.s.x64", "1.6.10.2"), ("omsagent-1.14.19-0.universal.x64", "1.14.19.0"),
        ("scx-1.6.12-1.universal.s.x64", "1.6.12.1"), ("omsconfig-1.1.1-932.x64", "1.1.1.932"),
        ("omi-1.6.10-2.x86_64", "1.6.10.2"), ("omsagent-1.14.19-0.universal.x86.sh", "1.14.19.0"),
        ("docker-cimprov-1.0.0-1.universal.x86_64", "1.0.0.1"), ("1.6.10.2", "1.6.10.2"),
        ("1.6.10-2", "1.6.10.2"), ("1.2.3.4.5.6", "1.2.3.4"), ("1.6-2.ulinux.s.x64", "1.6.2.ulinux"),
        ("1.0~rc1-3", "1.0~rc1.3"),
    ])
    func normalisation(_ text: String, _ expected: String) {
        #expect(VersionDecision.normalise(text) == expected)
    }

    @Test func normalisationWithPackageName() {
        #expect(VersionDecision.normalise("omi-1.6.10-2.ulinux.s.x64", packageName: "omi") == "1.6.10.2")
        #expect(VersionDecision.normalise("docker-cimprov-1.0.0-1.universal.x86_64", packageName: "docker-cimprov")
            == "1.0.0.1")
    }

    /// Our normalisation against upstream's own `sed` pipeline (`getVersionNumber`) followed by `cut -d. -f1-4`.
    @Test func normalisationAgreesWithUpstreamSed() async throws {
        let seed = SeededGenerator.seed()
        var rng = SeededGenerator(seed: seed)
        let names = ["omi", "scx", "omsagent", "omsconfig", "docker-cimprov"]
        let tails = ["", ".universal.x64", ".universal.s.x64", ".ulinux.s.x64", ".x64", ".x86", ".x86_64",
                     ".universal.x86.sh", ".el8.x86_64", ".universal.deb.x64.sh"]
        var rows: [(String, String)] = []
        for _ in 0..<1000 {
            let name = rng.pick(names)
            var version = (0..<Int.random(in: 1...5, using: &rng)).map { _ in String(Int.random(in: 0...300, using: &rng)) }
                .joined(separator: ".")
            if rng.chance(80) { version += "-" + String(Int.random(in: 0...999, using: &rng)) }
            if rng.chance(10) { version += "-" + String(Int.random(in: 0...9, using: &rng)) }
            rows.append((name, "\(name)-\(version)\(rng.pick(tails))"))
        }
        let dir = TemporaryDirectory()
        try dir.write("rows", rows.map { "\($0.0) \($0.1)\n" }.joined())
        let script = """
            while read -r name text; do
              echo "$text" | sed -e "s/$name-//" -e 's/\\.universal\\..*//' -e 's/\\.x64.*//' -e 's/\\.x86.*//' \\
                -e 's/-/./' | cut -d. -f1-4
            done < "$1"
            """
        let out = try await Oracle.output(["bash", "-c", script, "bash", dir.url("rows")])
        let expected = out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(expected.count == rows.count)
        var mismatches: [String] = []
        for ((name, text), sed) in zip(rows, expected) {
            for ours in [VersionDecision.normalise(text, packageName: name), VersionDecision.normalise(text)]
            where ours != sed {
                mismatches.append("\(text): sed \(sed), ours \(ours)")
            }
        }
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches.prefix(10))")
    }

    @Test(arguments: VersionScheme.allCases)
    func decisions(_ scheme: VersionScheme) {
        typealias A = VersionDecision.Action
        let bundled = "omi-1.6.10-2.ulinux.s.x64"
        let cases: [(String?, Bool, A)] = [
            (nil, false, .install), ("1.6.9.0", false, .upgrade), ("1.6.10-1", false, .upgrade),
            ("1.6.10.2", false, .skip), ("1.6.10-2", true, .skip), ("omi-1.6.10-2.x86_64", false, .skip),
            ("1.6.10.10", false, .refuse), ("1.6.11-0", false, .refuse), ("1.6.11.0", true, .downgrade),
            ("1.6.10.2~rc1", false, .upgrade),
        ]
        for (installed, force, expected) in cases {
            let action = VersionDecision.decide(installed: installed, bundled: bundled, manager: scheme, force: force)
            #expect(action == expected, "\(scheme) installed \(installed ?? "none") force \(force)")
        }
    }

    @Test func schemesDifferWhereThePackageManagersDo() {
        // dpkg: a letter suffix sorts after the end ("1.0a" > "1.0"); so does rpm. `~` before the end in both.
        // They differ on "^" (rpm: after the end) — dpkg refuses "^" outright as bad syntax.
        let rpm = VersionDecision.decide(installed: "1.6.10.2", bundled: "1.6.10.2^1", manager: .rpm, force: false)
        #expect(rpm == .upgrade)
        let dpkg = VersionDecision.decide(installed: "1.6.10.2", bundled: "1.6.10.2^1", manager: .dpkg, force: false)
        guard case .invalid(let error) = dpkg else { Issue.record("dpkg accepted '^': \(dpkg)"); return }
        #expect(error.code == .integrity)
    }

    @Test func invalidVersionsAreReported() {
        let bad = VersionDecision.decide(installed: nil, bundled: "omi-", manager: .dpkg, force: false)
        guard case .invalid(let error) = bad else { Issue.record("accepted: \(bad)"); return }
        #expect(error.code == .integrity && !error.message.contains("\n"))
        let installed = VersionDecision.decide(installed: "1 2", bundled: "omi-1.0-1.x64", manager: .rpm, force: false)
        guard case .invalid(let error2) = installed else { Issue.record("accepted: \(installed)"); return }
        #expect(error2.code == .systemProblem)
    }

    /// Contract §15: the rule against `dpkg --compare-versions` on normalised versions.
    @Test func decisionsAgreeWithDpkgOnNormalisedVersions() async throws {
        let seed = SeededGenerator.seed()
        var grammar = DebianVersionGrammar(rng: SeededGenerator(seed: seed))
        var rows: [(String, String)] = []
        while rows.count < 1500 {
            let bundled = "omsagent-" + grammar.version() + grammar.rng.pick(["", ".universal.x64", ".x64"])
            let installed = grammar.partner(of: VersionDecision.normalise(bundled))
            let a = VersionDecision.normalise(installed), b = VersionDecision.normalise(bundled)
            guard (try? DebianVersion(a)) != nil, (try? DebianVersion(b)) != nil else { continue }
            rows.append((installed, bundled))
        }
        let pairs = rows.map { (VersionDecision.normalise($0.0), VersionDecision.normalise($0.1)) }
        // installed < bundled → upgrade, equal → skip, newer installed → refuse.
        let expected = try await Oracle.dpkgOrder(pairs).orders.map { ["lt": "upgrade", "eq": "skip"][$0] ?? "refuse" }
        #expect(expected.count == rows.count)
        var mismatches: [String] = []
        for ((installed, bundled), oracle) in zip(rows, expected) {
            let action = VersionDecision.decide(installed: installed, bundled: bundled, manager: .dpkg, force: false)
            let ours = action == .upgrade ? "upgrade" : action == .skip ? "skip" : action == .refuse ? "refuse" : "\(action)"
            if ours != oracle { mismatches.append("\(installed) / \(bundled): dpkg \(oracle), ours \(ours)") }
        }
        #expect(mismatches.isEmpty, "seed \(seed): \(mismatches.prefix(10))")
    }
}
