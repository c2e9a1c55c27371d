import AgentSupport

/// The onboarding part of an install plan (contract §10): the §10.2 decision and the ordered steps. `plan` and
/// `install --dry-run` print it; `Onboarding.execute(_:options:context:transport:)` runs exactly these steps in
/// this order (its report's `steps` lists them as they ran). It never holds the key; the proxy password is masked.
public struct OnboardingPlan: Sendable, Codable, Equatable {
    /// Whether a topology request is sent.
    public enum Decision: String, Sendable, Codable {
        /// A (fresh) request is sent.
        case request
        /// §10.2: onboarded with the same settings and running: nothing is sent or written.
        case noRequest = "no-request"
    }

    /// The onboarding steps, in the order they run.
    public enum StepID: String, Sendable, Codable {
        case validate
        case noRequest = "no-request"
        case identity
        case topologyRequest = "topology-request"
        case writeFiles = "write-files"
        case primaryLinks = "primary-links"
        case secondaryMarker = "secondary-marker"
        case syslog
        case service
        case proxyConf = "proxy-conf"
        case dsc
    }

    /// One file or directory a step writes.
    public struct FileChange: Sendable, Codable, Equatable {
        /// The host path.
        public var path: String
        /// Octal mode (`0640`).
        public var mode: String
        /// `user:group`.
        public var owner: String
        /// Where the content comes from (`directory`, `from the response`, `template …`).
        public var content: String
        /// A unified diff against the file as it is now, when the content is known before the request.
        public var diff: String?
    }

    /// One step.
    public struct Step: Sendable, Codable, Equatable {
        /// The step.
        public var id: StepID
        /// One line: what it does.
        public var summary: String
        /// Files and directories it writes.
        public var files: [FileChange] = []
        /// Commands it runs on the live host (printed, not run, for a `--root` tree), after the files are committed.
        public var commands: [[String]] = []
    }

    /// The workspace id.
    public var workspace: String
    /// The §10.2 decision.
    public var decision: Decision
    /// Why.
    public var reason: String
    /// The topology request URL.
    public var url: String
    /// The proxy the request goes through, password masked; nil: direct.
    public var proxy: String?
    /// Primary (links) or secondary (marker).
    public var primary: Bool
    /// Whether the agent's `service_control` registers and restarts the service (present now, or installed by the
    /// packages of the same install); otherwise this tool writes the unit or SysV script.
    public var serviceControl: Bool
    /// Whether host commands run (live root) or are only printed (`--root` tree).
    public var hostCommandsRun: Bool
    /// The ordered steps.
    public var steps: [Step]

    /// The step ids in order (what `OnboardingReport.steps` lists after a run).
    public var stepIDs: [StepID] { steps.map(\.id) }

    /// Makes the plan without the key and without changing anything.
    ///
    /// - Parameter agentInstalledByPlan: the install's packages add omsagent (and with it `service_control`).
    public static func make(_ options: OnboardingOptions, context: InstallContext, agentInstalledByPlan: Bool = false)
        async throws(AgentError) -> OnboardingPlan
    {
        let root = context.root
        let dirName = AgentPaths.existingWorkspaceDirectory(options.workspace.value, root: root) ?? options.workspace.value
        let ws = AgentPaths.Workspace(dirName)
        let storedProxy = (try? ProxyConfigurationFile.read(root: root)) ?? nil
        let proxy = options.proxy ?? storedProxy
        let serviceControl = root.isExecutable(AgentPaths.serviceControl) || agentInstalledByPlan
        var plan = OnboardingPlan(
            workspace: options.workspace.value, decision: .request, reason: "not onboarded", url: options.url,
            proxy: proxy?.description, primary: options.multihomingMarker == nil, serviceControl: serviceControl,
            hostCommandsRun: root.isLive, steps: [])
        plan.steps.append(Step(id: .validate, summary: "check administrator, the agent's templates, user "
                               + "\(AgentPaths.ownerUser):\(AgentPaths.ownerGroup) (inputs already checked)"))
        let stored = OnboardedSettings.read(root: root, workspace: ws)
        let differences = stored?.differences(from: options) ?? []
        if stored != nil {
            plan.reason = options.reonboard ? "--reonboard"
                : differences.isEmpty ? "onboarded with the same settings, but the agent is not running"
                : "changed: " + differences.joined(separator: ", ")
        }
        if !options.reonboard, stored != nil, differences.isEmpty, await WorkspaceService.isRunning(dirName, context: context) {
            plan.decision = .noRequest
            plan.reason = "already onboarded, settings unchanged, agent running"
            plan.steps.append(Step(id: .noRequest, summary: "no request: nothing is sent or written (--reonboard sends one)"))
            return plan
        }
        let owner = "\(AgentPaths.ownerUser):\(AgentPaths.ownerGroup)"
        let reuse = stored != nil
        var identity = Step(id: .identity, summary: reuse ? "reuse the agent GUID, key and certificate of \(ws.etcDir)"
                            : "generate a new agent GUID, RSA key and self-signed certificate")
        if !reuse {
            identity.files = [ws.key, ws.cert].map { FileChange(path: $0, mode: "0640", owner: owner, content: "generated") }
        }
        plan.steps.append(identity)
        plan.steps.append(Step(id: .topologyRequest, summary: "POST \(options.url)"
                               + (proxy.map { " through proxy \($0.description)" } ?? " directly")
                               + ", signed with the workspace key (client certificate \(ws.cert))"))
        var files = Step(id: .writeFiles, summary: "write the workspace configuration (all or nothing)")
        files.files += [AgentPaths.varDir].map { FileChange(path: $0, mode: "0755", owner: owner, content: "directory") }
        files.files += [ws.etcDir, ws.confDir, ws.omsagentD].map { FileChange(path: $0, mode: "0750", owner: owner, content: "directory") }
        files.files.append(FileChange(path: ws.certsDir, mode: "0700", owner: owner, content: "directory"))
        files.files += [ws.varDir, ws.tmpDir, ws.stateDir, ws.runDir, ws.logDir].map {
            FileChange(path: $0, mode: "0750", owner: owner, content: "directory")
        }
        files.files.append(FileChange(path: ws.omsadminConf, mode: "0644", owner: owner,
                                      content: "from the response (agent GUID, endpoints, domain \(options.domain.value))"))
        files.files.append(FileChange(path: ws.confDir + "/omsagent.conf", mode: "0644", owner: owner,
                                      content: "template \(AgentPaths.sysconf)/omsagent.conf"))
        files.files.append(FileChange(path: ws.omsagentD + "/*", mode: "0644", owner: owner,
                                      content: "templates \(AgentPaths.sysconf)/omsagent.d/*"))
        files.files.append(FileChange(path: ws.logrotate, mode: "0644", owner: "root:root",
                                      content: "template \(AgentPaths.sysconf)/logrotate.conf"))
        if options.multihomingMarker == nil, !root.exists(PlanFileEdits.consistencyInvokerCron) {
            files.files.append(FileChange(path: PlanFileEdits.consistencyInvokerCron, mode: "0644", owner: "root:root",
                                          content: "the consistency invoker's cron line (random minute)"))
        }
        plan.steps.append(files)
        if let marker = options.multihomingMarker {
            plan.steps.append(Step(id: .secondaryMarker, summary: "secondary workspace: marker file, no primary links",
                                   files: [FileChange(path: ws.marker, mode: "0644", owner: owner, content: "the marker",
                                                      diff: Self.diff(ws.marker, old: root.readText(ws.marker), new: marker))]))
        } else {
            plan.steps.append(Step(id: .primaryLinks, summary: "primary workspace: "
                                   + AgentPaths.primaryLinks(dirName).map { "\($0.link) → \($0.target)" }.joined(separator: ", ")))
        }
        plan.steps.append(syslogStep(root: root, workspace: dirName, owner: owner))
        plan.steps.append(serviceStep(root: root, workspace: ws, serviceControl: serviceControl))
        if let given = options.proxy {
            let old = storedProxy?.description
            plan.steps.append(Step(id: .proxyConf, summary: "write the proxy for the agent (password masked here)",
                                   files: [FileChange(path: AgentPaths.proxyConf, mode: "0600", owner: owner,
                                                      content: "the proxy line",
                                                      diff: Self.diff(AgentPaths.proxyConf, old: old, new: given.description))]))
        }
        let dsc = options.multihomingMarker != nil ? "not applicable: DSC registration is for the primary workspace only"
            : !root.isLive ? "skipped: DSC registration runs on the live root only"
            : "register with DSC as \(AgentPaths.ownerUser) (when the response names a DSC endpoint)"
        plan.steps.append(Step(id: .dsc, summary: dsc))
        return plan
    }

    static func syslogStep(root: HostRoot, workspace: String, owner: String) -> Step {
        let port = SyslogPort.choose(root: root, workspace: workspace)
        guard let change = try? SyslogWiring.change(root: root, workspace: workspace, port: port) else {
            return Step(id: .syslog, summary: root.isRegularFile("/etc/rsyslog.conf") || root.isRegularFile("/etc/syslog-ng/syslog-ng.conf")
                        ? "forward syslog to 127.0.0.1:\(port) from the package's template (installed by the packages)"
                        : "no rsyslog or syslog-ng: no syslog forwarding")
        }
        guard let text = change.text else {
            return Step(id: .syslog, summary: "\(change.daemon) already forwards to 127.0.0.1:\(port) (\(change.file) unchanged, no restart)")
        }
        return Step(id: .syslog, summary: "\(change.daemon) forwards to 127.0.0.1:\(port)",
                    files: [FileChange(path: change.file, mode: "0644", owner: change.agentOwned ? owner : "unchanged",
                                       content: "syslog wiring", diff: diff(change.file, old: root.readText(change.file), new: text))],
                    commands: [["systemctl", "restart", change.daemon]])
    }

    static func serviceStep(root: HostRoot, workspace ws: AgentPaths.Workspace, serviceControl: Bool) -> Step {
        if serviceControl {
            return Step(id: .service, summary: "\(AgentPaths.serviceControl) registers and restarts \(ws.serviceName)",
                        commands: [[AgentPaths.serviceControl, "restart", ws.id]])
        }
        let note = root.isLive ? "" : " (a --root tree: the commands are printed, not run)"
        switch WorkspaceService.manager(root: root) {
        case .systemd:
            let unitDir = root.isDirectory("/usr/lib/systemd/system") || !root.isDirectory("/lib/systemd/system")
                ? "/usr/lib/systemd/system" : "/lib/systemd/system"
            return Step(id: .service, summary: "systemd unit \(ws.serviceName).service" + note,
                        files: [FileChange(path: "\(unitDir)/\(ws.serviceName).service", mode: "0644", owner: "root:root",
                                           content: "template \(AgentPaths.sysconf)/omsagent.systemd")],
                        commands: [["systemctl", "daemon-reload"], ["systemctl", "enable", ws.serviceName],
                                   ["systemctl", "restart", ws.serviceName]])
        case .sysv:
            let script = WorkspaceService.initScript(ws.id)
            return Step(id: .service, summary: "SysV script \(script)" + note,
                        files: [FileChange(path: script, mode: "0755", owner: "root:root",
                                           content: "template \(AgentPaths.sysconf)/omsagent.ulinux")],
                        commands: (WorkspaceService.sysvRegistration(root: root, workspace: ws.id).map { [$0] } ?? []) + [[script, "restart"]])
        }
    }

    /// A diff of one file: creation, or a line edit against the current text; nil when unchanged.
    static func diff(_ path: String, old: String?, new: String) -> String? {
        let newText = new.hasSuffix("\n") ? new : new + "\n"
        guard let old else { return PlanFileEdits.creationDiff(path: path, new: newText) }
        let oldText = old.hasSuffix("\n") ? old : old + "\n"
        return PlanFileEdits.diff(path: path, old: oldText, new: newText)
    }
}
