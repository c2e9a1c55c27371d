import AgentSupport

extension NetworkProbe {
    /// How a probe ended. The raw value is the stable word shown in the report.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// The service answered (any HTTP status): DNS, TCP, proxy tunnel and TLS all work.
        case ok
        /// The service's name does not resolve (direct connection).
        case dns
        /// The service (direct) refused the TCP connection.
        case refused
        /// Connecting or the request took longer than the probe allows.
        case timeout
        /// The service (direct) could not be reached for another reason (no route, network down).
        case unreachable
        /// The proxy answered 407: credentials missing or wrong.
        case proxyAuth = "proxy-auth"
        /// Any other proxy failure: unresolvable, unreachable, tunnel refused.
        case proxy
        /// The service's certificate is not trusted (unknown issuer, e.g. a TLS-inspecting proxy; wrong name).
        case tlsUntrusted = "tls-untrusted"
        /// Any other TLS failure (handshake, protocol version).
        case tls
        /// The connection broke before an answer arrived.
        case connectionLost = "connection-lost"
        /// Anything else (the reason is in the result's `detail`).
        case other

        /// The outcome of an `HTTPError` from a probe (`.httpStatus` never reaches here: it counts as `.ok`).
        public init(_ error: HTTPError) {
            switch error.kind {
            case .dns: self = .dns
            case .connect: self = error.message.contains(Self.refusedText) ? .refused : .unreachable
            case .proxyAuthentication: self = .proxyAuth
            case .proxy: self = .proxy
            case .tlsVerification: self = .tlsUntrusted
            case .tls: self = .tls
            case .timeout: self = .timeout
            case .connectionLost: self = .connectionLost
            case .httpStatus: self = .ok
            case .aborted, .other: self = .other
            }
        }

        /// The client names the OS reason of a failed connect (`strerror(ECONNREFUSED)`).
        static let refusedText = "Connection refused"

        /// What to do about this outcome, one line (nil for `.ok`); `proxy` is the one given with `-p`, if any.
        public func remedy(proxy: HTTPProxy?) -> String? {
            let proxied = proxy != nil
            return switch self {
            case .ok: nil
            case .dns: "the name does not resolve: check DNS, the workspace id (-w) and the domain (-d)"
            case .refused: "connection refused: check the firewall, or use a proxy (-p)"
            case .timeout: proxied ? "timed out: check that the proxy (-p) can reach the service on 443"
                                   : "timed out: outbound 443 is blocked; open it or use a proxy (-p)"
            case .unreachable: "the service is unreachable: check routing and firewall, or use a proxy (-p)"
            case .proxyAuth: proxy?.user != nil ? "the proxy refused the credentials: check -p user:password@host:port"
                                     : "a proxy requires credentials: give them with -p user:password@host:port"
            case .proxy: "the proxy failed: check its address (-p) and that it allows CONNECT to port 443"
            case .tlsUntrusted: "the service's certificate is not trusted: behind a TLS-inspecting proxy, "
                + "pass its CA with --cacert (and to onboarding)"
            case .tls: "the TLS handshake failed: check that nothing intercepts port 443 and that TLS 1.2 is allowed"
            case .connectionLost: "the connection broke before an answer: a firewall or proxy drops the traffic"
            case .other: "the probe failed: see the reason above"
            }
        }
    }
}
