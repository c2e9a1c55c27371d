import AgentSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reachability of the service endpoints `<ws>.oms.<domain>` and `<ws>.ods.<domain>` on 443: name resolution
/// and a TCP connection, each failure classified.
///
/// Not yet done here (needs the project's HTTP client): proxy CONNECT, TLS trust and the clock skew measured
/// from the server's `Date` header; those parts are reported as skipped.
public enum NetworkProbe {
    /// How a probe ended.
    public enum Outcome: String, Sendable, Codable { case ok, dns, refused, timeout, unreachable }

    /// One endpoint's result.
    public struct Result: Sendable, Equatable {
        public var host: String
        public var port: UInt16
        public var outcome: Outcome
        /// Seconds the host clock is ahead (+) or behind (−) the server, nil when not measured.
        public var clockSkewSeconds: Int?

        public init(host: String, port: UInt16, outcome: Outcome, clockSkewSeconds: Int? = nil) {
            self.host = host
            self.port = port
            self.outcome = outcome
            self.clockSkewSeconds = clockSkewSeconds
        }
    }

    /// The endpoints for a workspace and domain.
    public static func endpoints(workspaceID: String, domain: String) -> [String] {
        ["\(workspaceID).oms.\(domain)", "\(workspaceID).ods.\(domain)"]
    }

    /// Probes every host concurrently.
    public static func probe(hosts: [String], port: UInt16 = 443, timeoutMilliseconds: Int32 = 5000) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (i, h) in hosts.enumerated() {
                group.addTask { (i, Result(host: h, port: port, outcome: connect(h, port, timeoutMilliseconds))) }
            }
            var out: [(Int, Result)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Resolves `host` with getaddrinfo and tries each address with a bounded non-blocking connect.
    static func connect(_ host: String, _ port: UInt16, _ timeout: Int32) -> Outcome {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else { return .dns }
        defer { freeaddrinfo(first) }
        var outcome = Outcome.unreachable
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                            | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if Glibc.connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return .ok }
            guard errno == EINPROGRESS else { outcome = errno == ECONNREFUSED ? .refused : .unreachable; continue }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let n = poll(&p, 1, timeout)
            if n == 0 { outcome = .timeout; continue }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            if err == 0 { return .ok }
            outcome = err == ECONNREFUSED ? .refused : err == ETIMEDOUT ? .timeout : .unreachable
        }
        return outcome
    }

    /// The `network` check: skipped without results, failing (55) when any endpoint is unreachable.
    static func check(_ results: [Result]?) -> Check {
        guard let results, !results.isEmpty else {
            return Check("network", .skip, found: "not checked (needs the live host, -w, and no --no-network)",
                         required: "service reachable on 443")
        }
        let bad = results.filter { $0.outcome != .ok }
        let found = results.map { "\($0.host):\($0.port) \($0.outcome.rawValue)" }.joined(separator: ", ")
        guard bad.isEmpty else {
            let remedy: String = switch bad[0].outcome {
            case .dns: "the name does not resolve: check DNS, the workspace id and the domain (-d)"
            case .refused: "connection refused: check the firewall or use a proxy (-p)"
            case .timeout: "connection timed out: outbound 443 is blocked; open it or use a proxy (-p)"
            default: "the service is unreachable: check routing, firewall, or use a proxy (-p)"
            }
            return Check("network", .fail, found: found, required: "service reachable on 443", remedy: remedy,
                         failCode: .dependencyUnusable)
        }
        return Check("network", .pass, found: found, required: "service reachable on 443")
    }

    /// The clock-skew warning (> 15 minutes is the classic cause of a 403 at onboarding).
    static func clockCheck(_ results: [Result]?) -> Check {
        guard let skew = results?.compactMap(\.clockSkewSeconds).first else {
            return Check("clock", .skip, found: "not measured", required: "within 15 minutes of the service")
        }
        let ok = abs(skew) <= 15 * 60
        return Check("clock", ok ? .pass : .warn, found: "clock differs from the service by \(skew) s",
                     required: "within 15 minutes of the service",
                     remedy: "synchronise the clock (chrony/ntp): a skew over 15 minutes makes onboarding fail with 403")
    }
}
