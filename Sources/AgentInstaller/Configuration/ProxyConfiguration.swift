import AgentSupport

/// A proxy setting as the agent uses it: a view of the project's one proxy grammar (`HTTPProxy.written`) with the
/// restrictions of the agent's daemon added, written to `proxy.conf` in a canonical form the daemon's own parser
/// accepts (contract §11, §10.5).
///
/// Input grammar (`HTTPProxy.written`): surrounding whitespace trimmed; optional `http://` or `https://` (any case,
/// written lowercase; other schemes refused); the **last** `@` separates `user:password` (split at the first `:`)
/// from the host; `[v6]` brackets recognised; trailing `/`s removed; separators found among Unicode scalars.
/// Credentials are kept **verbatim**: the daemon sends them to the proxy without percent-decoding, so onboarding
/// does the same (a `%40` stays `%40`) and the file says exactly what the proxy receives at runtime. Values the
/// daemon cannot represent (a password with `@`, an IPv6 host, whitespace) are refused with exit 4 and the reason,
/// never written and silently ignored.
public struct ProxyConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// The scheme word written in front of the line; the daemon treats both as a plain-HTTP CONNECT proxy.
    public typealias Scheme = HTTPProxy.Scheme

    public var scheme: Scheme?
    public var user: String?
    public var password: Secret?
    public var host: String
    /// The port as given; nil means the daemon's default, 80.
    public var port: Int?

    /// The port used for connections: the given one, else 80 like the daemon (not libcurl's 1080).
    public var effectivePort: Int { port ?? 80 }

    public init(scheme: Scheme? = nil, user: String? = nil, password: Secret? = nil, host: String, port: Int? = nil) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
    }

    /// The proxy as the HTTP client uses it (always a CONNECT tunnel; port 80 when none was written).
    public var httpProxy: HTTPProxy {
        HTTPProxy(scheme: scheme ?? .http, host: host, port: effectivePort, user: user, password: password)
    }

    /// Parses user input; throws exit 4 with the reason when it is malformed or the daemon could not use it.
    public static func parse(_ input: String) throws(AgentError) -> ProxyConfiguration {
        func refuse(_ why: String) -> AgentError {
            AgentError(.proxyOrFormatMismatch, "invalid proxy: \(why)", hint: "use [http://][user:password@]host[:port]")
        }
        let trimmed = input.trimmingWhitespace()
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f })
        else { throw refuse("whitespace or control characters inside the value (the daemon would not use it)") }
        let w = try HTTPProxy.written(trimmed)
        if w.bracketed || w.host.unicodeScalars.contains(":") {
            throw refuse("IPv6 proxy address [\(w.host)]: the agent's proxy.conf parser cannot use IPv6 literals; use a host name")
        }
        if let p = w.password, p.reveal().unicodeScalars.contains("@") {
            throw refuse("the password contains '@', which the agent's proxy.conf parser cannot represent")
        }
        let parsed = ProxyConfiguration(scheme: w.scheme, user: w.user, password: w.password, host: w.host, port: w.port)
        // The canonical line must mean the same to the daemon, or it would silently connect directly.
        let line = parsed.fileLine.reveal()
        guard let d = DaemonProxyGrammar.parse(line), d.host == parsed.host, d.user == parsed.user,
              d.password == parsed.password?.reveal(), d.port == parsed.port.map(String.init)
        else { throw refuse("the agent's proxy.conf parser would not read this value back unchanged") }
        return parsed
    }

    /// The canonical `proxy.conf` line (contains the password, hence `Secret`), without a newline.
    public var fileLine: Secret {
        Secret(render(password: password?.reveal()))
    }

    /// The line with the password masked, for output.
    public var description: String { render(password: password == nil ? nil : "****") }

    private func render(password: String?) -> String {
        var s = scheme.map { "\($0.rawValue)://" } ?? ""
        if let user, let password { s += "\(user):\(password)@" }
        s += host
        if let port { s += ":\(port)" }
        return s
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
