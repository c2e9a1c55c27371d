import AgentSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reachability of the service endpoints `https://<ws>.oms.<domain>` and `https://<ws>.ods.<domain>`: one HTTPS
/// request each through the project's `HTTPClient` (DNS, TCP, the proxy's CONNECT tunnel, TLS verification), all
/// concurrently and bounded. Any HTTP status from the service, even 403 or 404, proves the path works; a failure
/// is classified (`Outcome`). The server's `Date` header gives the clock skew.
public enum NetworkProbe {
    /// One URL to probe and the name it is reported under.
    public struct Target: Sendable, Equatable {
        /// Shown in the report: the host (`<ws>.oms.<domain>`) or, with `--endpoint`, the endpoint's host.
        public var name: String
        public var url: String

        public init(name: String, url: String) {
            self.name = name
            self.url = url
        }
    }

    /// How the probe connects: proxy, trusted CAs and bounds.
    public struct Settings: Sendable {
        /// The proxy to tunnel through (`-p`); nil connects directly, like onboarding without `-p`.
        public var proxy: HTTPProxy?
        /// Extra CA bundle (`--cacert`): for TLS-inspecting proxies and tests; nil uses the system store.
        public var caFile: String?
        public var connectTimeout: Duration = .seconds(5)
        public var totalTimeout: Duration = .seconds(10)

        public init(proxy: HTTPProxy? = nil, caFile: String? = nil) {
            self.proxy = proxy
            self.caFile = caFile
        }

        /// The HTTP client configuration of one probe: no retries, no redirects, small in-memory body.
        var clientConfiguration: HTTPClientConfiguration {
            var c = HTTPClientConfiguration(caFile: caFile, proxy: proxy.map { .proxy($0) } ?? .direct)
            c.connectTimeout = connectTimeout
            c.stallTimeout = totalTimeout
            c.totalTimeout = totalTimeout
            c.retries = 0
            c.maximumRedirects = 0
            c.forceHTTP11 = true
            c.maximumBodySize = 1 << 20
            return c
        }
    }

    /// One endpoint's result.
    public struct Result: Sendable, Equatable {
        public var host: String
        public var port: UInt16
        public var outcome: Outcome
        /// Seconds the host clock is ahead (+) or behind (−) the server, nil when not measured.
        public var clockSkewSeconds: Int?
        /// The HTTP status the service answered with (any status means the path works); nil on failure.
        public var status: Int?
        /// The client's one-line reason for a failure (never contains the proxy password); nil on success.
        public var detail: String?

        public init(host: String, port: UInt16, outcome: Outcome, clockSkewSeconds: Int? = nil, status: Int? = nil,
                    detail: String? = nil) {
            self.host = host
            self.port = port
            self.outcome = outcome
            self.clockSkewSeconds = clockSkewSeconds
            self.status = status
            self.detail = detail
        }
    }

    /// The endpoint host names for a workspace and domain.
    public static func endpoints(workspaceID: String, domain: String) -> [String] {
        ["\(workspaceID).oms.\(domain)", "\(workspaceID).ods.\(domain)"]
    }

    /// The URLs to probe: `https://<ws>.oms.<domain>/` and `https://<ws>.ods.<domain>/`, or only `endpoint`
    /// (requested as given, path included) when set — it replaces both hosts (private endpoints, tests).
    /// - Throws: `AgentError` `.usage` for a workspace id or domain that is not a host name label sequence, or an
    ///   endpoint that is not an `https://` URL without credentials.
    public static func targets(workspaceID: String, domain: String,
                               endpoint: String? = nil) throws(AgentError) -> [Target] {
        if let endpoint {
            guard endpoint.lowercased().hasPrefix("https://"), !endpoint.contains("@"),
                  !endpoint.contains(where: { $0.isWhitespace || $0.isNewline }),
                  let host = hostPart(of: endpoint), !host.isEmpty
            else { throw AgentError(.usage, "--endpoint must be an https:// URL without credentials") }
            return [Target(name: host, url: endpoint)]
        }
        func isHostText(_ s: String) -> Bool {
            !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        }
        guard isHostText(workspaceID) else { throw AgentError(.usage, "the workspace id (-w) is not a valid id") }
        guard isHostText(domain) else { throw AgentError(.usage, "the domain (-d) is not a valid host name") }
        return endpoints(workspaceID: workspaceID, domain: domain).map { Target(name: $0, url: "https://\($0)/") }
    }

    /// Probes every target concurrently; results in the order of `targets`.
    public static func probe(_ targets: [Target], settings: Settings = Settings()) async -> [Result] {
        let client = HTTPClient(settings.clientConfiguration)
        return await withTaskGroup(of: (Int, Result).self) { group in
            for (i, t) in targets.enumerated() {
                group.addTask { (i, await probe(t, client: client)) }
            }
            var out: [(Int, Result)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// One GET of `target.url`: any response is success; the skew is local time − the response's `Date`.
    static func probe(_ target: Target, client: HTTPClient) async -> Result {
        let port = UInt16(clamping: portPart(of: target.url) ?? 443)
        do {
            let response = try await client.get(target.url)
            let skew = response.dateEpochSeconds.map { Int(Int64(time(nil)) - $0) }
            return Result(host: target.name, port: port, outcome: .ok, clockSkewSeconds: skew, status: response.status)
        } catch {
            // A failing status is still an answer from the service: the path works.
            if case .httpStatus(let code) = error.kind {
                let skew = error.response?.dateEpochSeconds.map { Int(Int64(time(nil)) - $0) }
                return Result(host: target.name, port: port, outcome: .ok, clockSkewSeconds: skew, status: code)
            }
            return Result(host: target.name, port: port, outcome: Outcome(error), detail: error.message)
        }
    }

    /// The authority's host of an `https://` URL (brackets of an IPv6 literal kept).
    static func hostPart(of url: String) -> String? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[...close])
        }
        return String(authority.prefix { $0 != ":" })
    }

    /// The explicit port of a URL, or nil.
    static func portPart(of url: String) -> Int? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        let authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let afterHost = authority.lastIndex(of: "]").map { authority[authority.index(after: $0)...] } ?? authority
        guard let colon = afterHost.lastIndex(of: ":") else { return nil }
        return Int(afterHost[afterHost.index(after: colon)...])
    }
}
