/// Why an HTTP transfer failed, precisely enough for callers to pick their documented exit code
/// (onboarding: `dns` → 7, `proxy`/`proxyAuthentication` → 4, the rest → 8; the pre-flight network check names it).
public enum HTTPFailureKind: Sendable, Equatable, CustomStringConvertible {
    /// The target host name could not be resolved (no proxy involved).
    case dns
    /// The target refused the TCP connection or could not be reached (no proxy involved).
    case connect
    /// The proxy answered 407: credentials missing or wrong.
    case proxyAuthentication
    /// Any other proxy failure: proxy host unresolvable or unreachable, tunnel refused.
    case proxy
    /// The server's certificate could not be verified (untrusted issuer, wrong host name, expired).
    case tlsVerification
    /// Any other TLS failure (handshake, protocol version, unreadable CA or client certificate).
    case tls
    /// The server answered with this non-success HTTP status.
    case httpStatus(Int)
    /// Connect timeout, stalled transfer (below the minimum speed for the stall time) or the total bound.
    case timeout
    /// The connection broke before the response was complete (reset, closed early, nothing received).
    case connectionLost
    /// Stopped on purpose: the task was cancelled or the byte sink refused the data.
    case aborted
    /// Anything else (malformed URL, local I/O problem, unexpected reply).
    case other

    /// A stable kebab-case name for JSON output.
    public var description: String {
        switch self {
        case .dns: "dns"
        case .connect: "connect"
        case .proxyAuthentication: "proxy-authentication"
        case .proxy: "proxy"
        case .tlsVerification: "tls-verification"
        case .tls: "tls"
        case .httpStatus(let code): "http-status-\(code)"
        case .timeout: "timeout"
        case .connectionLost: "connection-lost"
        case .aborted: "aborted"
        case .other: "other"
        }
    }
}

/// A failed HTTP transfer: the classified `kind` and a one-line `message` that never contains a secret (no proxy
/// password, no URL query or user info).
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: HTTPFailureKind
    /// One line for people, e.g. "cannot resolve host example.invalid (https://example.invalid:443/x)".
    public var message: String
    /// The response that carried a failing status (its headers and, up to a limit, its body), when there was one.
    public var response: HTTPResponse?

    public init(_ kind: HTTPFailureKind, _ message: String, response: HTTPResponse? = nil) {
        self.kind = kind
        self.message = HTTPText.oneLine(message)
        self.response = response
    }

    public var description: String { message }

    /// The error as an `AgentError` with the given exit code (callers choose the code from `kind`).
    public func agentError(_ code: ExitCode, hint: String? = nil) -> AgentError {
        AgentError(code, message, hint: hint)
    }
}
