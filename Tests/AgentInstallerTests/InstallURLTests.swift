import AgentInstaller
import AgentSupport
import FoundationEssentials
import Testing
import TestSupport

/// `install --bundle URL` and `plan --bundle URL`: the built binary downloads from the test nginx (HTTPS, test CA)
/// or through squid, verifies like `bundle fetch`, then takes the local-file path. Oracles: `sha256sum`,
/// `dpkg-query`, `ls` of the private temporary directory. Run under `scripts/test` (servers).
@Suite("Install from a URL", .enabled(if: TestEnvironment.serversAvailable))
struct InstallURLTests {
    let ca = TestEnvironment.value("AGENT_TEST_CA") ?? ""

    /// Publishes the fixture bundle (and its .sha256sums) under a unique directory of nginx's docroot.
    func publish(_ t: InstallCLITests.Tree) async throws -> (url: String, file: String, sha: String) {
        let unique = "install-url-\(UInt64.random(in: 0...UInt64.max))"
        let www = (TestEnvironment.value("AGENT_TEST_WWW") ?? "/nonexistent") + "/" + unique
        _ = try await Oracle.output(["mkdir", "-p", www])
        _ = try await Oracle.output(["cp", t.bundle, t.bundle + ".sha256sums", www + "/"])
        let name = String(t.bundle.split(separator: "/").last ?? "")
        let sha = String(try await Oracle.output(["sha256sum", t.bundle]).prefix(64))
        let port = TestEnvironment.value("AGENT_TEST_HTTPS_PORT") ?? "0"
        return ("https://127.0.0.1:\(port)/\(unique)/\(name)", www + "/" + name, sha)
    }

    /// Runs the binary with TMPDIR inside the test's directory, so the download's leftovers can be looked for.
    func run(_ t: InstallCLITests.Tree, _ args: [String]) async throws -> ProcessOutput {
        try t.dir.mkdir("tmp")
        return try await Oracle.run([BundleCLITests.binary] + args, environment: ["TMPDIR": t.dir.url("tmp")])
    }

    func leftovers(_ t: InstallCLITests.Tree) async throws -> String {
        try await Oracle.output(["ls", "-A", t.dir.url("tmp")])
    }

    func packages(_ t: InstallCLITests.Tree) async throws -> [String] {
        let query = try await Oracle.output(["dpkg-query", "--admindir=\(t.root)/var/lib/dpkg", "-W",
                                             "-f=${db:Status-Abbrev}${Package} ${Version}\n"])
        return query.split(separator: "\n").map { String($0.replacing(" ", with: "")) }.sorted()
    }

    struct Planned: Decodable { var steps: [PlanStep] }

    @Test("plan --bundle URL plans what plan --bundle FILE plans; nothing is left in TMPDIR")
    func planFromURL() async throws {
        let t = try await InstallCLITests().tree()
        let (url, _, _) = try await publish(t)
        let remote = try await run(t, ["plan", "--bundle", url, "--root", t.root, "--cacert", ca, "--format", "json"])
        #expect(remote.status == 0, "\(remote.standardError)")
        let local = try await run(t, ["plan", "--bundle", t.bundle, "--root", t.root, "--format", "json"])
        let a = try JSONDecoder().decode(Planned.self, from: Data(remote.standardOutput.utf8)).steps
        let b = try JSONDecoder().decode(Planned.self, from: Data(local.standardOutput.utf8)).steps
        #expect(!a.isEmpty)
        #expect(a.map(\.component) == b.map(\.component))
        #expect(a.map(\.action) == b.map(\.action))
        #expect(a.map(\.bundled) == b.map(\.bundled))
        #expect(try await leftovers(t).isEmpty)
        #expect(try await packages(t).isEmpty)
    }

    @Test("install --bundle URL installs (dpkg-query), records the download's SHA-256, removes the download")
    func installFromURL() async throws {
        let t = try await InstallCLITests().tree()
        let (url, _, sha) = try await publish(t)
        let out = try await run(t, ["install", "--bundle", url, "--root", t.root, "--cacert", ca, "--format", "json"])
        #expect(out.status == 0, "\(out.standardError)")
        #expect(try await packages(t) == ["iiomi1.6.10.2", "iiomsagent1.14.19-0", "iiomsconfig1.1.1-932", "iiscx1.6.10.1"])
        let receipt = t.dir.read("root/var/lib/agent-installer/receipt.json") ?? ""
        #expect(receipt.contains(sha))
        #expect(try await leftovers(t).isEmpty)
        let again = try await run(t, ["install", "--bundle", url, "--root", t.root, "--cacert", ca, "--format", "json"])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(try InstallCLITests().changed(again.standardOutput) == false)
    }

    @Test("through squid with credentials: installed; a wrong proxy password is 4 and changes nothing")
    func installThroughProxy() async throws {
        let t = try await InstallCLITests().tree()
        let (url, _, _) = try await publish(t)
        let port = TestEnvironment.value("AGENT_TEST_PROXY_PORT") ?? "0"
        let user = TestEnvironment.value("AGENT_TEST_PROXY_USER") ?? ""
        let password = TestEnvironment.value("AGENT_TEST_PROXY_PASSWORD") ?? ""
        let refused = try await run(t, ["install", "--bundle", url, "--root", t.root, "--cacert", ca,
                                        "-p", "http://\(user):wrong@127.0.0.1:\(port)"])
        #expect(refused.status == 4, "\(refused.standardError)")
        #expect(try await packages(t).isEmpty)
        #expect(try await leftovers(t).isEmpty)
        let viaProxy = try await run(t, ["install", "--bundle", url, "--root", t.root, "--cacert", ca,
                                         "-p", "http://\(user):\(password)@127.0.0.1:\(port)"])
        #expect(viaProxy.status == 0, "\(viaProxy.standardError)")
        #expect(!viaProxy.standardOutput.contains(password) && !viaProxy.standardError.contains(password))
        #expect(try await packages(t).count == 4)
        let log = (try? await Oracle.output(["cat", TestEnvironment.value("AGENT_TEST_PROXY_ACCESS_LOG") ?? "/dev/null"])) ?? ""
        #expect(log.contains(String(url.split(separator: "/").last ?? "")) || log.contains("CONNECT 127.0.0.1"))
    }

    @Test("a checksum mismatch (published sums or --sha256) is 80: nothing changed in the root, nothing left in TMPDIR")
    func checksumMismatch() async throws {
        let t = try await InstallCLITests().tree()
        let (url, file, sha) = try await publish(t)
        let statusBefore = t.dir.read("root/var/lib/dpkg/status")
        let wrong = String(repeating: "0", count: 64)
        let flagged = try await run(t, ["install", "--bundle", url, "--root", t.root, "--cacert", ca, "--sha256", wrong])
        #expect(flagged.status == 80, "\(flagged.standardError)")
        #expect(flagged.standardError.contains(sha))

        let name = String(file.split(separator: "/").last ?? "")
        _ = try await Oracle.output(["sh", "-c", "printf '%064d  %s\\n' 0 \"$2\" > \"$1\"", "sh", file + ".sha256sums", name])
        for command in ["install", "plan"] {
            let out = try await run(t, [command, "--bundle", url, "--root", t.root, "--cacert", ca])
            #expect(out.status == 80, "\(command): \(out.standardError)")
            #expect(out.standardError.contains(".sha256sums"))
        }
        #expect(t.dir.read("root/var/lib/dpkg/status") == statusBefore)
        #expect(!t.dir.exists("root/var/lib/agent-installer"))
        #expect(!t.dir.exists("root/var/log/agent-fixture"))
        #expect(!t.dir.exists("root/opt/microsoft"))
        #expect(try await packages(t).isEmpty)
        #expect(try await leftovers(t).isEmpty)

        // The right digest given explicitly wins over the published (wrong) sums file.
        let right = try await run(t, ["plan", "--bundle", url, "--root", t.root, "--cacert", ca, "--sha256", sha])
        #expect(right.status == 0, "\(right.standardError)")
    }

    @Test("download failures carry their codes: HTTP 404 is 6, an untrusted certificate 8, a bad --cacert 2, a bad proxy 4")
    func downloadFailures() async throws {
        let t = try await InstallCLITests().tree()
        let (url, _, _) = try await publish(t)
        let missing = try await run(t, ["install", "--bundle", url + "-missing", "--root", t.root, "--cacert", ca,
                                        "--sha256", String(repeating: "a", count: 64)])
        #expect(missing.status == 6, "\(missing.standardError)")
        let untrustedPort = TestEnvironment.value("AGENT_TEST_UNTRUSTED_PORT") ?? "0"
        let untrusted = url.replacing(":\(TestEnvironment.value("AGENT_TEST_HTTPS_PORT") ?? "0")/", with: ":\(untrustedPort)/")
        let tls = try await run(t, ["plan", "--bundle", untrusted, "--root", t.root, "--cacert", ca])
        #expect(tls.status == 8, "\(tls.standardError)")
        let noCA = try await run(t, ["plan", "--bundle", url, "--root", t.root, "--cacert", t.dir.url("nope.pem")])
        #expect(noCA.status == 2, "\(noCA.standardError)")
        let badProxy = try await run(t, ["plan", "--bundle", url, "--root", t.root, "--cacert", ca, "-p", "http://host:notaport"])
        #expect(badProxy.status == 4, "\(badProxy.standardError)")
        #expect(try await packages(t).isEmpty)
        #expect(try await leftovers(t).isEmpty)
    }
}
