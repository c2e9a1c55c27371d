import AgentInstaller
import AgentSupport

/// The proxy parsers: the tolerant `proxy.conf` grammar, the daemon's grammar and the HTTP client's.
enum ProxyTargets {
    /// `ProxyConfiguration.parse` never crashes; an accepted value's canonical line re-parses to the same value
    /// and is read back by the daemon's grammar with the same parts.
    static func proxyConfiguration(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = DaemonProxyGrammar.parse(text)
        guard let parsed = try? ProxyConfiguration.parse(text) else { return }
        let line = parsed.fileLine.reveal()
        let again = try? ProxyConfiguration.parse(line)
        require(again == parsed, "canonical proxy line does not re-parse to the same value")
        let daemon = DaemonProxyGrammar.parse(line)
        require(daemon?.host == parsed.host && daemon?.user == parsed.user
                    && daemon?.password == parsed.password?.reveal() && daemon?.port == parsed.port.map(String.init),
                "daemon grammar reads the canonical line differently")
        require(parsed.port.map { (1...65535).contains($0) } ?? true, "port out of range")
    }

    /// `HTTPProxy.parse` never crashes; an accepted value written back as `scheme://user:password@host:port`
    /// parses to the same value, and its port is in range.
    static func httpProxy(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let proxy = try? HTTPProxy.parse(text) else { return }
        require((1...65535).contains(proxy.port), "port \(proxy.port) out of range")
        require((proxy.user == nil) == (proxy.password == nil), "user without password or the reverse")
        let host = proxy.host.contains(":") ? "[\(proxy.host)]" : proxy.host
        let credentials = proxy.user.map { "\($0):\(proxy.password!.reveal())@" } ?? ""
        let written = "\(proxy.scheme.rawValue)://\(credentials)\(host):\(proxy.port)"
        let again = try? HTTPProxy.parse(written)
        require(again == proxy, "written-back proxy does not re-parse to the same value")
    }
}
