import AgentSupport
import Preflight
import Testing
import TestSupport

/// Runs the built binary (`.build/debug/agent-installer`) and checks its JSON with Python's `json` module.
@Suite struct PreflightCommandTests {
    static let binary = Repository.binary

    /// Python validates the object and prints the fields the assertions need (an independent parser).
    static let checker = """
        import json, sys
        r = json.loads(sys.stdin.read())
        assert set(r) == {"schemaVersion", "verdict", "exitCode", "host", "checks"}, sorted(r)
        h = r["host"]
        assert set(h) == {"distro", "architecture", "glibc", "openssl", "opensslFlavour", "curl", "python",
                          "syslogDaemon", "packageManager"}, sorted(h)
        assert set(h["distro"]) == {"id", "version", "name", "supported"}
        assert set(h["python"]) == {"python2", "python3", "alias"}
        for c in r["checks"]:
            assert set(c) == {"id", "status", "summary", "remedy", "exitCode"}, c
            assert c["status"] in ("pass", "warn", "fail", "skip")
        fails = [c for c in r["checks"] if c["status"] == "fail"]
        assert r["exitCode"] == (fails[0]["exitCode"] if fails else 0)
        assert r["verdict"] == ("ready" if r["exitCode"] == 0 else "blocked")
        print(r["schemaVersion"], r["exitCode"], h["distro"]["id"], h["opensslFlavour"], h["glibc"], h["curl"])
        """

    func run(_ args: [String]) async throws -> (status: Int32, checked: String) {
        let out = try await Oracle.run([Self.binary] + args)
        let py = try await Oracle.run(["python3", "-c", Self.checker], input: Array(out.standardOutput.utf8))
        #expect(py.succeeded, "\(py.standardError)")
        return (out.status, py.standardOutput.trimmingNewline)
    }

    @Test(arguments: [("debian-12", Int32(0), "debian 300 2.36"), ("rhel-7", 0, "rhel 100 2.17"),
                      ("edge-no-curl", 55, "debian 300 2.36"), ("fedora-39", 51, "fedora 300 2.38"),
                      ("edge-no-python", 60, "debian 300 2.36")])
    func jsonReportOfATree(_ tree: String, _ code: Int32, _ facts: String) async throws {
        let root = try await HostTrees.root(tree)
        let (status, checked) = try await run(["preflight", "--root", root.path, "--format", "json"])
        #expect(status == code)
        #expect(checked.hasPrefix("1 \(code) \(facts)"))
    }

    @Test func nullsForUnknownFacts() async throws {
        let root = try await HostTrees.root("alpine-3.19")
        let (status, checked) = try await run(["preflight", "--root", root.path, "--format", "json"])
        #expect(status == 51)
        #expect(checked == "1 51 alpine 300 None None")
    }

    @Test func textTableAndAllowUnsupported() async throws {
        let root = try await HostTrees.root("ubuntu-24.04")
        let out = try await Oracle.run([Self.binary, "preflight", "--root", root.path, "--allow-unsupported"])
        #expect(out.status == 0)
        #expect(out.standardOutput.contains("os.distro"))
        #expect(out.standardOutput.contains("WARN"))
        #expect(!out.standardOutput.contains("\u{1B}["))  // no colour when not a TTY
        #expect(out.standardOutput.contains("verdict: ready"))
    }

    @Test func badRootAndBadMatrixAreUsageErrors() async throws {
        let missing = try await Oracle.run([Self.binary, "preflight", "--root", "/nonexistent/tree"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("does not exist"))
        let dir = TemporaryDirectory()
        try dir.write("m.json", "{not json")
        let bad = try await Oracle.run([Self.binary, "preflight", "--support-matrix", dir.url("m.json")])
        #expect(bad.status == 2)
    }

    @Test func liveHostReportIsValid() async throws {
        let (status, checked) = try await run(["preflight", "--no-network", "--format", "json"])
        #expect(ExitCode(rawValue: status) != nil)
        #expect(checked.hasPrefix("1 \(status) "))
    }
}

extension String {
    var trimmingNewline: String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}

/// The built binary's network and clock checks on the live host, aimed at the local test servers with `--endpoint`.
@Suite(.enabled(if: TestEnvironment.serversAvailable, "needs scripts/test (test servers)"))
struct PreflightNetworkCLITests {
    let ca = TestEnvironment.value("AGENT_TEST_CA") ?? ""
    let httpsPort = TestEnvironment.value("AGENT_TEST_HTTPS_PORT") ?? "0"
    let untrustedPort = TestEnvironment.value("AGENT_TEST_UNTRUSTED_PORT") ?? "0"
    let faultyTLSPort = TestEnvironment.value("AGENT_TEST_FAULTY_TLS_PORT") ?? "0"
    let proxyPort = TestEnvironment.value("AGENT_TEST_PROXY_PORT") ?? "0"
    let proxyUser = TestEnvironment.value("AGENT_TEST_PROXY_USER") ?? ""
    let proxyPassword = TestEnvironment.value("AGENT_TEST_PROXY_PASSWORD") ?? ""

    /// Python reads the report and prints: process-consistent exit code, then the network and clock checks as
    /// `status exitCode summary` lines (an independent JSON parser).
    static let checker = """
        import json, sys
        r = json.loads(sys.stdin.read())
        assert r["exitCode"] == int(sys.argv[1]), (r["exitCode"], sys.argv[1])
        c = {x["id"]: x for x in r["checks"]}
        for k in ("network", "clock"):
            print(c[k]["status"], c[k]["exitCode"], c[k]["summary"])
        """

    func run(_ args: [String]) async throws -> (network: String, clock: String, output: String) {
        let out = try await Oracle.run([PreflightCommandTests.binary, "preflight", "--format", "json"] + args)
        let py = try await Oracle.run(["python3", "-c", Self.checker, String(out.status)],
                                      input: Array(out.standardOutput.utf8))
        #expect(py.succeeded, "\(py.standardError) \(out.standardError)")
        let lines = py.standardOutput.split(separator: "\n").map(String.init)
        try #require(lines.count == 2)
        return (lines[0], lines[1], out.standardOutput + out.standardError)
    }

    @Test func noNetworkSkipsAndEndpointProbes() async throws {
        let endpoint = "https://127.0.0.1:\(httpsPort)"
        let skipped = try await run(["--no-network", "-w", "ws", "--endpoint", endpoint, "--cacert", ca])
        #expect(skipped.network.hasPrefix("skip 0 "))
        #expect(skipped.clock.hasPrefix("skip 0 "))
        let probed = try await run(["-w", "ws", "--endpoint", endpoint, "--cacert", ca])
        #expect(probed.network.hasPrefix("pass 0 127.0.0.1:\(httpsPort) ok (HTTP "))
        #expect(probed.clock.hasPrefix("pass 0 "))
    }

    @Test func untrustedServiceFailsTheNetworkCheckWith55() async throws {
        let r = try await run(["-w", "ws", "--endpoint", "https://127.0.0.1:\(untrustedPort)/", "--cacert", ca])
        #expect(r.network.hasPrefix("fail 55 127.0.0.1:\(untrustedPort) tls-untrusted"))
    }

    @Test func skewedClockWarnsThroughTheProxyWithoutShowingThePassword() async throws {
        let proxy = "http://\(proxyUser):\(proxyPassword)@127.0.0.1:\(proxyPort)"
        let r = try await run(["-w", "ws", "--endpoint", "https://127.0.0.1:\(faultyTLSPort)/date-skew?minutes=20",
                               "--cacert", ca, "-p", proxy])
        #expect(r.network.hasPrefix("pass 0 "))
        #expect(r.network.hasSuffix("via proxy http://\(proxyUser):***@127.0.0.1:\(proxyPort)"))
        #expect(r.clock.hasPrefix("warn 0 the local clock is "))
        #expect(r.clock.contains("behind the service"))
        #expect(!r.output.contains(proxyPassword))
    }

    @Test func badNetworkOptionsAreRefusedBeforeProbing() async throws {
        let bin = PreflightCommandTests.binary
        let noCA = try await Oracle.run([bin, "preflight", "-w", "ws", "--cacert", "/nonexistent/ca.pem"])
        #expect(noCA.status == 2)
        let plain = try await Oracle.run([bin, "preflight", "-w", "ws", "--endpoint", "http://127.0.0.1:1/"])
        #expect(plain.status == 2)
        let noWorkspace = try await Oracle.run([bin, "preflight", "--endpoint", "https://127.0.0.1:1/"])
        #expect(noWorkspace.status == 2)
        let badProxy = try await Oracle.run([bin, "preflight", "-w", "ws", "-p", "ftp://secret-pw@host"])
        #expect(badProxy.status == 4)
        #expect(!badProxy.standardError.contains("secret-pw"))
    }
}
