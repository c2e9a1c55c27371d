import AgentSupport
import Preflight

/// The real `ExtensionOperations`: install through `InstallSession`/`InstallRun`, enable through the in-process
/// `Onboarding`, disable through `service_control`, uninstall through `Uninstall` (contract §8.2–§8.5).
///
/// `endpoint` and `caFile` replace the onboarding service address and its CA (private endpoints, tests); the CLI
/// leaves them nil unless given its hidden `--endpoint`/`--cacert`. A missing `vmResourceId` or `domain` is asked of
/// IMDS at `metadataURL` (direct, 2 s; the Azure Arc endpoint when `himdsd` is active); unknown, the resource id is
/// omitted and the domain is the public cloud. Retries follow `installRetry` and `enableRetry` within the request's
/// deadline.
public struct ExtensionEngine: ExtensionOperations {
    /// Replaces `https://<ws>.oms.<domain>` for the onboarding request.
    public var endpoint: String?
    /// CA bundle that verifies the onboarding service.
    public var caFile: String?
    /// Runs dpkg/rpm, `service_control` and the onboarding's host commands.
    public var runner: ProcessRunner
    /// The instance metadata address (nil: never asked).
    public var metadataURL: String?
    /// Install's retries while the package manager is locked (contract: 10 attempts 30 s apart; tests shorten it).
    public var installRetry: RetryPolicy = .install
    /// Enable's onboarding retries on rc 5, 6 and 8 (contract: 5 attempts 30 s apart; tests shorten it).
    public var enableRetry: RetryPolicy = .enable

    /// The extension's marker file name inside `ETC/<ws>/conf`.
    public static let markerName = ExtensionMarker.name
    static let etc = "/etc/opt/microsoft/omsagent"

    /// An engine onboarding to `endpoint` (nil: the workspace's public address) verified by `caFile`.
    public init(endpoint: String? = nil, caFile: String? = nil, runner: ProcessRunner = ProcessRunner(),
                metadataURL: String? = InstanceMetadata.defaultURL) {
        self.metadataURL = metadataURL
        self.endpoint = endpoint
        self.caFile = caFile
        self.runner = runner
    }

    // MARK: disable, uninstall

    /// `service_control disable` on the live host; on a root tree only records what would run.
    public func disable(_ request: ExtensionRequest) async throws(AgentError) {
        let tool = "/opt/microsoft/omsagent/bin/service_control"
        guard request.root.exists(tool) else {
            throw AgentError(.generic, "\(tool) is missing: nothing to disable")
        }
        guard request.root.isLive else {
            request.log.info("root \(request.root.path) is not the live host: would run \(tool) disable")
            return
        }
        let out = try await runner.run([tool, "disable"], timeout: .seconds(120))
        request.log.info("service_control disable: exit \(out.status)")
        guard out.succeeded else {
            throw AgentError(.generic, "service_control disable failed (exit \(out.status))")
        }
    }

    /// Removes the packages (no purge); the driver then deletes `ETC/<ws>` and `VAR/<ws>`.
    public func uninstall(_ request: ExtensionRequest) async throws(AgentError) {
        let root = request.root
        let osRelease = (root.readText("/etc/os-release") ?? root.readText("/usr/lib/os-release")).map { OSRelease(text: $0) }
        guard let manager = PackageManagerKind.detect(root: root, osRelease: osRelease)
            ?? InstallReceipt.read(root: root)?.packageManager else {
            request.log.info("no package manager under \(root.path): nothing to remove")
            return
        }
        let log = request.log
        let outcome = try await Uninstall.execute(root: root, manager: manager, purge: false, runner: runner,
                                                  lockTimeout: installRetry.usable(until: request.deadline),
                                                  progress: { log.info($0) })
        for (name, result) in outcome.packages.sorted(by: { $0.key < $1.key }) { log.info("\(name): \(result)") }
        for note in outcome.notes { log.info("note: \(note)") }
        if outcome.exitCode != 0 { throw AgentError(.generic, "the package removal failed; some agent parts remain") }
    }
}
