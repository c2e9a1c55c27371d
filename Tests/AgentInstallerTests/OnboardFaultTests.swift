import AgentSupport
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `onboard` (the built binary) against each network fault of issue 10: the documented code (contract §10.6, §12),
/// a message that names the cause, and nothing written under the root. DNS failures run in a network namespace of
/// their own (`unshare -n`), so no query leaves the machine.
@Suite("onboard network faults", .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil))
struct OnboardFaultTests {
    static let binary = Repository.binary
    static func env(_ n: String) -> String { TestEnvironment.value(n) ?? "" }

    /// Runs `onboard` for `ws` (key on stdin) on a fresh root; checks that the root is unchanged afterwards.
    func onboard(_ extra: [String], ws: String = env("AGENT_TEST_WORKSPACE_ID"), key: String = env("AGENT_TEST_WORKSPACE_KEY"),
                 endpoint: String? = env("AGENT_TEST_WORKSPACE_URL"), isolated: Bool = false) async throws -> ProcessOutput {
        let r = try OnboardingRoot()
        let before = r.snapshot()
        var args = [Self.binary, "onboard", "-w", ws, "--key-stdin", "--root", r.dir.path, "--cacert", Self.env("AGENT_TEST_CA")]
        if let endpoint { args += ["--endpoint", endpoint] }
        if isolated { args = ["unshare", "-n", "--"] + args }
        let out = try await Oracle.run(args + extra, input: Array(key.utf8))
        #expect(r.snapshot() == before, "the root changed")
        #expect(!out.standardError.contains(key) && !out.standardOutput.contains(key))
        return out
    }

    @Test("proxy 407 without credentials → 4, naming the proxy and the 407")
    func proxyAuthentication() async throws {
        let port = Self.env("AGENT_TEST_PROXY_PORT")
        let out = try await onboard(["-p", "http://127.0.0.1:\(port)"])
        #expect(out.status == 4, "\(out.standardError)")
        #expect(out.standardError.contains("the proxy 127.0.0.1:\(port) requires credentials (HTTP 407)"))
        #expect(out.standardError.contains("remedy: proxy authentication failed"))
    }

    @Test("a proxy that refuses the connection → 4; the service refusing it directly → 8")
    func refused() async throws {
        let closed = try BoundPort()
        let viaProxy = try await onboard(["-p", "http://127.0.0.1:\(closed.port)"])
        #expect(viaProxy.status == 4, "\(viaProxy.standardError)")
        #expect(viaProxy.standardError.contains("cannot connect to the proxy 127.0.0.1:\(closed.port): Connection refused"))
        let direct = try await onboard([], endpoint: "https://127.0.0.1:\(closed.port)")
        #expect(direct.status == 8, "\(direct.standardError)")
        #expect(direct.standardError.contains("cannot connect to 127.0.0.1:\(closed.port): Connection refused"))
    }

    @Test("a server certificate from an untrusted CA → 8 with the TLS reason and the --cacert remedy")
    func untrustedCertificate() async throws {
        let port = Self.env("AGENT_TEST_UNTRUSTED_PORT")
        let out = try await onboard([], endpoint: "https://127.0.0.1:\(port)")
        #expect(out.status == 8, "\(out.standardError)")
        #expect(out.standardError.contains("cannot verify the TLS certificate of 127.0.0.1:\(port): "))
        #expect(out.standardError.lowercased().contains("issuer certificate"), "names the TLS reason")
        #expect(out.standardError.contains("--cacert"))
    }

    @Test("a service clock 20 minutes ahead → 403 → 5, with the measured skew", .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_ID_SKEW") != nil))
    func clockSkew() async throws {
        let out = try await onboard([], ws: Self.env("AGENT_TEST_WORKSPACE_ID_SKEW"), key: Self.env("AGENT_TEST_WORKSPACE_KEY_SKEW"))
        #expect(out.status == 5, "\(out.standardError)")
        #expect(out.standardError.contains("(HTTP 403): ClockSkew"))
        // "remedy: the local clock is N s behind the service: fix the time, then retry"; N measured from the Date header.
        let remedy = try #require(out.standardError.split(separator: "\n").first { $0.hasPrefix("remedy: the local clock is ") })
        let seconds = try #require(Int(remedy.dropFirst("remedy: the local clock is ".count).prefix { $0.isNumber }))
        #expect(abs(seconds - 1200) <= 5, "\(remedy)")
        #expect(remedy.hasSuffix(" s behind the service: fix the time, then retry"))
    }

    @Test("HTTP 500 → 6 naming the status")
    func httpStatus() async throws {
        let out = try await onboard([], ws: Self.env("AGENT_TEST_WORKSPACE_ID_500"), key: Self.env("AGENT_TEST_WORKSPACE_KEY_500"))
        #expect(out.status == 6, "\(out.standardError)")
        #expect(out.standardError.contains("HTTP code 500"))
    }

    @Test("DNS failure (no network namespace access): the service host → 7, the proxy host → 4",
          .enabled(if: TestEnvironment.canUnshare))
    func dns() async throws {
        let ws = Self.env("AGENT_TEST_WORKSPACE_ID")
        // The default endpoint: <ws>.oms.opinsights.azure.com, which cannot resolve without a network.
        let service = try await onboard([], endpoint: nil, isolated: true)
        #expect(service.status == 7, "\(service.standardError)")
        #expect(service.standardError.contains("cannot resolve host \(ws.lowercased()).oms.opinsights.azure.com")
                || service.standardError.contains("cannot resolve host \(ws).oms.opinsights.azure.com"), "\(service.standardError)")
        #expect(service.standardError.contains("remedy: Error resolving host during the onboarding request"))
        let proxy = try await onboard(["-p", "http://proxy.agent-installer-test.invalid:3128"], isolated: true)
        #expect(proxy.status == 4, "\(proxy.standardError)")
        #expect(proxy.standardError.contains("cannot resolve the proxy host proxy.agent-installer-test.invalid"))
    }
}

/// A TCP port on 127.0.0.1 that is bound but not listening: a connect is refused, and no other process can take the
/// port while this value lives.
final class BoundPort {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        port = UInt16(bigEndian: addr.sin_port)
        guard fd >= 0, ok else { throw AgentError(.internalError, "cannot bind a port: \(FileIO.errnoText())") }
    }

    deinit { close(fd) }
}
