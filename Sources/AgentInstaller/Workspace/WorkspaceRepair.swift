import AgentSupport

/// Re-creates a workspace's derived files from what it keeps (`omsadmin.conf`, key, certificate), without
/// contacting the service — the `omsadmin.sh -R` equivalent, done fully (contract §10.15, §14): directories with
/// their modes and owners, key/cert/`omsadmin.conf` modes and owners, the rendered conf files, the primary links,
/// syslog wiring, logrotate, the service registration and the consistency cron file. All changes go through one
/// journal (rolled back on failure); `omsadmin.conf` itself is never rewritten.
public enum WorkspaceRepair {
    /// What one repair did.
    public struct Result: Sendable, Codable, Equatable {
        public var workspace: String
        /// True when the workspace's configuration was usable and the derived files were (re)applied.
        public var repaired: Bool
        /// True when `omsadmin.conf` is missing, empty or incomplete, or key/certificate are missing: only a fresh
        /// onboarding helps, and nothing was changed.
        public var needsOnboarding: Bool
        public var message: String
        public var filesChanged: [String]
        public var hostCommands: [String]
        public var hostCommandsRun: Bool
    }

    /// Repairs workspace `id` (matched case-insensitively).
    public static func repair(_ id: String, context: InstallContext) async throws(AgentError) -> Result {
        let root = context.root
        try AgentPaths.requireAdministrator(root: root)
        let name = AgentPaths.existingWorkspaceDirectory(id, root: root) ?? id
        let ws = AgentPaths.Workspace(name)
        func needsOnboarding(_ why: String) -> Result {
            Result(workspace: name, repaired: false, needsOnboarding: true,
                   message: "workspace \(name): \(why); it needs a fresh onboarding (agent-installer onboard)",
                   filesChanged: [], hostCommands: [], hostCommandsRun: false)
        }
        guard root.isDirectory(ws.etcDir) else { return needsOnboarding("not onboarded (no \(ws.etcDir))") }
        guard let text = root.readText(ws.omsadminConf), !text.allSatisfy(\.isWhitespace) else {
            return needsOnboarding("\(ws.omsadminConf) is missing or empty")
        }
        guard let conf = OmsAdminConf.parse(text) else {
            return needsOnboarding("\(ws.omsadminConf) is incomplete (one of the ten keys is missing or not a GUID)")
        }
        guard root.isRegularFile(ws.key), root.isRegularFile(ws.cert) else {
            return needsOnboarding("the key or certificate under \(ws.certsDir) is missing")
        }
        try WorkspaceConfigurator.checkTemplates(root: root)
        let journal = ChangeJournal(root: root)
        let commands: [[String]]
        do throws(AgentError) {
            commands = try apply(journal: journal, workspace: name, conf: conf)
        } catch {
            journal.rollback()
            throw error
        }
        journal.commit()
        var ran = false
        if root.isLive {
            ran = true
            for argv in commands { _ = try? await context.runner.run(argv, timeout: .seconds(120)) }
        }
        let changed = journal.changed.filter { !$0.contains(".agent-installer-backup-") }
        return Result(workspace: name, repaired: true, needsOnboarding: false,
                      message: changed.isEmpty ? "workspace \(name) is healthy; nothing to repair"
                          : "repaired workspace \(name) (\(changed.count) change\(changed.count == 1 ? "" : "s"))",
                      filesChanged: changed, hostCommands: commands.map { $0.joined(separator: " ") },
                      hostCommandsRun: ran)
    }

    /// The repair's file changes for workspace directory `name` with the parsed `conf`, through `journal` (the
    /// caller commits or rolls back); returns the commands for the live host.
    static func apply(journal: ChangeJournal, workspace name: String, conf: OmsAdminConf) throws(AgentError) -> [[String]] {
        let root = journal.root
        let ws = AgentPaths.Workspace(name)
        let marker = root.readText(ws.marker)
        let primary = AgentPaths.primaryWorkspace(root: root)
        let makePrimary = marker == nil && (primary == nil || primary == name)
        let serviceControl = root.isLive && root.isExecutable(AgentPaths.serviceControl)
        let configurator = try WorkspaceConfigurator(journal: journal, workspace: name)
        let outcome = try configurator.apply(conf: conf, identity: nil, marker: marker, registerService: !serviceControl,
                                             keepAdminConf: true, primaryLinks: makePrimary)
        // The configurator lists the syslog daemon's restart only when its wiring file changed.
        var commands = outcome.hostCommands
        if serviceControl {
            // service_control registers again when the marker is gone; drop it if the unit or script is.
            let units = ["/usr/lib/systemd/system", "/lib/systemd/system"].map { "\($0)/\(ws.serviceName).service" }
                + [WorkspaceService.initScript(name)]
            if !units.contains(where: root.exists) { try journal.remove(ws.serviceRegistered) }
            commands.append([AgentPaths.serviceControl, "start", name])
        }
        return commands
    }

    /// Repairs every workspace directory (GUID names), the primary first so it keeps the links.
    public static func repairAll(context: InstallContext) async throws(AgentError) -> [Result] {
        let root = context.root
        let primary = AgentPaths.primaryWorkspace(root: root)
        let names = root.list(AgentPaths.etc).filter { WorkspaceID.isGUID($0) && root.isDirectory(AgentPaths.etc + "/" + $0) }
            .sorted { a, b in (a == primary ? 0 : 1, a) < (b == primary ? 0 : 1, b) }
        var results: [Result] = []
        for n in names { results.append(try await repair(n, context: context)) }
        return results
    }
}
