import AgentSupport

/// Everything `onboard` needs, validated before anything is written (contract §10.1).
public struct OnboardingOptions: Sendable {
    public var workspace: WorkspaceID
    public var key: WorkspaceKey
    public var domain: ServiceDomain
    /// A proxy given on the command line: used for the request and written to `proxy.conf` after success.
    public var proxy: ProxyConfiguration?
    public var azureResourceID: String?
    /// Present for a secondary (multi-homed) workspace.
    public var multihomingMarker: String?
    /// Replaces `https://<ws>.oms.<domain>` (private endpoints, tests); the path stays the contract's.
    public var endpoint: String?
    public var caFile: String?
    /// Send a fresh request even when the workspace is onboarded, running and unchanged (contract §10.2).
    public var reonboard = false

    public init(workspace: WorkspaceID, key: WorkspaceKey, domain: ServiceDomain = .default,
                proxy: ProxyConfiguration? = nil, azureResourceID: String? = nil, multihomingMarker: String? = nil,
                endpoint: String? = nil, caFile: String? = nil) throws(AgentError) {
        if let azureResourceID { try OmsAdminConf.validateResourceID(azureResourceID) }
        if let m = multihomingMarker {
            guard !m.isEmpty, m.count <= 256, m.allSatisfy({ $0.isASCII && !$0.isNewline && ($0.asciiValue ?? 0) >= 32 })
            else { throw AgentError(.usage, "the multi-homing marker must be one line of printable ASCII") }
        }
        if let endpoint {
            guard endpoint.hasPrefix("https://"), !endpoint.contains("@"), !endpoint.contains(where: \.isWhitespace)
            else { throw AgentError(.usage, "--endpoint must be an https:// URL without credentials") }
        }
        self.workspace = workspace
        self.key = key
        self.domain = domain
        self.proxy = proxy
        self.azureResourceID = azureResourceID
        self.multihomingMarker = multihomingMarker
        self.endpoint = endpoint
        self.caFile = caFile
    }

    /// The topology request URL.
    public var url: String {
        var base = endpoint ?? "https://\(workspace.value).oms.\(domain.value)"
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/AgentService.svc/LinuxAgentTopologyRequest"
    }
}
