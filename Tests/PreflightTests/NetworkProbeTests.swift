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
    @Test func openPortIsReachableAndClosedPortIsRefused() async throws {
        let l = try Listener()
        let open = await NetworkProbe.probe(hosts: ["127.0.0.1"], port: l.port, timeoutMilliseconds: 2000)
        #expect(open.map(\.outcome) == [.ok])
        let bound = try Listener(listening: false)
        let closed = await NetworkProbe.probe(hosts: ["127.0.0.1"], port: bound.port, timeoutMilliseconds: 2000)
        #expect(closed.map(\.outcome) == [.refused])
    }

    @Test func endpointsFollowTheServiceNaming() {
        #expect(NetworkProbe.endpoints(workspaceID: "ws", domain: "opinsights.azure.us")
                == ["ws.oms.opinsights.azure.us", "ws.ods.opinsights.azure.us"])
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
        let skewed = [NetworkProbe.Result(host: "a", port: 443, outcome: .ok, clockSkewSeconds: 16 * 60)]
        #expect(Preflight.evaluate(f, options: o, network: skewed).first { $0.id == "clock" }?.status == .warn)
        let fine = [NetworkProbe.Result(host: "a", port: 443, outcome: .ok, clockSkewSeconds: -60)]
        #expect(Preflight.evaluate(f, options: o, network: fine).first { $0.id == "clock" }?.status == .pass)
    }
}
