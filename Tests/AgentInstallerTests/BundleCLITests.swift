import AgentInstaller
import AgentSupport
import FoundationEssentials
import Testing
import TestSupport

/// The `agent-installer bundle` commands end to end: the built binary, its output and exit codes.
@Suite("Bundle CLI")
struct BundleCLITests {
    /// The agent-installer binary built next to the tests.
    static let binary: String = {
        var parts = Fixtures.directory.split(separator: "/").map(String.init)
        parts.removeLast()
        return "/" + parts.joined(separator: "/") + "/.build/debug/agent-installer"
    }()

    func run(_ args: [String]) async throws -> ProcessOutput {
        try await Oracle.run([Self.binary] + args)
    }

    @Test("inspect prints version, flavours, packages, kits and extras; --format json decodes")
    func inspect() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let text = try await run(["bundle", "inspect", path])
        #expect(text.status == 0)
        #expect(text.standardOutput.contains("Version:       1.14.19.0"))
        #expect(text.standardOutput.contains("Flavours:      100 110 300"))
        #expect(text.standardOutput.contains("omsagent    1.14.19-0     deb rpm"))
        #expect(text.standardOutput.contains("docker      oss-kits/docker-cimprov-1.0.0-1.universal.x86_64.sh"))
        #expect(text.standardOutput.contains("bundles/auoms-2.3.2-3.universal.x64.sh"))
        #expect(text.standardOutput.contains("(verified against \(path).sha256sums)"))
        let json = try await run(["bundle", "inspect", path, "--format", "json"])
        #expect(json.status == 0)
        let report = try JSONDecoder().decode(BundleInspection.self, from: Data(json.standardOutput.utf8))
        #expect(report.version == "1.14.19.0")
        #expect(report.manifest.distinctPackages.count == 8)
    }

    @Test("inspect of things that are not bundles: exit 2 with one line on stderr, no crash")
    func notBundles() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let all = FileIO.read(path)!
        try dir.write("cut.sh", bytes: Array(all[..<(all.count / 2)]))
        try dir.write("text.txt", "just text\n")
        for file in [dir.url("cut.sh"), dir.url("text.txt"), dir.url("absent"), "/dev/null"] {
            let out = try await run(["bundle", "inspect", file])
            #expect(out.status == 2, "\(file): \(out.standardError)")
            #expect(out.standardError.hasPrefix("agent-installer: error: "))
            #expect(out.standardError.split(separator: "\n").count == 1)
        }
    }

    @Test("extract: 0 with the tree at --dest; 80 on a mismatch with nothing at --dest")
    func extract() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let ok = try await run(["bundle", "extract", path, "--dest", dir.url("out")])
        #expect(ok.status == 0, "\(ok.standardError)")
        #expect(dir.exists("out/110/scx-1.6.10-1.universal.s.x64.deb"))
        let bad = try await run(["bundle", "extract", path, "--dest", dir.url("out2"), "--sha256", String(repeating: "a", count: 64)])
        #expect(bad.status == 80)
        #expect(bad.standardError.contains("does not match its checksum"))
        #expect(!dir.exists("out2"))
        let hostile = try await Fixtures.hostileBundle(in: dir.url("h"), kind: "dotdot")
        let refused = try await run(["bundle", "extract", hostile, "--dest", dir.url("h/out")])
        #expect(refused.status == 80)
        #expect(refused.standardError.contains("'100/../../escape-dotdot'"))
        #expect(!dir.exists("h/out") && !dir.exists("h/escape-dotdot") && !dir.exists("escape-dotdot"))
    }
}
