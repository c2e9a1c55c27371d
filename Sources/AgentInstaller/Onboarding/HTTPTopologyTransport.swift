import AgentSupport

/// The real transport: the project's libcurl-based `HTTPClient` over HTTP/1.1 with the server verified (system
/// store or `--cacert`), the agent's client certificate, and an explicit proxy (CONNECT tunnel, credentials as
/// separate options) or a direct connection. Errors map to the onboarding codes of contract §10.6.
public struct HTTPTopologyTransport: TopologyTransport {
    /// Bound on the whole request.
    public var totalTimeout: Duration = .seconds(120)

    public init() {}

    public func post(_ exchange: TopologyExchange) async throws(AgentError) -> TopologyAnswer {
        var configuration = HTTPClientConfiguration()
        configuration.caFile = exchange.caFile
        configuration.clientCertificate = exchange.certificatePath
        configuration.clientKey = exchange.keyPath
        configuration.forceHTTP11 = true
        configuration.connectTimeout = .seconds(30)
        configuration.totalTimeout = totalTimeout
        configuration.retries = 0           // the signature's date must be fresh for every attempt
        configuration.maximumRedirects = 0
        configuration.userAgent = nil       // sent as a signed-request header instead
        if let p = exchange.proxy {
            configuration.proxy = .proxy(p.httpProxy)
        } else {
            configuration.proxy = .direct
        }
        let client = HTTPClient(configuration)
        do {
            let response = try await client.post(exchange.url, body: exchange.body,
                                                  headers: exchange.headers.map { HTTPHeader($0.name, $0.value) })
            return TopologyAnswer(status: response.status, date: response.header("Date"), body: response.body)
        } catch {
            throw Self.map(error, proxied: exchange.proxy != nil)
        }
    }

    /// DNS without a proxy → 7; proxy trouble (unresolvable, unreachable, 407, tunnel refused) → 4; else 8.
    static func map(_ error: HTTPError, proxied: Bool) -> AgentError {
        switch error.kind {
        case .dns where !proxied:
            return error.agentError(.hostUnresolvable, hint: "Error resolving host during the onboarding request; check DNS and the domain (-d)")
        case .proxyAuthentication:
            return error.agentError(.proxyOrFormatMismatch, hint: "proxy authentication failed: check the proxy user and password (used verbatim, no percent-decoding)")
        case .proxy, .dns:
            return error.agentError(.proxyOrFormatMismatch, hint: "check the proxy address and that it allows CONNECT to the service")
        case .tlsVerification:
            return error.agentError(.transport, hint: "the service's certificate could not be verified; for a TLS-inspecting proxy pass its CA with --cacert")
        case .httpStatus(let code):
            return AgentError(.httpStatus, "the onboarding request failed with HTTP code \(code)")
        default:
            return error.agentError(.transport, hint: "check the workspace id, the network path to the service, and any proxy")
        }
    }
}
