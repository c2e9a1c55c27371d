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

    /// Parses `[http://|https://][user:password@]host[:port][/]`, tolerant of what people type.
    ///
    /// Surrounding whitespace and one trailing `/` are dropped. The **last** `@` separates the credentials, and
    /// the **first** `:` in them separates user from password, so a password may contain `@`, `:`, `%` and `/`.
    /// Credentials are taken verbatim (no percent-decoding). A bracketed IPv6 literal (`[::1]:3128`) is accepted.
    /// - Parameter defaultPort: the port when none is written (the agent's proxies use 80, not libcurl's 1080).
    /// - Throws: `AgentError` with `.proxyOrFormatMismatch`; the message never repeats the input (it may hold a
    ///   password).
    public static func parse(_ text: String, defaultPort: Int = 80) throws(AgentError) -> HTTPProxy {
        func invalid(_ why: String) -> AgentError {
            AgentError(.proxyOrFormatMismatch, "invalid proxy: \(why)",
                       hint: "write the proxy as http://[user:password@]host[:port]")
        }
        // Separators are found among Unicode scalars, not Characters: a combining mark after `/`, `@` or `:`
        // would otherwise merge with it into one Character and hide it (curl and the daemon see bytes).
        var rest = Substring(HTTPText.trimmed(text)).unicodeScalars
        var scheme = Scheme.http
        if let range = rest.firstRange(of: "://".unicodeScalars) {
            switch String(Substring(rest[..<range.lowerBound])) {
            case "http": scheme = .http
            case "https": scheme = .https
            default: throw invalid("only http:// and https:// proxies are supported")
            }
            rest = rest[range.upperBound...]
        }
        if rest.last == "/" { rest = rest.dropLast() }
        var user: String?
        var password: Secret?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = credentials.firstIndex(of: ":") else {
                throw invalid("credentials must be user:password")
            }
            let name = credentials[..<colon]
            let secret = credentials[credentials.index(after: colon)...]
            guard !name.isEmpty else { throw invalid("the user name is empty") }
            guard !secret.isEmpty else { throw invalid("the password is empty") }
            guard !name.contains(where: { Character($0).isNewline }), !secret.contains(where: { Character($0).isNewline })
            else { throw invalid("the credentials contain a line break") }
            user = String(Substring(name))
            password = Secret(String(Substring(secret)))
        }
        var host: String
        var portText: String?
        let bracketed = rest.first == "["
        if bracketed {
            guard let close = rest.firstIndex(of: "]") else { throw invalid("unterminated [IPv6] address") }
            host = String(Substring(rest[rest.index(after: rest.startIndex)..<close]))
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw invalid("unexpected text after the [IPv6] address") }
                portText = String(Substring(after.dropFirst()))
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw invalid("malformed IPv6 address")
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = String(Substring(rest[..<colon]))
            portText = String(Substring(rest[rest.index(after: colon)...]))
        } else {
            host = String(Substring(rest))
        }
        guard !host.isEmpty else { throw invalid("the host is empty") }
        if !bracketed {
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
            else { throw invalid("the host contains characters that are not allowed (/, @, space…)") }
        }
        var port = defaultPort
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portText), (1...65535).contains(value)
            else { throw invalid("the port must be a number from 1 to 65535") }
            port = value
        }
        return HTTPProxy(scheme: scheme, host: host, port: port, user: user, password: password)
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
