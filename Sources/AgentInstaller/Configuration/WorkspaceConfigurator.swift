#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport

/// Writes a workspace's configuration under a root after a successful topology request, in the contract's order
/// (§10.7): directories, key and certificate (when new), `omsadmin.conf`, rendered conf files, primary links or
/// the multi-homing marker, syslog port and wiring, logrotate, the service unit, the consistency cron file.
/// Every change goes through the journal so the caller can roll all of it back.
public struct WorkspaceConfigurator {
    /// New key and certificate PEM to install; nil keeps the existing pair byte for byte.
    public struct Identity: Sendable {
        public var keyPEM: [UInt8]
        public var certificatePEM: [UInt8]
        public init(keyPEM: [UInt8], certificatePEM: [UInt8]) {
            self.keyPEM = keyPEM
            self.certificatePEM = certificatePEM
        }
    }

    /// What was written and what a live host still has to run.
    public struct Outcome: Sendable {
        public var syslogPort: Int
        public var syslog: SyslogWiring.Result?
        public var unitPath: String?
        /// The init system the service was registered for (nil when `service_control` registers it).
        public var serviceManager: WorkspaceService.Manager?
        /// The SysV script written (no systemd).
        public var initScript: String?
        /// Commands for the live host (argv), in order.
        public var hostCommands: [[String]] = []
    }

    public let journal: ChangeJournal
    public let workspace: AgentPaths.Workspace
    public let owner: (uid: UInt32, gid: UInt32)
    public let rootOwner: (uid: UInt32, gid: UInt32) = (0, 0)

    public init(journal: ChangeJournal, workspace: String) throws(AgentError) {
        self.journal = journal
        self.workspace = AgentPaths.Workspace(workspace)
        owner = try UserDatabase(root: journal.root).owner(user: AgentPaths.ownerUser, group: AgentPaths.ownerGroup)
    }

    var root: HostRoot { journal.root }

    /// The templates that must exist before anything is requested (the omsagent package provides them).
    public static func checkTemplates(root: HostRoot) throws(AgentError) {
        for t in ["omsagent.conf", "omsagent.d"] where !root.exists(AgentPaths.sysconf + "/" + t) {
            throw AgentError(.internalError, "\(AgentPaths.sysconf)/\(t) is missing: is the omsagent package installed?")
        }
    }

    /// - Parameters:
    ///   - registerService: render the systemd unit (or, without systemd, the SysV script) and
    ///     `.service_registered` ourselves (a `--root` tree, or a live host without `service_control`); on a live
    ///     host `service_control` registers the unit itself.
    ///   - keepAdminConf: repair mode: keep `omsadmin.conf` as it is (only its mode and owner are re-applied).
    ///   - primaryLinks: create the six links; default: when `marker` is nil.
    public func apply(conf: OmsAdminConf, identity: Identity?, marker: String?, registerService: Bool = true,
                      keepAdminConf: Bool = false, primaryLinks: Bool? = nil)
        throws(AgentError) -> Outcome
    {
        let ws = workspace
        // Directories (existing ones get their mode and owner re-applied).
        try journal.directory(AgentPaths.varDir, mode: 0o755, owner: owner)
        for d in [ws.etcDir, ws.confDir, ws.omsagentD] { try journal.directory(d, mode: 0o750, owner: owner) }
        try journal.directory(ws.certsDir, mode: 0o700, owner: owner)
        for d in [ws.varDir, ws.tmpDir, ws.stateDir, ws.runDir, ws.logDir] {
            try journal.directory(d, mode: 0o750, owner: owner)
        }
        if let identity {
            try journal.write(ws.key, identity.keyPEM, mode: 0o640, owner: owner)
            try journal.write(ws.cert, identity.certificatePEM, mode: 0o640, owner: owner)
        }
        for p in [ws.key, ws.cert] where identity == nil && root.isRegularFile(p) {
            try journal.permissions(p, mode: 0o640, owner: owner)
        }
        // 1. omsadmin.conf
        if keepAdminConf {
            try journal.permissions(ws.omsadminConf, mode: 0o644, owner: owner)
        } else {
            try journal.write(ws.omsadminConf, Array(try conf.render().utf8), mode: 0o644, owner: owner)
        }
        // 2. omsagent.conf and omsagent.d/* from the installed templates.
        try renderTemplate(AgentPaths.sysconf + "/omsagent.conf", to: ws.confDir + "/omsagent.conf")
        let port = SyslogPort.choose(root: root, workspace: ws.id)
        let monitorPort = SyslogPort.monitorPort(root: root, workspace: ws.id, excluding: [port])
        for name in ["monitor.conf", "syslog.conf", "heartbeat.conf", "telemetry.conf", "operation.conf",
                     "omi_mapping.json", "container.conf"] {
            let source = AgentPaths.sysconf + "/omsagent.d/" + name
            guard root.isRegularFile(source) else { continue }
            try renderTemplate(source, to: ws.omsagentD + "/" + name, extra: [("%SYSLOG_PORT%", String(port)), ("%MONITOR_AGENT_PORT%", String(monitorPort))])
        }
        // 3. Primary links, or the secondary marker.
        if let marker {
            try journal.write(ws.marker, Array(marker.utf8), mode: 0o644, owner: owner)
        } else {
            try journal.remove(ws.marker)
        }
        if primaryLinks ?? (marker == nil) {
            for (link, target) in AgentPaths.primaryLinks(ws.id) {
                if root.isDirectory(link) && FileIO.kind(journal.real(link), followLinks: false) == .directory {
                    try journal.remove(link)
                }
                try journal.symlink(link, to: target)
            }
        }
        // 4. Syslog wiring, logrotate.
        var outcome = Outcome(syslogPort: port)
        outcome.syslog = try SyslogWiring.configure(journal: journal, workspace: ws.id, port: port, owner: owner)
        if let daemon = outcome.syslog?.daemon { outcome.hostCommands.append(["systemctl", "restart", daemon]) }
        if root.isRegularFile(AgentPaths.sysconf + "/logrotate.conf") {
            try renderTemplate(AgentPaths.sysconf + "/logrotate.conf", to: ws.logrotate, fileOwner: rootOwner)
        }
        // 5. Service: launcher link, unit, registration marker; cron for the primary.
        if root.isDirectory(AgentPaths.opt + "/bin") {
            try journal.symlink(AgentPaths.opt + "/bin/omsagent-\(ws.id)", to: "omsagent")
        }
        let manager = WorkspaceService.manager(root: root)
        if registerService, manager == .sysv, root.isRegularFile(AgentPaths.sysconf + "/omsagent.ulinux") {
            let script = WorkspaceService.initScript(ws.id)
            try journal.directory("/etc/init.d", mode: 0o755, owner: nil)
            try renderTemplate(AgentPaths.sysconf + "/omsagent.ulinux", to: script, fileOwner: rootOwner, mode: 0o755)
            try journal.write(ws.serviceRegistered, [], mode: 0o644, owner: owner)
            outcome.serviceManager = .sysv
            outcome.initScript = script
            if let register = WorkspaceService.sysvRegistration(root: root, workspace: ws.id) {
                outcome.hostCommands.append(register)
            }
            outcome.hostCommands.append([script, "restart"])
        }
        if registerService, manager == .systemd, root.isRegularFile(AgentPaths.sysconf + "/omsagent.systemd") {
            let unitDir = root.isDirectory("/usr/lib/systemd/system") || !root.isDirectory("/lib/systemd/system")
                ? "/usr/lib/systemd/system" : "/lib/systemd/system"
            try journal.directory(unitDir, mode: 0o755, owner: nil)
            let unit = "\(unitDir)/\(ws.serviceName).service"
            try renderTemplate(AgentPaths.sysconf + "/omsagent.systemd", to: unit, fileOwner: rootOwner)
            try journal.write(ws.serviceRegistered, [], mode: 0o644, owner: owner)
            outcome.unitPath = unit
            outcome.serviceManager = .systemd
            outcome.hostCommands += [["systemctl", "daemon-reload"], ["systemctl", "enable", ws.serviceName],
                                     ["systemctl", "restart", ws.serviceName]]
        }
        if marker == nil, !root.exists("/etc/cron.d/OMSConsistencyInvoker") {
            let a = Int.random(in: 2...14)
            let line = "\(a),\(a + 15),\(a + 30),\(a + 45) * * * * omsagent /opt/omi/bin/OMSConsistencyInvoker >/dev/null 2>&1\n"
            try journal.directory("/etc/cron.d", mode: 0o755, owner: nil)
            try journal.write("/etc/cron.d/OMSConsistencyInvoker", Array(line.utf8), mode: 0o644, owner: rootOwner)
        }
        return outcome
    }

    private func renderTemplate(_ source: String, to dest: String, extra: [(String, String)] = [],
                                fileOwner: (uid: UInt32, gid: UInt32)? = nil, mode: mode_t = 0o644) throws(AgentError) {
        guard var text = root.readText(source) else {
            throw AgentError(.internalError, "cannot read the template \(source)")
        }
        for (placeholder, value) in workspace.placeholders + extra { text = text.replacing(placeholder, with: value) }
        let parent = String(dest[..<dest.lastIndex(of: "/")!])
        if !root.isDirectory(parent) { try journal.directory(parent, mode: 0o755, owner: nil) }
        try journal.write(dest, Array(text.utf8), mode: mode, owner: fileOwner ?? owner)
    }
}
