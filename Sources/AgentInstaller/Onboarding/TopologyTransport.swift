import AgentSupport

/// One topology POST as the onboarding flow hands it to the network layer.
public struct TopologyExchange: Sendable {
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Real paths of the client certificate and key (PEM).
    public var certificatePath: String
    public var keyPath: String
    /// Extra CA bundle (`--cacert`); nil means the system store.
    public var caFile: String?
    /// The proxy to tunnel through; nil means a direct connection (never the environment's proxy variables,
    /// because the daemon does not read them either).
    public var proxy: ProxyConfiguration?
}

/// What came back: status, the `Date` header and the body.
public struct TopologyAnswer: Sendable {
    public var status: Int
    public var date: String?
    public var body: [UInt8]
    public init(status: Int, date: String?, body: [UInt8]) {
        self.status = status
        self.date = date
        self.body = body
    }
}

/// Sends a topology request over HTTP/1.1 with TLS verification. Transport failures are thrown as `AgentError`
/// with the onboarding codes of contract §10.6 (7 DNS without proxy, 4 proxy, 8 others); any HTTP status is
/// returned, not thrown.
public protocol TopologyTransport: Sendable {
    func post(_ exchange: TopologyExchange) async throws(AgentError) -> TopologyAnswer
}
