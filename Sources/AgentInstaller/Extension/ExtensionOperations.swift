import AgentSupport

/// Everything an operation gets from the handler driver.
public struct ExtensionRequest: Sendable {
    public var operation: HandlerOperation
    public var root: HostRoot
    /// Real path of the handler directory (`EXT`, the working directory).
    public var handlerDirectory: String
    public var environment: HandlerEnvironment
    /// The sequence number of the settings in use (0 when the settings could not be read for disable/uninstall).
    public var sequenceNumber: UInt64
    public var settings: ExtensionSettings
    /// True when `sequenceNumber` ≤ `mrseq` (enable then skips the service restart, §8.3 step 9).
    public var sequenceAlreadySeen: Bool
    /// Guest-agent variables (`AZURE_GUEST_AGENT_*`, `VERSION`…) given to the process.
    public var agentVariables: [String: String]
    /// The moment the operation must have finished by (the agent's limit minus a margin for the final status).
    public var deadline: ContinuousClock.Instant
    public var log: ExtensionLog
}

/// The package and onboarding work of each operation, done by the install and onboarding engines.
///
/// The driver (`ExtensionHandler`) has already done the common steps, checked the OS and the settings, restored or
/// parked workspace state and handled `stopOnMultipleConnections`; a conformance does only the engine work below,
/// throws `AgentError` with the contract's code (use `ExitRemapping` for bundle/onboarding results), and should
/// budget its retries against `request.deadline`.
public protocol ExtensionOperations: Sendable {
    /// Install or upgrade the packages (bundle `--upgrade`, with `--skip-docker-provider-install` / `--noDigest` as
    /// set); never onboards.
    func install(_ request: ExtensionRequest) async throws(AgentError)
    /// Onboard the workspace in process (no secrets on argv), set permissions, create the extension marker, restart
    /// the services unless `request.sequenceAlreadySeen`, remove a previous marker-carrying workspace. The driver
    /// records `mrseq` after it returns.
    func enable(_ request: ExtensionRequest) async throws(AgentError)
    /// Stop and unregister the workspace services (`service_control disable`); non-destructive.
    func disable(_ request: ExtensionRequest) async throws(AgentError)
    /// Remove the packages (`--remove`), stopping only the `omsagent-<ws>` units. The driver deletes `ETC/<ws>` and
    /// `VAR/<ws>` afterwards.
    func uninstall(_ request: ExtensionRequest) async throws(AgentError)
    /// Engine work for update after the driver has parked the workspace state (nothing upstream).
    func update(_ request: ExtensionRequest) async throws(AgentError)
}

extension ExtensionOperations {
    /// Update needs no engine work by default: the driver's parking is the whole of §8.6.
    public func update(_ request: ExtensionRequest) async throws(AgentError) {}
}
