import AgentSupport

extension ExtensionEngine {
    /// The managed-identity extension's settings file, written by the guest agent for that extension.
    public static let managedIdentitySettings = "/var/lib/waagent/ManagedIdentity-Settings"

    /// Where enable asks for instance metadata: the Azure Arc IMDS endpoint when `himdsd` is active and its
    /// `IMDS_ENDPOINT` is configured (contract §8.3 step 3), else `metadataURL`; nil when asking is disabled.
    ///
    /// `himdsd` counts as active on the live host when `systemctl is-active --quiet himdsd` succeeds; under another
    /// root (tests, images) when the tree holds its unit file (`lib/systemd/system/himdsd.service` or under
    /// `etc/systemd/system`).
    public func instanceMetadataURL(root: HostRoot) async -> (url: String, arc: Bool)? {
        guard let metadataURL else { return nil }
        if await Self.himdsActive(root: root, runner: runner), let arc = InstanceMetadata.arcURL(root: root) {
            return (arc, true)
        }
        return (metadataURL, false)
    }

    static func himdsActive(root: HostRoot, runner: ProcessRunner) async -> Bool {
        guard root.isLive else {
            return root.isRegularFile("/lib/systemd/system/himdsd.service") || root.isRegularFile("/etc/systemd/system/himdsd.service")
        }
        guard let out = try? await runner.run(["systemctl", "is-active", "--quiet", "himdsd"], timeout: .seconds(10)) else {
            return false
        }
        return out.succeeded
    }

    /// Asks IMDS (direct, never through a proxy) and logs what it said.
    func instanceMetadata(_ request: ExtensionRequest) async -> InstanceMetadata? {
        guard let source = await instanceMetadataURL(root: request.root) else { return nil }
        request.log.info("instance metadata from \(source.url)\(source.arc ? " (Azure Arc himdsd)" : "")")
        let metadata = await InstanceMetadata.fetch(url: source.url)
        request.log.info(metadata == nil ? "instance metadata not available" : "instance metadata: resource id "
                         + "\(metadata?.resourceID ?? "unknown"), domain \(metadata?.domain ?? "unknown")")
        return metadata
    }

    /// `enableAutomaticManagement` (contract §8.3 step 4): the workspace id and key come from the service through the
    /// VM's managed identity. This handler waits for the managed-identity extension's settings
    /// (`var/lib/waagent/ManagedIdentity-Settings`) within `enableRetry` and the deadline; the token, tenant discovery
    /// and validation calls (42–44) are not implemented, so with the settings present it fails with 1 saying so.
    /// - Throws: 41 when the settings file is still missing after the attempts; 40 when the deadline comes first.
    func automaticManagement(_ request: ExtensionRequest) async throws(AgentError) {
        let policy = enableRetry
        var attempt = 1
        while !request.root.isRegularFile(Self.managedIdentitySettings) {
            request.log.info("attempt \(attempt)/\(policy.attempts): \(Self.managedIdentitySettings) is missing")
            guard attempt < policy.attempts else {
                throw AgentError(.managedIdentitySettingsMissing,
                                 "enableAutomaticManagement needs the managed identity extension: \(Self.managedIdentitySettings) is missing")
            }
            guard policy.allows(attempt: attempt + 1, pausing: policy.interval, until: request.deadline) else {
                throw AgentError(.managedIdentityTimeout,
                                 "enableAutomaticManagement timed out waiting for \(Self.managedIdentitySettings)")
            }
            try? await Task.sleep(for: policy.interval)
            attempt += 1
        }
        request.log.info("\(Self.managedIdentitySettings) present")
        throw AgentError(.generic, "enableAutomaticManagement (workspace from the managed identity) is not supported by this handler",
                         hint: "give workspaceId in the public and workspaceKey in the protected settings")
    }
}
