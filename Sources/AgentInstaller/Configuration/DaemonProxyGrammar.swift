/// The proxy-line grammar of the omsagent daemon's runtime parser (`oms_configuration.rb`), reproduced exactly so
/// that what we write is checked against what the daemon will accept (contract §11).
///
/// A leading lowercase `http://` or `https://` is stripped, any other `scheme://` is invalid; the rest must be
/// `[user ":" password "@"] host [":" port]` with user free of `:`, password free of `@`, host free of `:` and `@`,
/// port decimal digits. A single trailing newline is ignored. Credentials are used verbatim.
public enum DaemonProxyGrammar {
    /// What the daemon extracts from an accepted line.
    public struct Parsed: Sendable, Equatable {
        public var user: String?
        public var password: String?
        public var host: String
        /// The port text as written, nil when absent (the daemon then uses 80).
        public var port: String?
    }

    /// Parses one line like the daemon does; nil means the daemon would log a parse error and connect directly.
    public static func parse(_ line: String) -> Parsed? {
        var rest = Substring(line)
        if rest.hasSuffix("\n") { rest = rest.dropLast() }
        if rest.hasPrefix("http://") {
            rest = rest.dropFirst(7)
        } else if rest.hasPrefix("https://") {
            rest = rest.dropFirst(8)
        } else if rest.contains("://") {
            return nil
        }
        var user: String?
        var password: String?
        var hostPort = rest
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            hostPort = rest[rest.index(after: at)...]
            guard let colon = credentials.firstIndex(of: ":") else { return nil }
            let u = credentials[..<colon]
            let p = credentials[credentials.index(after: colon)...]
            guard !u.isEmpty, !p.isEmpty, !p.contains("@") else { return nil }
            user = String(u)
            password = String(p)
        }
        var host = hostPort
        var port: String?
        if let colon = hostPort.firstIndex(of: ":") {
            host = hostPort[..<colon]
            let digits = hostPort[hostPort.index(after: colon)...]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            port = String(digits)
        }
        guard !host.isEmpty, !host.contains("@"), !host.contains(":") else { return nil }
        return Parsed(user: user, password: password, host: String(host), port: port)
    }
}
