#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport

/// Moves a pre-multi-homing host into the per-workspace layout — the `omsadmin.sh -U` migration (contract §10.10):
/// the real `ETC/conf`, `ETC/certs` and `VAR/{tmp,run,state,log}` directories become `ETC/<ws>/…` and `VAR/<ws>/…`,
/// path references in the moved conf files follow, the six links point at them, a legacy `ETC/conf/proxy.conf`
/// becomes `ETC/proxy.conf`, the old `omsagent` service goes, and the repair then re-creates every derived file
/// (links, modes, owners, logrotate, `omsagent-<ws>` registration). One journal: any failure restores the old layout.
public enum WorkspaceMigration {
    /// What a migration did.
    public struct Result: Sendable, Codable, Equatable {
        /// False when the host already has the per-workspace layout (nothing to do).
        public var migrated: Bool
        public var workspace: String?
        public var message: String
        public var filesChanged: [String]
        public var hostCommands: [String]
        public var hostCommandsRun: Bool
    }

    static let legacyServiceFiles = ["/usr/lib/systemd/system/omsagent.service", "/lib/systemd/system/omsagent.service",
                                     "/etc/init.d/omsagent"]

    /// Migrates the host under `context.root` if it has the legacy layout; exit 1 when the legacy configuration
    /// cannot be read (it needs a fresh onboarding) or `ETC/<ws>` already exists.
    public static func migrate(context: InstallContext) async throws(AgentError) -> Result {
        let root = context.root
        try AgentPaths.requireAdministrator(root: root)
        let etcConf = AgentPaths.etc + "/conf"
        guard FileIO.kind(root.lexical(etcConf), followLinks: false) == .directory else {
            return Result(migrated: false, workspace: nil, message: "nothing to migrate: \(etcConf) is not a legacy directory",
                          filesChanged: [], hostCommands: [], hostCommandsRun: false)
        }
        guard let text = root.readText(etcConf + "/omsadmin.conf"), let conf = OmsAdminConf.parse(text) else {
            throw AgentError(.generic, "\(etcConf)/omsadmin.conf is missing, empty or incomplete; the host needs a fresh onboarding")
        }
        let ws = AgentPaths.Workspace(conf.workspaceID)
        if AgentPaths.existingWorkspaceDirectory(ws.id, root: root) != nil {
            throw AgentError(.generic, "cannot migrate: \(ws.etcDir) already exists next to the legacy \(etcConf)")
        }
        try WorkspaceConfigurator.checkTemplates(root: root)
        let owner = try UserDatabase(root: root).owner(user: AgentPaths.ownerUser, group: AgentPaths.ownerGroup)

        var before: [[String]] = []
        if legacyServiceFiles.prefix(2).contains(where: root.exists) { before.append(["systemctl", "disable", "--now", "omsagent"]) }
        if root.exists(legacyServiceFiles[2]) { before.append([legacyServiceFiles[2], "stop"]) }
        if root.isLive { for argv in before { _ = try? await context.runner.run(argv, timeout: .seconds(120)) } }

        let journal = ChangeJournal(root: root)
        var after: [[String]]
        do throws(AgentError) {
            try journal.directory(ws.etcDir, mode: 0o750, owner: owner)
            try journal.directory(ws.varDir, mode: 0o750, owner: owner)
            let moves = [(etcConf, ws.confDir), (AgentPaths.etc + "/certs", ws.certsDir)]
                + ["tmp", "run", "state", "log"].map { (AgentPaths.varDir + "/" + $0, ws.varDir + "/" + $0) }
            for (from, to) in moves where FileIO.kind(root.lexical(from), followLinks: false) == .directory {
                try journal.move(from, to: to)
            }
            let legacyProxy = ws.confDir + "/proxy.conf"
            if root.isRegularFile(legacyProxy), !root.exists(AgentPaths.proxyConf) {
                try journal.move(legacyProxy, to: AgentPaths.proxyConf)
                try journal.permissions(AgentPaths.proxyConf, mode: 0o600, owner: owner)
            }
            for dir in [ws.confDir, ws.omsagentD] {
                for name in root.list(dir) where name.hasSuffix(".conf") && root.isRegularFile(dir + "/" + name) {
                    let path = dir + "/" + name
                    guard let old = root.readText(path), let attrs = FileIO.attributes(journal.real(path)) else { continue }
                    let new = rewritePaths(old, workspace: ws.id)
                    if new != old {
                        try journal.write(path, Array(new.utf8), mode: mode_t(attrs.mode), owner: (attrs.uid, attrs.gid))
                    }
                }
            }
            for p in legacyServiceFiles where root.exists(p) { try journal.remove(p) }
            after = try WorkspaceRepair.apply(journal: journal, workspace: ws.id, conf: conf)
            if root.isLive && legacyServiceFiles.prefix(2).contains(where: { journal.changed.contains($0) }) {
                after.insert(["systemctl", "daemon-reload"], at: 0)
            }
        } catch {
            journal.rollback()
            throw error
        }
        journal.commit()
        if root.isLive { for argv in after { _ = try? await context.runner.run(argv, timeout: .seconds(120)) } }
        return Result(migrated: true, workspace: ws.id,
                      message: "migrated the legacy workspace \(ws.id) to \(ws.etcDir) (primary)",
                      filesChanged: journal.changed, hostCommands: (before + after).map { $0.joined(separator: " ") },
                      hostCommandsRun: root.isLive)
    }

    /// `text` with every legacy path (`ETC/conf`, `ETC/certs`, `VAR/{tmp,run,state,log}`) moved under the
    /// workspace; a match must end at a path boundary (`/`, end, or a character that cannot be in a name).
    static func rewritePaths(_ text: String, workspace ws: String) -> String {
        let pairs = [("conf", AgentPaths.etc), ("certs", AgentPaths.etc)].map { ($1 + "/" + $0, "\($1)/\(ws)/\($0)") }
            + ["tmp", "run", "state", "log"].map { (AgentPaths.varDir + "/" + $0, "\(AgentPaths.varDir)/\(ws)/\($0)") }
        var out = text
        for (old, new) in pairs {
            var result = ""
            var rest = Substring(out)
            while let r = rest.firstRange(of: old) {
                let next = rest[r.upperBound...].first
                let boundary = next.map { !($0.isLetter || $0.isNumber || "_.-".contains($0)) } ?? true
                result += rest[..<r.lowerBound]
                result += boundary ? new : old
                rest = rest[r.upperBound...]
            }
            out = result + rest
        }
        return out
    }
}
