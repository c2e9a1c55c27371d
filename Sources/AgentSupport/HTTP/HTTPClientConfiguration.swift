/// How the HTTP client reaches a proxy.
public enum HTTPProxySetting: Sendable, Equatable {
    /// Connect directly; proxy environment variables are ignored.
    case direct
    /// Tunnel every request through this proxy (no `no_proxy` exceptions).
    case proxy(HTTPProxy)
    /// Use `https_proxy`/`http_proxy` and `no_proxy` from these settings (`ProxyEnvironment.current()` for the
    /// process's own); proxies without a port use `defaultPort`.
    case environment(ProxyEnvironment, defaultPort: Int = 80)
}

/// Everything that shapes the HTTP client's transfers. Safe by default: certificate verification on (against
/// the system bundle unless `caFile` is set), TLS 1.2 or newer, http/https only, bounded connect and stall times.
public struct HTTPClientConfiguration: Sendable {
    /// PEM file of trusted CAs; nil uses the system bundle.
    public var caFile: String?
    /// Turns certificate and host-name verification off. Only for explicit user opt-out.
    public var insecure: Bool = false
    /// PEM client certificate and its private key (e.g. the agent's `oms.crt`/`oms.key`).
    public var clientCertificate: String?
    public var clientKey: String?
    public var proxy: HTTPProxySetting = .environment(.current())
    /// Speak HTTP/1.1 only (no HTTP/2 via ALPN).
    public var forceHTTP11: Bool = false
    /// Time allowed for DNS + TCP (+ proxy) + TLS before the first request byte.
    public var connectTimeout: Duration = .seconds(30)
    /// A transfer slower than `stallSpeed` bytes/s for this long fails as `.timeout` (libcurl works in whole
    /// seconds; shorter values count as 1 s).
    public var stallTimeout: Duration = .seconds(60)
    public var stallSpeed: Int = 1
    /// Bound on a whole operation including retries and back-off; nil for none beyond the stall rule.
    public var totalTimeout: Duration?
    /// Further attempts after a transient failure (refused or dropped connection, timeout, 408/429/5xx).
    public var retries: Int = 3
    /// Wait before the first retry; doubled for each further one, at most `maximumRetryDelay`.
    public var retryDelay: Duration = .seconds(1)
    public var maximumRetryDelay: Duration = .seconds(30)
    /// Follow up to this many redirects (http/https only); 0 to not follow.
    public var maximumRedirects: Int = 5
    /// `User-Agent` header; nil sends none.
    public var userAgent: String? = "agent-installer"
    /// In-memory responses (`send`, `post`, error bodies) larger than this fail as `.other`.
    public var maximumBodySize: Int = 16 << 20

    public init() {}

    /// The default configuration with a CA file and proxy setting (the common case in tests and onboarding).
    public init(caFile: String?, proxy: HTTPProxySetting = .environment(.current())) {
        self.caFile = caFile
        self.proxy = proxy
    }
}
