import AgentSupport

/// A proxy setting as the agent uses it: parsed from what a person typed with a tolerant grammar, written to
/// `proxy.conf` in a canonical form the daemon's own parser accepts (contract §11, §10.5).
///
/// Input grammar: surrounding whitespace trimmed; optional `http://` or `https://` (any case, written lowercase;
/// other schemes refused); the **last** `@` separates `user:password` (split at the first `:`) from the host;
/// `[v6]` brackets recognised; one or more trailing `/` removed. Credentials are kept **verbatim**: the daemon
/// sends them to the proxy without percent-decoding, so onboarding does the same (a `%40` stays `%40`) and the
/// file says exactly what the proxy receives at runtime. Values the daemon cannot represent (a password with
/// `@`, an IPv6 host, whitespace) are refused with exit 4 and the reason, never written and silently ignored.
public struct ProxyConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// The scheme word written in front of the line; the daemon treats both as a plain-HTTP CONNECT proxy.
    public enum Scheme: String, Sendable { case http, https }

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

    /// Parses user input; throws exit 4 with the reason when it is malformed or the daemon could not use it.
    public static func parse(_ input: String) throws(AgentError) -> ProxyConfiguration {
        func refuse(_ why: String) -> AgentError {
            AgentError(.proxyOrFormatMismatch, "invalid proxy setting: \(why)",
                       hint: "use [http://][user:password@]host[:port]")
        }
        var rest = Substring(input.trimmingWhitespace())
        guard !rest.isEmpty else { throw refuse("the value is empty") }
        guard !rest.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f })
        else { throw refuse("whitespace or control characters inside the value (the daemon would not use it)") }
        var scheme: Scheme?
        if let sep = rest.firstRange(of: "://") {
            let word = rest[..<sep.lowerBound].lowercased()
            guard let s = Scheme(rawValue: word) else {
                throw refuse("scheme \(rest[..<sep.lowerBound])://: only http:// and https:// proxies are supported")
            }
            scheme = s
            rest = rest[sep.upperBound...]
        }
        guard !rest.contains("://") else { throw refuse("more than one scheme:// prefix") }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        var user: String?
        var password: Secret?
        var hostPort = rest
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            hostPort = rest[rest.index(after: at)...]
            guard let colon = credentials.firstIndex(of: ":") else {
                throw refuse("credentials must be user:password (the daemon needs both)")
            }
            let u = credentials[..<colon]
            let p = credentials[credentials.index(after: colon)...]
            guard !u.isEmpty else { throw refuse("the user name is empty") }
            guard !p.isEmpty else { throw refuse("the password is empty (the daemon needs one; use any dummy value)") }
            guard !p.contains("@") else {
                throw refuse("the password contains '@', which the agent's proxy.conf parser cannot represent")
            }
            user = String(u)
            password = Secret(String(p))
        }
        guard !hostPort.contains("/") else { throw refuse("a path after the host is not allowed") }
        var host: Substring
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            let literal = hostPort.dropFirst().prefix { $0 != "]" }
            throw refuse("IPv6 proxy address [\(literal)]: the agent's proxy.conf parser cannot use IPv6 literals; use a host name")
        } else if let colon = hostPort.firstIndex(of: ":") {
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
            if portText?.contains(":") == true {
                throw refuse("IPv6 proxy address: the agent's proxy.conf parser cannot use IPv6 literals; use a host name")
            }
        } else {
            host = hostPort
        }
        guard !host.isEmpty else { throw refuse("the host is empty") }
        guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") })
        else { throw refuse("the host \(host) is not a host name or IPv4 address") }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(portText), (1...65535).contains(n)
            else { throw refuse("the port must be a number from 1 to 65535") }
            port = n
        }
        let parsed = ProxyConfiguration(scheme: scheme, user: user, password: password, host: String(host), port: port)
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
