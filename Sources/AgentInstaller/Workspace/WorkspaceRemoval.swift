#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport

/// Removes workspaces like `omsadmin.sh -x`/`-X` (contract §10.15): service disabled, syslog forwarding removed,
/// both trees, the logrotate file, unit and launcher link deleted; the six primary links go when they dangle.
public enum WorkspaceRemoval {
    /// What one removal did.
    public struct Result: Sendable, Codable, Equatable {
        public var workspace: String
        public var found: Bool
        public var removed: [String]
        public var hostCommands: [String]
    }

    /// Removes workspace `id` (matched case-insensitively). A missing workspace is reported, not an error.
    public static func remove(_ id: String, context: InstallContext) async throws(AgentError) -> Result {
        let root = context.root
        try AgentPaths.requireAdministrator(root: root)
        let name = AgentPaths.existingWorkspaceDirectory(id, root: root) ?? id
        let ws = AgentPaths.Workspace(name)
        let result = Result(workspace: name, found: root.isDirectory(ws.etcDir) || root.isDirectory(ws.varDir),
                            removed: [], hostCommands: [])
        guard result.found else { return result }
        var commands: [[String]] = []
        if root.isExecutable(AgentPaths.serviceControl) { commands.append([AgentPaths.serviceControl, "disable", name]) }
        let port = root.readText(ws.omsagentD + "/syslog.conf").flatMap { SyslogPort.portsIn($0).min() }
        let journal = ChangeJournal(root: root)
        do throws(AgentError) {
            if let daemon = try unconfigureSyslog(journal: journal, workspace: name, port: port) {
                commands.append(["systemctl", "restart", daemon])
            }
            if root.exists(ws.omsagentD + "/npmd.conf") { try journal.remove(AgentPaths.varDir + "/npm_state") }
            let unitFiles = ["/usr/lib/systemd/system", "/lib/systemd/system"].map { "\($0)/\(ws.serviceName).service" }
            for p in [ws.varDir, ws.etcDir, ws.logrotate, AgentPaths.opt + "/bin/omsagent-\(name)",
                      WorkspaceService.initScript(name)] + unitFiles
            where FileIO.kind(journal.real(p), followLinks: false) != nil {
                try journal.remove(p)
            }
            if FileIO.kind(journal.real(AgentPaths.etc + "/conf"), followLinks: false) == .symlink,
               !root.exists(AgentPaths.etc + "/conf") {
                for (link, _) in AgentPaths.primaryLinks(name)
                where FileIO.kind(journal.real(link), followLinks: false) == .symlink {
                    try journal.remove(link)
                }
            }
        } catch {
            journal.rollback()
            throw error
        }
        return await finish(result, journal: journal, commands: commands, context: context)
    }

    /// Every UUID directory, then `scom` and `LAD`.
    public static func removeAll(context: InstallContext) async throws(AgentError) -> [Result] {
        let names = context.root.list(AgentPaths.etc).filter(WorkspaceID.isGUID) + ["scom", "LAD"]
        var out: [Result] = []
        for n in names {
            let r = try await remove(n, context: context)
            if r.found || WorkspaceID.isGUID(n) { out.append(r) }
        }
        return out
    }

    /// The files a plain `uninstall` deletes besides each workspace's own (omsagent's post-remove script, §8).
    public static let detachedFiles = ["/etc/cron.d/omsagent"]
    /// Where a plain `uninstall` deletes `omsagent*` logrotate files.
    public static let logrotateDirectory = "/etc/logrotate.d"

    /// What omsagent's removal scripts do to the workspaces on a plain remove (contract §8), done as file effects
    /// because in a `--root` tree those scripts cannot run: per workspace the service is disabled and its unit,
    /// init script and `.service_registered` marker deleted, its syslog forwarding removed, `OPT/bin/omsagent-<ws>`,
    /// `VAR/<ws>/tmp` and an empty `VAR/<ws>/state` deleted and empty `certs/` and `conf/` removed; then the six
    /// primary links, `/etc/logrotate.d/omsagent*` and `/etc/cron.d/omsagent`. The identity survives —
    /// `omsadmin.conf`, the key and certificate, `VAR/<ws>/{run,log}` — so a reinstall plus `workspace repair`
    /// restores the same agent. One journal for all of it: rolled back as a whole on failure.
    public static func detachAll(context: InstallContext) async throws(AgentError) -> Result {
        let root = context.root
        try AgentPaths.requireAdministrator(root: root)
        let names = root.list(AgentPaths.etc).filter { WorkspaceID.isGUID($0) || $0 == "scom" || $0 == "LAD" }
            .filter { root.isDirectory(AgentPaths.etc + "/" + $0) || root.isDirectory(AgentPaths.varDir + "/" + $0) }
        let result = Result(workspace: names.joined(separator: ","), found: !names.isEmpty, removed: [], hostCommands: [])
        var commands: [[String]] = []
        let journal = ChangeJournal(root: root)
        func present(_ p: String) -> Bool { FileIO.kind(journal.real(p), followLinks: false) != nil }
        do throws(AgentError) {
            for name in names {
                let ws = AgentPaths.Workspace(name)
                if root.isExecutable(AgentPaths.serviceControl) { commands.append([AgentPaths.serviceControl, "disable", name]) }
                let port = root.readText(ws.omsagentD + "/syslog.conf").flatMap { SyslogPort.portsIn($0).min() }
                if let daemon = try unconfigureSyslog(journal: journal, workspace: name, port: port),
                   !commands.contains(["systemctl", "restart", daemon]) {
                    commands.append(["systemctl", "restart", daemon])
                }
                let units = ["/usr/lib/systemd/system", "/lib/systemd/system"].map { "\($0)/\(ws.serviceName).service" }
                for p in units + [WorkspaceService.initScript(name), ws.serviceRegistered, ws.logrotate,
                                  AgentPaths.opt + "/bin/omsagent-\(name)", ws.tmpDir] where present(p) {
                    try journal.remove(p)
                }
                // Set-aside copies (the journal's, until commit) do not count.
                func empty(_ dir: String) -> Bool {
                    root.isDirectory(dir) && root.list(dir).allSatisfy { $0.contains(".agent-installer-backup-") }
                }
                if empty(ws.stateDir) { try journal.remove(ws.stateDir) }
                for dir in [ws.certsDir, ws.confDir] where empty(dir) {
                    try journal.remove(dir)
                }
            }
            // The six default links, whichever workspace they point at (the paths do not depend on it).
            for (link, _) in AgentPaths.primaryLinks("") where FileIO.kind(journal.real(link), followLinks: false) == .symlink {
                try journal.remove(link)
            }
            for entry in root.list(logrotateDirectory).sorted() where entry.hasPrefix("omsagent") {
                try journal.remove(logrotateDirectory + "/" + entry)
            }
            for p in detachedFiles where present(p) { try journal.remove(p) }
        } catch {
            journal.rollback()
            throw error
        }
        return await finish(result, journal: journal, commands: commands, context: context)
    }

    /// Commits the journal, then runs the host commands (daemon restarts, service control) the removal needs.
    static func finish(_ partial: Result, journal: ChangeJournal, commands: [[String]],
                       context: InstallContext) async -> Result {
        journal.commit()
        var result = partial
        result.removed = journal.changed
        _ = await HostCommands.run(commands, root: journal.root, runner: context.runner)
        result.hostCommands = commands.map { $0.joined(separator: " ") }
        return result
    }

    /// Drops this workspace's lines from the syslog configuration; returns the daemon to restart.
    static func unconfigureSyslog(journal: ChangeJournal, workspace ws: String, port: Int?) throws(AgentError) -> String? {
        let root = journal.root
        func filtered(_ path: String, drop: (Substring) -> Bool) throws(AgentError) -> Bool {
            guard let text = root.readText(path) else { return false }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let kept = lines.filter { !drop($0) }
            guard kept.count != lines.count else { return false }
            let newText = kept.joined(separator: "\n")
            let attrs = FileIO.attributes(journal.real(path))
            if path == SyslogWiring.rsyslogDropIn && newText.allSatisfy(\.isWhitespace) {
                try journal.remove(path)
            } else {
                try journal.write(path, Array(newText.utf8), mode: mode_t(attrs?.mode ?? 0o644),
                                  owner: attrs.map { ($0.uid, $0.gid) })
            }
            return true
        }
        let rsyslogDrop: (Substring) -> Bool = { line in
            line.contains("OMS Syslog collection for workspace \(ws)") || (port.map { line.contains("@127.0.0.1:\($0)") } ?? false)
        }
        if root.isRegularFile("/etc/rsyslog.conf") && root.isDirectory("/etc/rsyslog.d") {
            return try filtered(SyslogWiring.rsyslogDropIn, drop: rsyslogDrop) ? "rsyslog" : nil
        }
        if root.isRegularFile("/etc/rsyslog.conf") {
            return try filtered("/etc/rsyslog.conf", drop: rsyslogDrop) ? "rsyslog" : nil
        }
        if root.isRegularFile("/etc/syslog-ng/syslog-ng.conf") {
            return try filtered("/etc/syslog-ng/syslog-ng.conf") { $0.contains("\(ws)_oms") } ? "syslog-ng" : nil
        }
        return nil
    }
}
