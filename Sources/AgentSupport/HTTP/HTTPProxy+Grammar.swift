extension HTTPProxy {
    /// A proxy exactly as the user wrote it: the result of the project's one proxy grammar, `HTTPProxy.written(_:)`.
    ///
    /// `HTTPProxy.parse` (the HTTP client's view: a default port filled in) and the agent's `ProxyConfiguration`
    /// (the `proxy.conf` view: the daemon's restrictions added) are both built from this value, so every command
    /// splits a proxy string the same way.
    public struct Written: Sendable, Equatable {
        /// The scheme before `://` (any case on input); nil when none was written.
        public var scheme: Scheme?
        /// Basic-auth user name; nil for an anonymous proxy.
        public var user: String?
        /// Basic-auth password, verbatim (no percent-decoding); nil exactly when `user` is nil.
        public var password: Secret?
        /// Host name, IPv4 address, or an IPv6 literal without its brackets.
        public var host: String
        /// The port as written; nil when none was.
        public var port: Int?
        /// True when the host was written as a bracketed IPv6 literal (`[fd00::1]`).
        public var bracketed: Bool
    }

    /// Parses `[http://|https://][user:password@]host[:port][/]`, tolerant of what people type.
    ///
    /// Surrounding whitespace and trailing `/`s are dropped; the scheme word is case-insensitive. The **last** `@`
    /// separates the credentials and the **first** `:` in them separates user from password, so a password may
    /// contain `@`, `:`, `%` and `/` (taken verbatim, never percent-decoded). A bracketed IPv6 literal
    /// (`[::1]:3128`) is accepted; an unbracketed one is refused with the reason.
    ///
    /// Separators are found among Unicode scalars, never among `Character`s: a combining mark written after `@`,
    /// `:`, `/` or `]` merges with it into one `Character` and would hide it, while libcurl, the proxy and the
    /// agent's daemon all see the separator's byte.
    /// - Throws: `AgentError` with `.proxyOrFormatMismatch`; the message never repeats the input (it may hold a
    ///   password).
    public static func written(_ text: String) throws(AgentError) -> Written {
        func invalid(_ why: String) -> AgentError {
            AgentError(.proxyOrFormatMismatch, "invalid proxy: \(why)",
                       hint: "write the proxy as http://[user:password@]host[:port]")
        }
        let all = Array(text.unicodeScalars)
        var rest = all[...]
        while let first = rest.first, first.properties.isWhitespace { rest = rest.dropFirst() }
        while let last = rest.last, last.properties.isWhitespace { rest = rest.dropLast() }
        guard !rest.isEmpty else { throw invalid("the value is empty") }

        var scheme: Scheme?
        let separator: [Unicode.Scalar] = [":", "/", "/"]
        if let range = rest.firstRange(of: separator) {
            guard let s = Scheme(rawValue: String(scalars: rest[..<range.lowerBound]).lowercased()) else {
                throw invalid("unsupported scheme: only http:// and https:// proxies are supported")
            }
            scheme = s
            rest = rest[range.upperBound...]
        }
        while rest.last == "/" { rest = rest.dropLast() }

        var user: String?
        var password: Secret?
        var hostPort = rest
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            hostPort = rest[(at + 1)...]
            guard let colon = credentials.firstIndex(of: ":") else { throw invalid("credentials must be user:password") }
            let name = credentials[..<colon]
            let secret = credentials[(colon + 1)...]
            guard !name.isEmpty else { throw invalid("the user name is empty") }
            guard !secret.isEmpty else { throw invalid("the password is empty") }
            guard !credentials.contains(where: { Character($0).isNewline }) else {
                throw invalid("the credentials contain a line break")
            }
            user = String(scalars: name)
            password = Secret(String(scalars: secret))
        }
        guard hostPort.firstRange(of: separator) == nil else { throw invalid("more than one scheme:// prefix") }
        guard !hostPort.contains("/") else { throw invalid("a path after the host is not allowed") }

        let host: String
        var portText: ArraySlice<Unicode.Scalar>?
        let bracketed = hostPort.first == "["
        if bracketed {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("unterminated [IPv6] address") }
            let literal = hostPort[(hostPort.startIndex + 1)..<close]
            let after = hostPort[(close + 1)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw invalid("unexpected text after the [IPv6] address") }
                portText = after.dropFirst()
            }
            guard !literal.isEmpty, literal.allSatisfy({ $0.properties.isASCIIHexDigit || $0 == ":" || $0 == "." }) else {
                throw invalid("malformed IPv6 address")
            }
            host = String(scalars: literal)
        } else {
            let colons = hostPort.filter { $0 == ":" }.count
            guard colons <= 1 else { throw invalid("an IPv6 address must be written in brackets, as in [fd00::1]:3128") }
            if let colon = hostPort.firstIndex(of: ":") {
                portText = hostPort[(colon + 1)...]
                hostPort = hostPort[..<colon]
            }
            guard !hostPort.isEmpty else { throw invalid("the host is empty") }
            guard hostPort.allSatisfy({ $0.isASCII && (Self.isAlphanumeric($0) || $0 == "-" || $0 == "." || $0 == "_") })
            else { throw invalid("the host contains characters that are not allowed (/, @, space…)") }
            host = String(scalars: hostPort)
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ ("0"..."9").contains($0) }),
                  let value = Int(String(scalars: portText)), (1...65535).contains(value)
            else { throw invalid("the port must be a number from 1 to 65535") }
            port = value
        }
        return Written(scheme: scheme, user: user, password: password, host: host, port: port, bracketed: bracketed)
    }

    private static func isAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
    }
}
