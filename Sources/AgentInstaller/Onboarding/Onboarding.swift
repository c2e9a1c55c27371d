#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport

/// What an onboarding did.
public struct OnboardingReport: Sendable, Codable, Equatable {
    public var workspace: String
    public var agentGUID: String
    public var reusedIdentity: Bool
    public var primary: Bool
    public var syslogPort: Int
    public var syslogDaemon: String?
    public var filesChanged: [String]
    /// Commands run on the live host, or that would run there (`--root` other than `/`).
    public var hostCommands: [String]
    public var hostCommandsRun: Bool
    public var warnings: [String]
    /// True when nothing was done: onboarded, running, and every setting unchanged (contract §10.2).
    public var unchanged: Bool = false
    /// The stored settings that differed from the request (a re-onboarding with the same GUID).
    public var changedSettings: [String] = []
    /// The DSC step (primary only); a failure there is a partial result (`exitCode`).
    public var dsc: DSCRegistration.Outcome?
    /// The plan's steps as they ran, in order (equal to `OnboardingPlan.stepIDs` after a successful run).
    public var steps: [OnboardingPlan.StepID] = []
    /// The init system the service was registered for by this tool (nil: `service_control` registers it).
    public var serviceManager: WorkspaceService.Manager?
    /// The unit file or SysV script written.
    public var serviceRegistration: String?

    /// The exit code of a partial result (DSC 33/34/60), nil when everything succeeded.
    public var partialExitCode: ExitCode? { dsc?.exitCode }
}

/// The onboarding step (contract §10): identity, signed topology request, response, then all files committed
/// together; any failure rolls back this run's changes and removes the key and certificate it generated.
/// A workspace that is onboarded with the same settings and running is left alone (no request) unless
/// `reonboard`; DSC registration of the primary follows the files, and its failure is a partial result.
public enum Onboarding {
    /// Plans and runs the onboarding (the `onboard` command's path: the plan made now, then executed).
    public static func execute(_ options: OnboardingOptions, context: InstallContext, transport: any TopologyTransport)
        async throws(AgentError) -> OnboardingReport
    {
        let plan = try await OnboardingPlan.make(options, context: context)
        return try await execute(plan, options: options, context: context, transport: transport)
    }

    /// Runs `plan` (made by `OnboardingPlan.make` from the same `options`): its §10.2 decision is taken as planned,
    /// and its steps run in its order; the report's `steps` lists them as they ran.
    public static func execute(_ plan: OnboardingPlan, options: OnboardingOptions, context: InstallContext,
                               transport: any TopologyTransport) async throws(AgentError) -> OnboardingReport
    {
        guard plan.workspace == options.workspace.value, plan.url == options.url,
              plan.primary == (options.multihomingMarker == nil) else {
            throw AgentError(.internalError, "the onboarding plan was made for other options")
        }
        var executed: [OnboardingPlan.StepID] = []
        let root = context.root
        try AgentPaths.requireAdministrator(root: root)
        try WorkspaceConfigurator.checkTemplates(root: root)
        _ = try UserDatabase(root: root).owner(user: AgentPaths.ownerUser, group: AgentPaths.ownerGroup)
        executed.append(.validate)
        // Match an existing workspace directory case-insensitively.
        let dirName = AgentPaths.existingWorkspaceDirectory(options.workspace.value, root: root) ?? options.workspace.value
        let ws = AgentPaths.Workspace(dirName)
        var proxy = options.proxy
        if proxy == nil { proxy = try ProxyConfigurationFile.read(root: root) }
        let stored = OnboardedSettings.read(root: root, workspace: ws)
        let differences = stored?.differences(from: options) ?? []
        if plan.decision == .noRequest, let stored {
            executed.append(.noRequest)
            var report = OnboardingReport(
                workspace: options.workspace.value, agentGUID: stored.agentGUID, reusedIdentity: true,
                primary: options.multihomingMarker == nil, syslogPort: SyslogPort.choose(root: root, workspace: dirName),
                syslogDaemon: nil, filesChanged: [], hostCommands: [], hostCommandsRun: false,
                warnings: [], unchanged: true)
            report.steps = executed
            return report
        }
        let facts = await HostIdentityFacts.read(context: context)
        var warnings = facts.warnings
        if !differences.isEmpty {
            warnings.append("re-onboarding with the existing agent GUID: changed \(differences.joined(separator: ", "))")
        }

        let identity = try AgentIdentity.prepare(root: root, workspace: ws, workspaceID: options.workspace.value)
        executed.append(.identity)
        let request = TopologyRequest(fullyQualifiedDomainName: facts.fullyQualifiedDomainName,
                                      agentGUID: identity.guid.value, certificateBody: identity.certificateBody,
                                      operatingSystem: facts.operatingSystem)
        let body = request.body
        let signature = TopologyRequestSignature(body: body, date: .now(), workspaceID: options.workspace.value,
                                                 key: options.key)
        let answer = try await transport.post(TopologyExchange(
            url: options.url, headers: signature.headers(userAgentVersion: facts.agentVersion), body: body,
            certificatePath: identity.certificatePath, keyPath: identity.keyPath, caFile: options.caFile,
            proxy: proxy))
        switch answer.status {
        case 200: break
        case 403: throw forbidden(answer)
        default: throw AgentError(.httpStatus, "the onboarding request failed with HTTP code \(answer.status)")
        }
        executed.append(.topologyRequest)
        let response = TopologyResponse(parsing: answer.body)
        if let problem = response.problem {
            warnings.append("\(problem) (parser code \(response.parseCode ?? 9)); the endpoints are written empty"
                            + (response.dscEndpoint.isEmpty ? " and DSC registration is skipped" : ""))
        }
        var conf = OmsAdminConf(workspaceID: options.workspace.value, agentGUID: identity.guid.value,
                                urlTLD: options.domain.value)
        conf.certificateUpdateEndpoint = response.certificateUpdateEndpoint
        conf.dscEndpoint = response.dscEndpoint
        conf.azureResourceID = options.azureResourceID ?? ""
        conf.omsCloudID = facts.cloudID
        conf.uuid = facts.machineUUID
        do { try conf.validate() } catch {
            warnings.append("the service's endpoints contain unsafe characters; they are written empty")
            conf.certificateUpdateEndpoint = ""
            conf.dscEndpoint = ""
        }

        let journal = ChangeJournal(root: root)
        let outcome: WorkspaceConfigurator.Outcome
        do throws(AgentError) {
            let configurator = try WorkspaceConfigurator(journal: journal, workspace: dirName)
            // The plan decides who registers the service (service_control, present or installed by the packages).
            let serviceControl = root.isLive && plan.serviceControl
            outcome = try configurator.apply(conf: conf, identity: identity.newMaterial, marker: options.multihomingMarker,
                                             registerService: !serviceControl)
            executed += [.writeFiles, options.multihomingMarker == nil ? .primaryLinks : .secondaryMarker, .syslog, .service]
            if let proxy = options.proxy {
                try journal.write(AgentPaths.proxyConf, proxy.fileLine.withBytes { $0 }, mode: 0o600,
                                  owner: configurator.owner)
                executed.append(.proxyConf)
            }
            // Verify what was written before keeping it.
            guard let written = root.readText(ws.omsadminConf), OmsAdminConf.parse(written) == conf else {
                throw AgentError(.internalError, "\(ws.omsadminConf) does not read back as written")
            }
        } catch {
            journal.rollback()
            throw error
        }
        journal.commit()

        // service_control registers (unit or SysV script) and starts; restart so a re-onboarded, running agent
        // picks up the new configuration.
        var commands = outcome.hostCommands
        if plan.serviceControl {
            let script = WorkspaceService.initScript(dirName)
            commands = outcome.hostCommands.filter { !$0.contains(ws.serviceName) && !$0.contains(script) }
            if root.isLive { commands = commands.filter { $0 != ["systemctl", "daemon-reload"] } }
            commands.append([AgentPaths.serviceControl, "restart", dirName])
        }
        let ran = root.isLive
        warnings += await HostCommands.run(commands, root: root, runner: context.runner)
        // DSC last, on the primary only: its failure is a partial result, the onboarding stays.
        let dsc: DSCRegistration.Outcome
        if options.multihomingMarker != nil {
            dsc = .init(status: .notApplicable, message: "DSC registration is for the primary workspace only")
        } else if response.dscEndpoint.isEmpty || conf.dscEndpoint.isEmpty {
            dsc = .init(status: .skipped, message: "DSC registration skipped: the service sent no DSC endpoint")
        } else {
            dsc = await DSCRegistration.execute(workspace: dirName, context: context)
        }
        executed.append(.dsc)
        var report = OnboardingReport(
            workspace: options.workspace.value, agentGUID: identity.guid.value, reusedIdentity: identity.reused,
            primary: options.multihomingMarker == nil, syslogPort: outcome.syslogPort,
            syslogDaemon: outcome.syslog?.daemon, filesChanged: journal.changed,
            hostCommands: commands.map { $0.joined(separator: " ") }, hostCommandsRun: ran, warnings: warnings)
        report.changedSettings = differences
        report.steps = executed
        if executed != plan.stepIDs {
            report.warnings.append("the onboarding ran " + executed.map(\.rawValue).joined(separator: ", ")
                                   + " but the plan listed " + plan.stepIDs.map(\.rawValue).joined(separator: ", "))
        }
        report.dsc = dsc
        report.serviceManager = outcome.serviceManager
        report.serviceRegistration = outcome.unitPath ?? outcome.initScript
        return report
    }

    /// The 403 error: the service's `<Reason>`, and the clock skew against the response `Date`.
    static func forbidden(_ answer: TopologyAnswer) -> AgentError {
        let reason = TopologyResponse.reason(in: answer.body)
        var hint = "check the workspace key and the system clock (the service tolerates about 15 minutes)"
        if let date = answer.date, let server = RequestDate.parseHTTPDate(date) {
            let skew = Int(time(nil)) - server
            hint = abs(skew) > 300
                ? "the local clock is \(abs(skew)) s \(skew > 0 ? "ahead of" : "behind") the service: fix the time, then retry"
                : "the local clock agrees with the service (skew \(skew) s): check the workspace key"
        }
        let message = reason.map { "the service refused the onboarding request (HTTP 403): \($0)" }
            ?? "the service refused the onboarding request (HTTP 403)"
        return AgentError(.notRootOrForbidden, message, hint: hint)
    }
}
