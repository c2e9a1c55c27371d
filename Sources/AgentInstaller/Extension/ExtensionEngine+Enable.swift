import AgentSupport

extension ExtensionEngine {
    /// Onboards in process unless the marker records the same settings and handler version, marks the workspace as
    /// the extension's, restarts unless the sequence number was already seen, and removes a previous extension
    /// workspace. Onboarding failures with rc 5, 6 or 8 are retried (`enableRetry`) within the deadline.
    public func enable(_ request: ExtensionRequest) async throws(AgentError) {
        let log = request.log
        // Contract order: resource id and cloud (IMDS), automatic management, then the install check.
        var metadata: InstanceMetadata?
        if request.settings.vmResourceId == nil || request.settings.domain == nil {
            metadata = await instanceMetadata(request)
        }
        if request.settings.enableAutomaticManagement { try await automaticManagement(request) }
        guard request.root.exists("/opt/microsoft/omsagent/bin/omsadmin.sh") else {
            throw AgentError(.systemProblem, "Enable cannot be called before install")
        }
        let workspace = try request.settings.validWorkspace()
        // The workspace directory as the onboarding names it: an existing one matched case-insensitively.
        let dirName = AgentPaths.existingWorkspaceDirectory(workspace.value, root: request.root) ?? workspace.value
        let conf = "\(Self.etc)/\(dirName)/conf"
        let options = try onboardingOptions(request.settings, workspace: workspace, metadata: metadata)
        let marker = ExtensionMarker(options: options, handlerVersion: ExtensionLog.handlerVersion(handlerDirectory: request.handlerDirectory))
        let paths = AgentPaths.Workspace(dirName)
        let applied = request.root.readText(conf + "/" + ExtensionMarker.name).flatMap(ExtensionMarker.parse)
        let onboarded: Bool
        let unchanged = applied == marker && request.root.isRegularFile(paths.omsadminConf)
            && request.root.isRegularFile(paths.cert) && request.root.isRegularFile(paths.key)
        if unchanged, await workspaceRunning(request, workspace: dirName) {
            log.info("workspace \(workspace.value) already onboarded with these settings by handler \(marker.handlerVersion); not contacting the service")
            onboarded = false
        } else {
            log.info(unchanged ? "settings unchanged but the agent is not running (after a disable): onboarding again"
                     : applied == nil ? "no settings record in the marker: onboarding"
                     : applied!.handlerVersion != marker.handlerVersion
                        ? "handler version changed from \(applied!.handlerVersion) to \(marker.handlerVersion): onboarding again"
                        : "settings changed since the last enable: onboarding again")
            log.info("Handler initiating onboarding.")
            let report = try await onboardWithRetries(options, request)
            log.info("onboarded workspace \(report.workspace) (agent \(report.agentGUID), identity \(report.reusedIdentity ? "reused" : "new"))")
            for w in report.warnings { log.info("warning: \(w)") }
            for c in report.hostCommands { log.info("\(report.hostCommandsRun ? "ran" : "would run on the live host"): \(c)") }
            onboarded = true
        }
        do throws(AgentError) {
            guard let real = request.root.resolve(conf) else { throw AgentError(.systemProblem, "\(conf) is missing") }
            try AtomicFile.write(real + "/" + ExtensionMarker.name, Array(marker.text.utf8), mode: 0o640)
            log.info("marker \(conf)/\(ExtensionMarker.name) written")
        } catch {
            throw AgentError(.systemProblem, "Couldn't create marker file: \(error.message)")
        }
        try await restartUnlessSeen(request, workspace: dirName, onboarded: onboarded)
        try await removePreviousWorkspaces(keeping: dirName, request)
    }

    /// True when the workspace's agent runs on the live host (`service_control is-running <ws>` exits 1); under
    /// another root, where nothing runs, always true. A disable stops the agent, so the next enable with unchanged
    /// settings must still start it (through the onboarding, as upstream's enable does).
    func workspaceRunning(_ request: ExtensionRequest, workspace: String) async -> Bool {
        guard request.root.isLive else { return true }
        guard request.root.isExecutable(AgentPaths.serviceControl),
              let out = try? await runner.run([AgentPaths.serviceControl, "is-running", workspace], timeout: .seconds(30))
        else { return false }
        return out.status == 1
    }

    /// §8.3 step 9: `service_control restart <ws>` for a sequence number not seen before (the onboarding restarts the
    /// workspace it re-onboarded itself); on a root other than `/` only logged.
    func restartUnlessSeen(_ request: ExtensionRequest, workspace: String, onboarded: Bool) async throws(AgentError) {
        let log = request.log
        if request.sequenceAlreadySeen {
            log.info("sequence number \(request.sequenceNumber) was already seen: restart skipped")
            return
        }
        if onboarded {
            log.info("sequence number \(request.sequenceNumber) is new: the onboarding restarted the workspace service")
            return
        }
        let argv = [AgentPaths.serviceControl, "restart", workspace]
        guard request.root.isLive, request.root.isExecutable(AgentPaths.serviceControl) else {
            log.info("sequence number \(request.sequenceNumber) is new: would run on the live host: \(argv.joined(separator: " "))")
            return
        }
        let out = try await runner.run(argv, timeout: .seconds(120))
        log.info("\(argv.joined(separator: " ")): exit \(out.status)")
    }

    /// `Onboarding.execute`, again after `enableRetry.interval` on rc 5, 6 or 8 while attempts and time remain;
    /// the last failure is remapped (§9.2, do better).
    func onboardWithRetries(_ options: OnboardingOptions, _ request: ExtensionRequest) async throws(AgentError) -> OnboardingReport {
        let policy = enableRetry
        let context = InstallContext(root: request.root, runner: runner)
        var attempt = 1
        while true {
            var transport = HTTPTopologyTransport()
            let left = ContinuousClock.now.duration(to: request.deadline)
            transport.totalTimeout = max(.seconds(1), min(transport.totalTimeout, left))
            do throws(AgentError) {
                return try await Onboarding.execute(options, context: context, transport: transport)
            } catch {
                request.log.error("onboarding attempt \(attempt)/\(policy.attempts) failed (exit \(error.code.rawValue)): \(error.message)")
                let retryable: Set<ExitCode> = [.notRootOrForbidden, .httpStatus, .transport]
                guard retryable.contains(error.code), policy.allows(attempt: attempt + 1, pausing: policy.interval, until: request.deadline)
                else { throw Self.remapOnboarding(error) }
                request.log.info("retrying the onboarding in \(policy.interval)")
                try? await Task.sleep(for: policy.interval)
                attempt += 1
            }
        }
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
            guard request.root.exists("\(Self.etc)/\(name)/conf/\(ExtensionMarker.name)") else { continue }
            let result = try await WorkspaceRemoval.remove(name, context: context)
            request.log.info("removed the previous extension workspace \(name): \(result.removed.count) paths")
        }
    }
}
