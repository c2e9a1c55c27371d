import AgentSupport

/// The settings a workspace was onboarded with, read back from `omsadmin.conf`, the marker file, the primary
/// links and `proxy.conf` (contract §10.2, do better: the "already onboarded" skip compares them with the request).
struct OnboardedSettings: Sendable, Equatable {
    var agentGUID: String
    var domain: String
    var azureResourceID: String
    /// nil for the primary workspace.
    var marker: String?
    /// True when `ETC/conf` links to this workspace.
    var isPrimary: Bool
    var proxyLine: Secret?

    /// Reads workspace `ws`; nil unless it has key, certificate and a complete `omsadmin.conf`.
    static func read(root: HostRoot, workspace ws: AgentPaths.Workspace) -> OnboardedSettings? {
        guard let text = root.readText(ws.omsadminConf), let conf = OmsAdminConf.parse(text),
              root.isRegularFile(ws.key), root.isRegularFile(ws.cert) else { return nil }
        let proxy = (try? ProxyConfigurationFile.read(root: root)) ?? nil
        return OnboardedSettings(
            agentGUID: conf.agentGUID, domain: conf.urlTLD, azureResourceID: conf.azureResourceID,
            marker: root.readText(ws.marker), isPrimary: AgentPaths.primaryWorkspace(root: root) == ws.id,
            proxyLine: proxy?.fileLine)
    }

    /// The settings that differ from `options`, named for the report (empty: identical). A proxy not given on the
    /// command line keeps the stored one, so it never counts as a difference.
    func differences(from options: OnboardingOptions) -> [String] {
        var out: [String] = []
        if domain != options.domain.value { out.append("domain (\(domain) → \(options.domain.value))") }
        if azureResourceID != (options.azureResourceID ?? "") { out.append("Azure resource id") }
        if marker != options.multihomingMarker {
            out.append(options.multihomingMarker == nil ? "role (secondary → primary)"
                       : marker == nil ? "role (primary → secondary)" : "multi-homing marker")
        } else if options.multihomingMarker == nil && !isPrimary {
            out.append("primary links (ETC/conf does not point to this workspace)")
        }
        if let given = options.proxy, given.fileLine != proxyLine { out.append("proxy") }
        return out
    }
}
