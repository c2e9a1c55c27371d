import AgentSupport
import Preflight
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
final class Listener {
    let fd: Int32
    let port: UInt16
    /// `listening: false` keeps the port bound but not accepting, so a connect is refused and no other process
    /// can take the port meanwhile.
    init(listening: Bool = true) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, len) == 0 && (!listening || listen(fd, 4) == 0) && getsockname(fd, sa, &len) == 0
            }
        }
        port = UInt16(bigEndian: addr.sin_port)
        guard ok else { throw AgentError(.internalError, "listener: \(FileIO.errnoText())") }
    }
    private var open = true
    /// Closes the socket once (a second close could hit a descriptor reused by another test).
    func close() {
        if open { _ = Glibc.close(fd); open = false }
    }
    deinit { close() }
}

@Suite struct NetworkProbeTests {
    @Test func endpointsFollowTheServiceNaming() throws {
        #expect(NetworkProbe.endpoints(workspaceID: "ws", domain: "opinsights.azure.us")
                == ["ws.oms.opinsights.azure.us", "ws.ods.opinsights.azure.us"])
        let t = try NetworkProbe.targets(workspaceID: "ws", domain: "opinsights.azure.us")
        #expect(t.map(\.url) == ["https://ws.oms.opinsights.azure.us/", "https://ws.ods.opinsights.azure.us/"])
        let e = try NetworkProbe.targets(workspaceID: "ws", domain: "x", endpoint: "https://127.0.0.1:8443/p?q=1")
        #expect(e == [NetworkProbe.Target(name: "127.0.0.1", url: "https://127.0.0.1:8443/p?q=1")])
    }

    @Test(arguments: ["http://127.0.0.1/", "https://user:pw@host/", "https://a b/", "ftp://x/"])
    func badEndpointIsAUsageError(_ endpoint: String) {
        #expect(throws: AgentError.self) {
            try NetworkProbe.targets(workspaceID: "ws", domain: "d", endpoint: endpoint)
        }
    }

    @Test func badWorkspaceOrDomainIsAUsageError() {
        #expect(throws: AgentError.self) { try NetworkProbe.targets(workspaceID: "a/b", domain: "d") }
        #expect(throws: AgentError.self) { try NetworkProbe.targets(workspaceID: "ws", domain: "d?x") }
    }

    @Test func failureKindsMapToOutcomesWithARemedy() {
        let cases: [(HTTPFailureKind, String, NetworkProbe.Outcome)] = [
            (.dns, "cannot resolve host x", .dns),
            (.connect, "cannot connect to x:443: Connection refused", .refused),
            (.connect, "cannot connect to x:443: No route to host", .unreachable),
            (.proxyAuthentication, "the proxy p:3128 requires credentials (HTTP 407)", .proxyAuth),
            (.proxy, "cannot connect to the proxy", .proxy),
            (.tlsVerification, "cannot verify", .tlsUntrusted),
            (.tls, "TLS failure", .tls),
            (.timeout, "timed out", .timeout),
            (.connectionLost, "broke", .connectionLost),
            (.other, "odd", .other),
        ]
        for (kind, message, outcome) in cases {
            #expect(NetworkProbe.Outcome(HTTPError(kind, message)) == outcome, "\(kind)")
        }
        for o in NetworkProbe.Outcome.allCases {
            #expect((o.remedy(proxy: nil) == nil) == (o == .ok))
        }
        let anonymous = HTTPProxy(host: "p", port: 3128)
        let withUser = HTTPProxy(host: "p", port: 3128, user: "u", password: Secret("pw"))
        #expect(NetworkProbe.Outcome.proxyAuth.remedy(proxy: withUser)?.contains("refused the credentials") == true)
        #expect(NetworkProbe.Outcome.proxyAuth.remedy(proxy: anonymous)?.contains("requires credentials") == true)
        #expect(NetworkProbe.Outcome.tlsUntrusted.remedy(proxy: nil)?.contains("--cacert") == true)
    }

    @Test func networkFailureBlocksWith55AndClockSkewWarns() async throws {
        let dir = TemporaryDirectory()
        try dir.write("etc/os-release", "ID=debian\nVERSION_ID=12\n")
        var o = PreflightOptions()
        o.minimumFreeBytes = 0
        let f = await HostFacts.gather(root: try HostRoot(dir.path))
        let refused = [NetworkProbe.Result(host: "a", port: 443, outcome: .refused, clockSkewSeconds: nil)]
        let checks = Preflight.evaluate(f, options: o, network: refused)
        #expect(checks.first { $0.id == "network" }?.exitCode == 55)
        #expect(checks.first { $0.id == "clock" }?.status == .skip)
        let skewed = [NetworkProbe.Result(host: "a", port: 443, outcome: .ok, clockSkewSeconds: 16 * 60)]
        #expect(Preflight.evaluate(f, options: o, network: skewed).first { $0.id == "clock" }?.status == .warn)
        let fine = [NetworkProbe.Result(host: "a", port: 443, outcome: .ok, clockSkewSeconds: -60)]
        #expect(Preflight.evaluate(f, options: o, network: fine).first { $0.id == "clock" }?.status == .pass)
        #expect(Preflight.evaluate(f, options: o, network: nil).first { $0.id == "network" }?.status == .skip)
    }
}

/// Real probes against the servers `scripts/test-servers` starts (nginx, squid, the faulty server).
@Suite(.enabled(if: TestEnvironment.serversAvailable, "needs scripts/test (test servers)"))
struct NetworkProbeServerTests {
    let ca = TestEnvironment.value("AGENT_TEST_CA")
    let httpsPort = TestEnvironment.value("AGENT_TEST_HTTPS_PORT") ?? "0"
    let untrustedPort = TestEnvironment.value("AGENT_TEST_UNTRUSTED_PORT") ?? "0"
    let faultyTLSPort = TestEnvironment.value("AGENT_TEST_FAULTY_TLS_PORT") ?? "0"
    let proxyPort = Int(TestEnvironment.value("AGENT_TEST_PROXY_PORT") ?? "0") ?? 0
    let proxyUser = TestEnvironment.value("AGENT_TEST_PROXY_USER") ?? ""
    let proxyPassword = TestEnvironment.value("AGENT_TEST_PROXY_PASSWORD") ?? ""

    func probe(_ url: String, caFile: String? = nil, proxy: HTTPProxy? = nil) async throws -> NetworkProbe.Result {
        let targets = try NetworkProbe.targets(workspaceID: "ws", domain: "d", endpoint: url)
        var settings = NetworkProbe.Settings(proxy: proxy, caFile: caFile)
        settings.totalTimeout = .seconds(5)
        let results = await NetworkProbe.probe(targets, settings: settings)
        try #require(results.count == 1)
        return results[0]
    }

    /// The checks of the debian-12 test tree (ready on its own) with these network results.
    func report(_ results: [NetworkProbe.Result], proxy: HTTPProxy? = nil) async throws -> PreflightReport {
        var o = PreflightOptions()
        o.proxy = proxy
        return PreflightReport(facts: try await HostTrees.facts("debian-12"), options: o, network: results)
    }

    @Test func reachableServiceWithAnyStatusPasses() async throws {
        let r = try await probe("https://127.0.0.1:\(httpsPort)/", caFile: ca)
        #expect(r.outcome == .ok)
        #expect(r.status != nil)  // nginx answers 403/404 for the docroot: the path works all the same
        #expect(r.port == UInt16(httpsPort))
        let skew = try #require(r.clockSkewSeconds)
        #expect(abs(skew) <= 60)  // same clock; the margin only absorbs scheduling delay on a loaded machine
        let rep = try await report([r])
        #expect(rep.checks.first { $0.id == "network" }?.status == .pass)
        #expect(rep.checks.first { $0.id == "clock" }?.status == .pass)
        #expect(rep.exitCode == 0)
    }

    @Test func refusedConnectionFailsWith55() async throws {
        let bound = try Listener(listening: false)
        let r = try await probe("https://127.0.0.1:\(bound.port)/", caFile: ca)
        #expect(r.outcome == .refused)
        let rep = try await report([r])
        let network = try #require(rep.checks.first { $0.id == "network" })
        #expect(network.status == .fail)
        #expect(network.exitCode == 55)
        #expect(network.remedy?.contains("refused") == true)
        #expect(rep.exitCode == 55)
        #expect(rep.verdict == "blocked")
    }

    @Test func untrustedCertificateIsTheTLSOutcome() async throws {
        let untrusted = try await probe("https://127.0.0.1:\(untrustedPort)/", caFile: ca)
        #expect(untrusted.outcome == .tlsUntrusted)
        // The test CA is not in the system store: without --cacert the good server is untrusted too.
        let noCA = try await probe("https://127.0.0.1:\(httpsPort)/")
        #expect(noCA.outcome == .tlsUntrusted)
        let rep = try await report([untrusted])
        let network = try #require(rep.checks.first { $0.id == "network" })
        #expect(network.exitCode == 55)
        #expect(network.summary.contains("tls-untrusted"))
        #expect(network.remedy?.contains("--cacert") == true)
        #expect(rep.checks.first { $0.id == "clock" }?.status == .skip)
    }

    @Test func throughTheProxyWithCredentials() async throws {
        let proxy = HTTPProxy(host: "127.0.0.1", port: proxyPort, user: proxyUser, password: Secret(proxyPassword))
        let r = try await probe("https://127.0.0.1:\(httpsPort)/", caFile: ca, proxy: proxy)
        #expect(r.outcome == .ok)
        let rep = try await report([r], proxy: proxy)
        let network = try #require(rep.checks.first { $0.id == "network" })
        #expect(network.status == .pass)
        #expect(network.summary.contains("via proxy http://\(proxyUser):***@127.0.0.1:\(proxyPort)"))
        #expect(!rep.json().contains(proxyPassword))
    }

    @Test func proxyWithoutOrWithWrongCredentialsIs407() async throws {
        let anonymous = HTTPProxy(host: "127.0.0.1", port: proxyPort)
        let none = try await probe("https://127.0.0.1:\(httpsPort)/", caFile: ca, proxy: anonymous)
        #expect(none.outcome == .proxyAuth)
        let wrongPassword = "wrong-\(UInt32.random(in: 0...UInt32.max))"
        let wrong = HTTPProxy(host: "127.0.0.1", port: proxyPort, user: proxyUser, password: Secret(wrongPassword))
        let bad = try await probe("https://127.0.0.1:\(httpsPort)/", caFile: ca, proxy: wrong)
        #expect(bad.outcome == .proxyAuth)
        let rep = try await report([bad], proxy: wrong)
        let network = try #require(rep.checks.first { $0.id == "network" })
        #expect(network.exitCode == 55)
        #expect(network.summary.contains("proxy-auth"))
        #expect(network.remedy?.contains("refused the credentials") == true)
        let anonymousReport = try await report([none], proxy: anonymous)
        #expect(anonymousReport.checks.first { $0.id == "network" }?.remedy?.contains("requires credentials") == true)
        #expect(!rep.json().contains(wrongPassword))
    }

    @Test func stalledServerTimesOut() async throws {
        var settings = NetworkProbe.Settings(caFile: ca)
        settings.totalTimeout = .seconds(2)
        let targets = try NetworkProbe.targets(workspaceID: "ws", domain: "d",
                                               endpoint: "https://127.0.0.1:\(faultyTLSPort)/stall-headers")
        let clock = ContinuousClock()
        let start = clock.now
        let r = await NetworkProbe.probe(targets, settings: settings)
        #expect(r.map(\.outcome) == [.timeout])
        #expect(clock.now - start < .seconds(30))  // the server stalls for far longer
    }

    @Test(arguments: [(20, Check.Status.warn), (-20, .warn), (0, .pass), (10, .pass)])
    func clockSkewFromTheDateHeader(_ minutes: Int, _ expected: Check.Status) async throws {
        let r = try await probe("https://127.0.0.1:\(faultyTLSPort)/date-skew?minutes=\(minutes)", caFile: ca)
        #expect(r.outcome == .ok)
        // Skew = local − server: a server 20 minutes ahead means the local clock is 1200 s behind.
        let skew = try #require(r.clockSkewSeconds)
        #expect(abs(skew + minutes * 60) <= 60)  // minutes apart; the margin absorbs scheduling delay
        let rep = try await report([r])
        let clock = try #require(rep.checks.first { $0.id == "clock" })
        #expect(clock.status == expected)
        #expect(clock.exitCode == 0)
        #expect(rep.verdict == "ready")
        #expect(rep.exitCode == 0)
        if expected == .warn { #expect(clock.summary.contains(minutes > 0 ? "behind" : "ahead of")) }
    }

    @Test func probesRunConcurrently() async throws {
        var settings = NetworkProbe.Settings(caFile: ca)
        settings.totalTimeout = .seconds(8)
        let url = "https://127.0.0.1:\(faultyTLSPort)/stall-headers"
        let targets = (0..<5).map { NetworkProbe.Target(name: "t\($0)", url: url + "?k=\($0)") }
        let clock = ContinuousClock()
        let start = clock.now
        let r = await NetworkProbe.probe(targets, settings: settings)
        #expect(r.map(\.host) == ["t0", "t1", "t2", "t3", "t4"])
        #expect(r.allSatisfy { $0.outcome == .timeout })
        // Five 8-s timeouts one after the other take at least 40 s; concurrently about 8 s (a machine with a load
        // average near 50 added up to 17 s): the margin separates the two cases without timing the code.
        #expect(clock.now - start < .seconds(38))
    }
}
