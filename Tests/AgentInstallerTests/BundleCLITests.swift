import AgentInstaller
import AgentSupport
import FoundationEssentials
import Testing
import TestSupport

/// The `agent-installer bundle` commands end to end: the built binary, its output and exit codes.
@Suite("Bundle CLI")
struct BundleCLITests {
    /// The agent-installer binary built next to the tests.
    static let binary = Repository.binary

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

/// The download commands end to end against the test servers.
@Suite("Bundle CLI network", .enabled(if: TestEnvironment.serversAvailable))
struct BundleCLINetworkTests {
    let www = TestEnvironment.value("AGENT_TEST_WWW") ?? "/nonexistent"
    let ca = TestEnvironment.value("AGENT_TEST_CA") ?? "/nonexistent"
    var https: String { "https://127.0.0.1:\(TestEnvironment.value("AGENT_TEST_HTTPS_PORT") ?? "0")" }

    func run(_ args: [String], environment: [String: String] = [:]) async throws -> ProcessOutput {
        try await Oracle.run([BundleCLITests.binary] + args, environment: environment)
    }

    @Test("fetch writes the verified file and JSON-lines progress; extract URL with a wrong --sha256 exits 80")
    func fetchAndExtract() async throws {
        let unique = "cli-\(UInt64.random(in: 0...UInt64.max))"
        let path = try await Fixtures.bundle(in: www + "/" + unique)
        let name = String(path.split(separator: "/").last!)
        let url = "\(https)/\(unique)/\(name)"
        let tmp = TemporaryDirectory()
        let out = try await run(["bundle", "fetch", url, "-o", tmp.url("b.sh"), "--cacert", ca,
                                 "--progress-file", tmp.url("progress.jsonl"), "--format", "json"])
        #expect(out.status == 0, "\(out.standardError)")
        #expect(FileIO.read(tmp.url("b.sh")) == FileIO.read(path))
        let lines = (tmp.read("progress.jsonl") ?? "").split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONDecoder().decode([String: JSONScalar].self, from: Data(line.utf8))
            #expect(object["event"] == .string("progress"))
        }
        #expect(lines.last?.contains("\"phase\":\"done\"") == true)
        let bad = try await run(["bundle", "extract", url, "--dest", tmp.url("out"), "--cacert", ca,
                                 "--sha256", String(repeating: "f", count: 64)])
        #expect(bad.status == 80, "\(bad.standardError)")
        #expect(!tmp.exists("out"))
        // Without -p, https_proxy is honoured (squid wants credentials: 407 → 4) unless no_proxy names the host.
        let proxy = "http://127.0.0.1:\(TestEnvironment.value("AGENT_TEST_PROXY_PORT") ?? "0")"
        let viaProxy = try await run(["bundle", "fetch", url, "-o", tmp.url("p.sh"), "--cacert", ca, "--retries", "0"],
                                     environment: ["https_proxy": proxy])
        #expect(viaProxy.status == 4, "\(viaProxy.standardError)")
        let bypass = try await run(["bundle", "fetch", url, "-o", tmp.url("p.sh"), "--cacert", ca, "--retries", "0"],
                                   environment: ["https_proxy": proxy, "no_proxy": "127.0.0.1"])
        #expect(bypass.status == 0, "\(bypass.standardError)")
        let untrusted = try await run(["bundle", "fetch", url, "-o", tmp.url("c.sh"), "--retries", "0"])
        #expect(untrusted.status == 8, "\(untrusted.standardError)")
        #expect(!tmp.exists("c.sh") && !tmp.exists("c.sh.part"))
    }
}

/// A JSON scalar (the progress events hold only strings, numbers and null).
enum JSONScalar: Decodable, Equatable {
    case string(String), number(Double), null
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let s = try? c.decode(String.self) { self = .string(s) } else {
            self = .number(try c.decode(Double.self))
        }
    }
}
