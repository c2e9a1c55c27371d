import AgentInstaller
import AgentSupport
import Synchronization
import Testing
import TestSupport

/// Fetch and one-pass extract against the real test servers on 127.0.0.1 (nginx over HTTPS with the test CA,
/// squid with basic auth, the faulty server). Run under `scripts/test`, which starts them.
@Suite("Bundle network", .enabled(if: TestEnvironment.serversAvailable))
struct BundleNetworkTests {
    let www = TestEnvironment.value("AGENT_TEST_WWW") ?? "/nonexistent"
    let ca = TestEnvironment.value("AGENT_TEST_CA")
    var https: String { "https://127.0.0.1:\(TestEnvironment.value("AGENT_TEST_HTTPS_PORT") ?? "0")" }
    var faulty: String { "http://127.0.0.1:\(TestEnvironment.value("AGENT_TEST_FAULTY_PORT") ?? "0")" }

    /// Publishes the fixture bundle and its sums file in the servers' docroot under a unique directory.
    func publish(version: String = "1.14.19-0") async throws -> (dir: String, name: String, sha: String) {
        let unique = "bundle-\(UInt64.random(in: 0...UInt64.max))"
        let path = try await Fixtures.bundle(in: www + "/" + unique, version: version)
        let name = String(path.split(separator: "/").last!)
        let sha = String(try await Oracle.output(["sha256sum", path]).prefix(64))
        return (unique, name, sha)
    }

    func config(stall: Int = 20, retries: Int = 3) -> HTTPClientConfiguration {
        var c = HTTPClientConfiguration(caFile: ca, proxy: .direct)
        c.stallTimeout = .seconds(stall)
        c.retries = retries
        c.retryDelay = .milliseconds(100)
        return c
    }

    func code(_ body: () async throws -> Void) async -> AgentError? {
        do { try await body(); return nil } catch let e as AgentError { return e } catch {
            return AgentError(.internalError, "\(error)")
        }
    }

    @Test("fetch over HTTPS: exact bytes, verified against <url>.sha256sums, progress reported")
    func fetch() async throws {
        let (dir, name, sha) = try await publish()
        let tmp = TemporaryDirectory()
        let events = Counter()
        let r = try await BundleRemote.fetch(url: "\(https)/\(dir)/\(name)", to: tmp.url(name), sha256: nil,
                                             sha256sums: nil, configuration: config(), progress: { _ in events.add() })
        #expect(r.sha256 == sha)
        #expect(r.verifiedAgainst == "\(https)/\(dir)/\(name).sha256sums")
        #expect(String(try await Oracle.output(["sha256sum", tmp.url(name)]).prefix(64)) == sha)
        #expect(events.value >= 1)
        #expect(!tmp.exists(name + ".part"))
    }

    @Test("a dropped connection is resumed and gives the exact bytes")
    func resume() async throws {
        let (dir, name, sha) = try await publish()
        let tmp = TemporaryDirectory()
        let r = try await BundleRemote.fetch(url: "\(faulty)/drop/\(dir)/\(name)?after=20000", to: tmp.url("b.sh"),
                                             sha256: sha, sha256sums: nil, configuration: config(), progress: nil)
        #expect(r.resumes >= 1)
        #expect(String(try await Oracle.output(["sha256sum", tmp.url("b.sh")]).prefix(64)) == sha)
    }

    @Test("a dropped connection during one-pass extract still yields the verified tree")
    func resumeExtract() async throws {
        let (dir, name, sha) = try await publish()
        let tmp = TemporaryDirectory()
        let r = try await BundleRemote.extract(url: "\(faulty)/drop/\(dir)/\(name)?after=30000", destination: tmp.url("out"),
                                               sha256: sha, sha256sums: nil, configuration: config(), progress: nil)
        #expect(r.sha256 == sha)
        #expect(tmp.exists("out/300/omsagent-1.14.19-0.universal.x64.deb"))
    }

    @Test("wrong bytes are refused with 80: no file, no staging tree, nothing extracted")
    func wrongBytes() async throws {
        let (dir, name, sha) = try await publish()
        let tmp = TemporaryDirectory()
        let e1 = await code {
            _ = try await BundleRemote.fetch(url: "\(faulty)/wrong/\(dir)/\(name)", to: tmp.url("b.sh"), sha256: sha,
                                             sha256sums: nil, configuration: config(), progress: nil)
        }
        #expect(e1?.code == .integrity)
        let e2 = await code {
            _ = try await BundleRemote.extract(url: "\(faulty)/wrong/\(dir)/\(name)", destination: tmp.url("out"), sha256: sha,
                                               sha256sums: nil, configuration: config(), progress: nil)
        }
        #expect(e2?.code == .integrity || e2?.code == .usage, "\(e2?.message ?? "")")
        #expect(FileIO.list(tmp.path).isEmpty)
    }

    @Test("one-pass extract from HTTPS equals tar's extraction of the same bundle")
    func extract() async throws {
        let (dir, name, sha) = try await publish()
        let tmp = TemporaryDirectory()
        let r = try await BundleRemote.extract(url: "\(https)/\(dir)/\(name)", destination: tmp.url("out"), sha256: nil,
                                               sha256sums: nil, configuration: config(), progress: nil)
        #expect(r.sha256 == sha && r.verifiedAgainst != nil)
        let local = "\(www)/\(dir)/\(name)"
        let offset = try BundleFile(path: local).header.payloadOffset
        try tmp.mkdir("oracle")
        _ = try await Oracle.output(["sh", "-c", "tail -c +\"$1\" \"$2\" | tar -xzf - -C \"$3\"", "sh",
                                     String(offset + 1), local, tmp.url("oracle")])
        let diff = try await Oracle.run(["diff", "-r", tmp.url("oracle"), tmp.url("out")])
        #expect(diff.succeeded, "\(diff.standardOutput)")
    }

    @Test("a published sums file that does not match refuses extraction (80), nothing at --dest")
    func publishedMismatch() async throws {
        let (dir, name, _) = try await publish()
        try AtomicFile.write("\(www)/\(dir)/\(name).sha256sums", text: String(repeating: "1", count: 64) + "  \(name)\n", mode: 0o644)
        let tmp = TemporaryDirectory()
        let e = await code {
            _ = try await BundleRemote.extract(url: "\(https)/\(dir)/\(name)", destination: tmp.url("out"), sha256: nil,
                                               sha256sums: nil, configuration: config(), progress: nil)
        }
        #expect(e?.code == .integrity)
        #expect(FileIO.list(tmp.path).isEmpty)
    }

    @Test("a hostile bundle from a URL is refused with 80, nothing outside the destination")
    func hostile() async throws {
        let unique = "hostile-\(UInt64.random(in: 0...UInt64.max))"
        let path = try await Fixtures.hostileBundle(in: www + "/" + unique, kind: "symlink")
        let name = String(path.split(separator: "/").last!)
        let tmp = TemporaryDirectory()
        try tmp.mkdir("a/b")
        let e = await code {
            _ = try await BundleRemote.extract(url: "\(https)/\(unique)/\(name)", destination: tmp.url("a/b/out"), sha256: nil,
                                               sha256sums: nil, configuration: config(), progress: nil)
        }
        #expect(e?.code == .integrity)
        #expect(e?.message.contains("100/link") == true)
        let found = try await Oracle.output(["find", tmp.path, "-mindepth", "1", "-printf", "%P\n"])
        #expect(found == "a\na/b\n")
    }

    @Test("503 twice, then the bundle: retried with back-off")
    func flaky() async throws {
        let (dir, name, sha) = try await publish()
        let tmp = TemporaryDirectory()
        let r = try await BundleRemote.fetch(url: "\(faulty)/flaky/\(dir)/\(name)?failures=2", to: tmp.url("b.sh"),
                                             sha256: sha, sha256sums: nil, configuration: config(), progress: nil)
        #expect(r.attempts == 3)
    }

    @Test("a stalled transfer times out with a clear message, no file left")
    func stall() async throws {
        let tmp = TemporaryDirectory()
        let e = await code {
            _ = try await BundleRemote.fetch(url: "\(faulty)/stall?after=10", to: tmp.url("b.sh"),
                                             sha256: String(repeating: "0", count: 64), sha256sums: nil,
                                             configuration: config(stall: 2, retries: 0), progress: nil)
        }
        #expect(e?.code == .transport)
        let text = e?.message.lowercased() ?? ""
        #expect(text.contains("stall") || text.contains("timed out") || text.contains("timeout"), "\(text)")
        #expect(FileIO.list(tmp.path).isEmpty)
    }

    @Test("through squid: 407 without credentials (exit 4); with user and a password with @ and : it works")
    func proxy() async throws {
        let (dir, name, sha) = try await publish()
        let port = Int(TestEnvironment.value("AGENT_TEST_PROXY_PORT") ?? "0")!
        let tmp = TemporaryDirectory()
        var c = config()
        c.proxy = .proxy(HTTPProxy(host: "127.0.0.1", port: port))
        let e = await code {
            _ = try await BundleRemote.fetch(url: "\(https)/\(dir)/\(name)", to: tmp.url("b.sh"), sha256: sha,
                                             sha256sums: nil, configuration: c, progress: nil)
        }
        #expect(e?.code == .proxyOrFormatMismatch, "\(e?.message ?? "")")
        c.proxy = .proxy(HTTPProxy(host: "127.0.0.1", port: port, user: TestEnvironment.value("AGENT_TEST_PROXY_USER"),
                                   password: Secret(TestEnvironment.value("AGENT_TEST_PROXY_PASSWORD") ?? "")))
        let r = try await BundleRemote.fetch(url: "\(https)/\(dir)/\(name)", to: tmp.url("b.sh"), sha256: sha,
                                             sha256sums: nil, configuration: c, progress: nil)
        #expect(r.sha256 == sha)
    }

    @Test("an untrusted server certificate is refused (8) with a hint")
    func untrusted() async throws {
        let (dir, name, _) = try await publish()
        let port = TestEnvironment.value("AGENT_TEST_UNTRUSTED_PORT") ?? "0"
        let tmp = TemporaryDirectory()
        let e = await code {
            _ = try await BundleRemote.fetch(url: "https://127.0.0.1:\(port)/\(dir)/\(name)", to: tmp.url("b.sh"),
                                             sha256: nil, sha256sums: nil, configuration: config(retries: 0), progress: nil)
        }
        #expect(e?.code == .transport)
        #expect(e?.hint?.contains("--cacert") == true)
        #expect(FileIO.list(tmp.path).isEmpty)
    }
}

/// A thread-safe counter for progress callbacks.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
