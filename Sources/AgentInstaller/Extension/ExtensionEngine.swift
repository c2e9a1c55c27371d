import AgentSupport
import Preflight

/// The real `ExtensionOperations`: install through `InstallSession`/`InstallRun`, enable through the in-process
/// `Onboarding`, disable through `service_control`, uninstall through `Uninstall` (contract §8.2–§8.5).
///
/// `endpoint` and `caFile` replace the onboarding service address and its CA (private endpoints, tests); the CLI
/// leaves them nil unless given its hidden `--endpoint`/`--cacert`. A missing `vmResourceId` or `domain` is asked of
/// IMDS at `metadataURL` (direct, 2 s); unknown, the resource id is omitted and the domain is the public cloud.
/// The Azure Arc IMDS endpoint is not consulted.
public struct ExtensionEngine: ExtensionOperations {
    /// Replaces `https://<ws>.oms.<domain>` for the onboarding request.
    public var endpoint: String?
    /// CA bundle that verifies the onboarding service.
    public var caFile: String?
    /// Runs dpkg/rpm, `service_control` and the onboarding's host commands.
    public var runner: ProcessRunner
    /// The instance metadata address (nil: never asked).
    public var metadataURL: String?
    /// Time kept back from the operation's budget for the package run after the lock wait.
    public var lockMargin: Duration = .seconds(60)

    /// The extension's marker file name inside `ETC/<ws>/conf`.
    public static let markerName = ".azure_extension_marker"
    static let etc = "/etc/opt/microsoft/omsagent"

    /// An engine onboarding to `endpoint` (nil: the workspace's public address) verified by `caFile`.
    public init(endpoint: String? = nil, caFile: String? = nil, runner: ProcessRunner = ProcessRunner(),
                metadataURL: String? = InstanceMetadata.defaultURL) {
        self.metadataURL = metadataURL
        self.endpoint = endpoint
        self.caFile = caFile
        self.runner = runner
    }

    // MARK: install

    /// Installs or upgrades from the newest `packages/omsagent-*.universal.x64.sh`, checked against its
    /// `.sha256sums`; never onboards.
    public func install(_ request: ExtensionRequest) async throws(AgentError) {
        let bundle = try Self.newestBundle(handlerDirectory: request.handlerDirectory)
        let expected: BundleDigest
        do throws(AgentError) {
            guard let digest = try BundleDigest.forLocalBundle(path: bundle, sha256: nil, sumsFile: nil) else {
                throw AgentError(.generic, "\(bundle).sha256sums is missing: the bundle cannot be verified")
            }
            expected = digest
        } catch {
            throw AgentError(.generic, error.message)
        }
        let options = InstallOptions(mode: .upgrade, force: false, skipDockerProvider: request.settings.skipDockerProviderInstall,
                                     noDigest: request.settings.noDigest)
        request.log.info("installing from \(bundle) (--upgrade\(options.skipDockerProvider ? ", skip docker provider" : "")"
                         + "\(options.noDigest ? ", no digest" : ""))")
        let session: InstallSession
        do throws(AgentError) {
            session = try await InstallSession.prepare(root: request.root, bundlePath: bundle, expected: expected, options: options)
        } catch where error.code == .integrity {
            throw AgentError(.generic, error.message)
        }
        defer { session.discard() }
        let log = request.log
        let context = InstallRun.Context(runner: runner, lockTimeout: lockBudget(until: request.deadline),
                                         bundleSHA256: session.bundle.sha256, progress: { log.info($0) })
        let outcome = await InstallRun.execute(session.plan, context: context)
        for line in outcome.log { log.info(line) }
        for line in outcome.errorLines { log.error(line) }
        switch outcome.exitCode {
        case 0: return
        case ExitCode.providerKit.rawValue, ExitCode.auoms.rawValue:
            log.info("install finished with a warning: \(outcome.message)")
        case ExitCode.dependencyUnusable.rawValue:
            throw AgentError(.dependencyUnusable, "package manager locked: \(outcome.message)")
        default:
            throw ExitRemapping.error(step: "install", rc: outcome.exitCode,
                                      output: ([outcome.message] + outcome.errorLines).joined(separator: "\n"))
        }
    }

    /// The lock wait: what remains until `deadline` minus `lockMargin`, never negative.
    func lockBudget(until deadline: ContinuousClock.Instant) -> Duration {
        let remaining = ContinuousClock.now.duration(to: deadline) - lockMargin
        return remaining > .zero ? remaining : .zero
    }

    /// The newest `omsagent-<version>.universal.x64.sh` under `EXT/packages` (by Debian version order); else 52.
    static func newestBundle(handlerDirectory: String) throws(AgentError) -> String {
        let dir = handlerDirectory + "/packages"
        let prefix = "omsagent-", suffix = ".universal.x64.sh"
        var best: (version: DebianVersion, name: String)?
        for name in FileIO.list(dir) where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            let text = String(name.dropFirst(prefix.count).dropLast(suffix.count))
            guard let version = try? DebianVersion(text, allowingBadSyntax: true) else { continue }
            if best == nil || best!.version < version { best = (version, name) }
        }
        guard let best else {
            throw AgentError(.systemProblem, "no omsagent-*.universal.x64.sh bundle in \(dir)")
        }
        return dir + "/" + best.name
    }

    // MARK: enable

    /// Onboards in process unless the same settings were already applied, marks the workspace as the
    /// extension's, and removes a previous extension workspace.
    public func enable(_ request: ExtensionRequest) async throws(AgentError) {
        guard request.root.exists("/opt/microsoft/omsagent/bin/omsadmin.sh") else {
            throw AgentError(.systemProblem, "Enable cannot be called before install")
        }
        let workspace = try request.settings.validWorkspace()
        let conf = "\(Self.etc)/\(workspace.value)/conf"
        let marker = "\(conf)/\(Self.markerName)"
        if request.sequenceAlreadySeen, request.root.isRegularFile("\(conf)/omsadmin.conf"), request.root.exists(marker) {
            request.log.info("workspace \(workspace.value) already onboarded for sequence \(request.sequenceNumber); not onboarding again")
        } else {
            var metadata: InstanceMetadata?
            if let url = metadataURL, request.settings.vmResourceId?.isEmpty ?? true || request.settings.domain == nil {
                metadata = await InstanceMetadata.fetch(url: url)
                request.log.info(metadata == nil ? "instance metadata not available" : "instance metadata: resource id "
                                 + "\(metadata?.resourceID ?? "unknown"), domain \(metadata?.domain ?? "unknown")")
            }
            let options = try onboardingOptions(request.settings, workspace: workspace, metadata: metadata)
            let context = InstallContext(root: request.root, runner: runner)
            do throws(AgentError) {
                let report = try await Onboarding.execute(options, context: context, transport: HTTPTopologyTransport())
                request.log.info("onboarded workspace \(report.workspace) (agent \(report.agentGUID))")
                for w in report.warnings { request.log.info("warning: \(w)") }
            } catch {
                request.log.error("onboarding failed (exit \(error.code.rawValue)): \(error.message)")
                throw Self.remapOnboarding(error)
            }
        }
        do throws(AgentError) {
            guard let real = request.root.resolve(conf) else { throw AgentError(.systemProblem, "\(conf) is missing") }
            try AtomicFile.write(real + "/" + Self.markerName, Array<UInt8>(), mode: 0o640)
        } catch {
            throw AgentError(.systemProblem, "Couldn't create marker file: \(error.message)")
        }
        try await removePreviousWorkspaces(keeping: workspace.value, request)
    }

    /// The onboarding options from the settings, else `metadata` (resource id and proxy only when known).
    func onboardingOptions(_ settings: ExtensionSettings, workspace: WorkspaceID,
                           metadata: InstanceMetadata? = nil) throws(AgentError) -> OnboardingOptions {
        let key = try WorkspaceKey(try settings.validWorkspaceKey())
        let domain = try (settings.domain ?? metadata?.domain).map { (d) throws(AgentError) in try ServiceDomain(d) } ?? .default
        var proxy: ProxyConfiguration?
        if let p = settings.proxy, !p.isEmpty {
            do throws(AgentError) { proxy = try ProxyConfiguration.parse(p.reveal()) } catch {
                throw AgentError(.invalidSettings, "the proxy setting is not a valid proxy URL")
            }
        }
        let resource = settings.vmResourceId.flatMap { $0.isEmpty ? nil : $0 } ?? metadata?.resourceID
        return try OnboardingOptions(workspace: workspace, key: key, domain: domain, proxy: proxy,
                                     azureResourceID: resource, endpoint: endpoint, caFile: caFile)
    }

    /// HTTP 403 → 53; DNS, TCP, TLS and proxy failures → 55; other codes unchanged (contract §9.2, do better).
    static func remapOnboarding(_ error: AgentError) -> AgentError {
        let cause: ExitRemapping.OnboardingFailureCause = switch error.code {
        case .notRootOrForbidden where error.message.contains("HTTP 403"): .forbidden(reason: nil)
        case .hostUnresolvable: .dns
        case .proxyOrFormatMismatch: .proxy
        case .transport: .tcp
        default: .other
        }
        guard let code = ExitRemapping.map(onboardingFailure: cause) else { return error }
        return AgentError(code, "onboarding failed: \(error.message); see extension.log", hint: error.hint)
    }

    /// Removes every other workspace whose `conf` carries the extension marker.
    func removePreviousWorkspaces(keeping current: String, _ request: ExtensionRequest) async throws(AgentError) {
        let context = InstallContext(root: request.root, runner: runner)
        for name in request.root.list(Self.etc) where name != current && WorkspaceID.isGUID(name) {
            guard request.root.exists("\(Self.etc)/\(name)/conf/\(Self.markerName)") else { continue }
            let result = try await WorkspaceRemoval.remove(name, context: context)
            request.log.info("removed the previous extension workspace \(name): \(result.removed.count) paths")
        }
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
                                                  lockTimeout: lockBudget(until: request.deadline),
                                                  progress: { log.info($0) })
        for (name, result) in outcome.packages.sorted(by: { $0.key < $1.key }) { log.info("\(name): \(result)") }
        for note in outcome.notes { log.info("note: \(note)") }
        if outcome.exitCode != 0 { throw AgentError(.generic, "the package removal failed; some agent parts remain") }
    }
}
