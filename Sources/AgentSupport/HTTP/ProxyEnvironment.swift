#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The proxy settings of a process environment, as the HTTP client honours them when no proxy is given.
///
/// `https_proxy`/`HTTPS_PROXY` for `https://` URLs, `http_proxy` for `http://` URLs (lowercase only, as libcurl
/// does, because CGI servers put a request's `Proxy:` header into `HTTP_PROXY`), and `no_proxy`/`NO_PROXY`.
/// Values are parsed like any proxy (`HTTPProxy.parse`): credentials verbatim, never percent-decoded.
public struct ProxyEnvironment: Sendable, Equatable {
    public var httpsProxy: String?
    public var httpProxy: String?
    /// Comma-separated hosts or domains that bypass the proxy; `*` bypasses it for every host.
    public var noProxy: String?

    /// Reads the settings from `variables` (empty values count as unset).
    public init(_ variables: [String: String]) {
        func pick(_ names: String...) -> String? {
            for name in names {
                if let value = variables[name], !HTTPText.trimmed(value).isEmpty { return value }
            }
            return nil
        }
        httpsProxy = pick("https_proxy", "HTTPS_PROXY")
        httpProxy = pick("http_proxy")
        noProxy = pick("no_proxy", "NO_PROXY")
    }

    /// The settings of this process's environment.
    public static func current() -> ProxyEnvironment {
        var variables: [String: String] = [:]
        for name in ["https_proxy", "HTTPS_PROXY", "http_proxy", "no_proxy", "NO_PROXY"] {
            if let value = getenv(name) { variables[name] = String(cString: value) }
        }
        return ProxyEnvironment(variables)
    }

    /// The proxy for `url`, or nil to connect directly.
    /// - Throws: `AgentError` (`.proxyOrFormatMismatch`) when the applicable variable cannot be parsed; the message
    ///   names the variable, never its value.
    public func proxy(for url: String, defaultPort: Int = 80) throws(AgentError) -> HTTPProxy? {
        let target: HTTPURL
        do { target = try HTTPURL(url) } catch { return nil }
        return try proxy(for: target, defaultPort: defaultPort)
    }

    func proxy(for target: HTTPURL, defaultPort: Int) throws(AgentError) -> HTTPProxy? {
        guard let value = target.isHTTPS ? httpsProxy : httpProxy else { return nil }
        if bypasses(host: target.host) { return nil }
        do {
            return try HTTPProxy.parse(value, defaultPort: defaultPort)
        } catch {
            let name = target.isHTTPS ? "https_proxy" : "http_proxy"
            throw AgentError(.proxyOrFormatMismatch, "the \(name) environment variable is not a valid proxy: "
                             + String(error.message.dropFirst(error.message.hasPrefix("invalid proxy: ") ? 15 : 0)), hint: error.hint)
        }
    }

    /// True when `no_proxy` names `host`: `*`, the host itself, or a parent domain (`example.com` and
    /// `.example.com` both match `a.example.com`). Case-insensitive; a `:port` suffix and `[ ]` are ignored.
    public func bypasses(host: String) -> Bool {
        guard let noProxy else { return false }
        let name = host.lowercased().filter { $0 != "[" && $0 != "]" }
        for raw in noProxy.split(separator: ",") {
            var entry = HTTPText.trimmed(raw).lowercased()
            if entry == "*" { return true }
            if entry.hasPrefix("[") {
                entry = String(entry.dropFirst().prefix(while: { $0 != "]" }))
            } else if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") {
                entry = String(entry[..<colon])
            }
            if entry.hasPrefix(".") { entry.removeFirst() }
            if entry.hasPrefix("*.") { entry.removeFirst(2) }
            guard !entry.isEmpty else { continue }
            if name == entry || name.hasSuffix("." + entry) { return true }
        }
        return false
    }
}
