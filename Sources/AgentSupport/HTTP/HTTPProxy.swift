/// A forward proxy the HTTP client tunnels through: host, port and optional Basic credentials.
///
/// The client always speaks plain HTTP to the proxy and opens a `CONNECT` tunnel to the target, also when the
/// proxy was written `https://` (the agent's daemon does the same, so a transfer predicts the daemon's path).
/// `scheme` records what was written. The password is a `Secret`: `description` never shows it, and the client
/// hands the credentials to libcurl as separate options, never inside a URL.
public struct HTTPProxy: Sendable, Equatable, CustomStringConvertible {
    /// The scheme written before the proxy address (`http` when none was written).
    public enum Scheme: String, Sendable { case http, https }

    public var scheme: Scheme
    /// Host name or address; an IPv6 literal without brackets.
    public var host: String
    public var port: Int
    /// Basic-auth user name; nil for an anonymous proxy.
    public var user: String?
    /// Basic-auth password, used verbatim (no percent-decoding); nil exactly when `user` is nil.
    public var password: Secret?

    public init(scheme: Scheme = .http, host: String, port: Int, user: String? = nil, password: Secret? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.user = user
        self.password = password
    }

    /// Parses `[http://|https://][user:password@]host[:port][/]` with the project's one proxy grammar
    /// (`written(_:)`: last `@` splits the credentials, first `:` in them splits user from password, verbatim, no
    /// percent-decoding; bracketed IPv6; separators found among Unicode scalars), then fills in the defaults.
    /// - Parameter defaultPort: the port when none is written (the agent's proxies use 80, not libcurl's 1080).
    /// - Throws: `AgentError` with `.proxyOrFormatMismatch`; the message never repeats the input (it may hold a
    ///   password).
    public static func parse(_ text: String, defaultPort: Int = 80) throws(AgentError) -> HTTPProxy {
        let w = try written(text)
        return HTTPProxy(scheme: w.scheme ?? .http, host: w.host, port: w.port ?? defaultPort, user: w.user,
                         password: w.password)
    }

    /// The proxy as libcurl's `CURLOPT_PROXY` wants it: always `http://host:port`, never with credentials.
    var curlAddress: String {
        "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// `scheme://[user:***@]host:port` — safe to log.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let credentials = user.map { "\($0):***@" } ?? ""
        return "\(scheme.rawValue)://\(credentials)\(hostPart):\(port)"
    }
}

/// Small text helpers of the HTTP files (kept in a namespace so they cannot collide with other extensions).
enum HTTPText {
    /// `text` without leading and trailing ASCII spaces, tabs, CR and LF.
    static func trimmed<S: StringProtocol>(_ text: S) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[first...last])
    }

    /// `text` as one line: line breaks and control characters become spaces.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || ($0.isASCII && ($0.asciiValue ?? 32) < 32) ? " " : $0 })
    }
}
