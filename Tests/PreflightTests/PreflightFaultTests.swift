import AgentSupport
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@testable import Preflight

/// `preflight`'s network probe (the built binary) against the faults of issue 10 that the server-backed probe tests
/// do not drive through the command line: DNS failure (in a network namespace of its own, so no query leaves the
/// machine), a proxy demanding credentials, a refused connection. Each fails the `network` check with 55 and a
/// summary and remedy that name the cause.
@Suite(.enabled(if: TestEnvironment.serversAvailable, "needs scripts/test (test servers)"))
struct PreflightFaultTests {
    let ca = TestEnvironment.value("AGENT_TEST_CA") ?? ""
    let httpsPort = TestEnvironment.value("AGENT_TEST_HTTPS_PORT") ?? "0"
    let proxyPort = TestEnvironment.value("AGENT_TEST_PROXY_PORT") ?? "0"

    /// Python reads the JSON report: the process exit code must equal the report's, then the network check's
    /// `status exitCode summary` and its remedy, one per line.
    static let checker = """
        import json, sys
        r = json.loads(sys.stdin.read())
        assert r["exitCode"] == int(sys.argv[1]), (r["exitCode"], sys.argv[1])
        c = {x["id"]: x for x in r["checks"]}["network"]
        print(c["status"], c["exitCode"], c["summary"])
        print(c.get("remedy") or "")
        """

    func network(_ args: [String], isolated: Bool = false) async throws -> (check: String, remedy: String) {
        var argv = [PreflightCommandTests.binary, "preflight", "--format", "json", "-w", "ws"] + args
        if isolated { argv = ["unshare", "-n", "--"] + argv }
        let out = try await Oracle.run(argv)
        let py = try await Oracle.run(["python3", "-c", Self.checker, String(out.status)], input: Array(out.standardOutput.utf8))
        #expect(py.succeeded, "\(py.standardError) \(out.standardError)")
        let lines = py.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count >= 2)
        return (lines[0], lines[1])
    }

    @Test(.enabled(if: TestEnvironment.canUnshare))
    func dnsFailureNamesDNS() async throws {
        let r = try await network(["--endpoint", "https://oms.agent-installer-test.invalid/"], isolated: true)
        #expect(r.check.hasPrefix("fail 55 oms.agent-installer-test.invalid:443 dns"), "\(r.check)")
        #expect(r.remedy.contains("check DNS"), "\(r.remedy)")
    }

    @Test func proxyWithoutCredentialsIs407() async throws {
        let r = try await network(["--endpoint", "https://127.0.0.1:\(httpsPort)/", "--cacert", ca,
                                   "-p", "http://127.0.0.1:\(proxyPort)"])
        #expect(r.check.hasPrefix("fail 55 127.0.0.1:\(httpsPort) proxy-auth"), "\(r.check)")
        #expect(r.remedy.contains("requires credentials"), "\(r.remedy)")
    }

    @Test func refusedConnectionIsNamed() async throws {
        let closed = try Listener(listening: false)
        let r = try await network(["--endpoint", "https://127.0.0.1:\(closed.port)/", "--cacert", ca])
        #expect(r.check.hasPrefix("fail 55 127.0.0.1:\(closed.port) refused"), "\(r.check)")
        #expect(r.remedy.contains("refused"), "\(r.remedy)")
    }
}
