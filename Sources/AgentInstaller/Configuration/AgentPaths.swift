#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport

/// The agent's fixed host paths (contract conventions: `ETC`, `VAR`, `OPT`) and per-workspace locations.
public enum AgentPaths {
    public static let etc = "/etc/opt/microsoft/omsagent"
    public static let varDir = "/var/opt/microsoft/omsagent"
    public static let opt = "/opt/microsoft/omsagent"
    public static let sysconf = etc + "/sysconf"
    public static let proxyConf = etc + "/proxy.conf"
    public static let legacyProxyConf = etc + "/conf/proxy.conf"
    public static let installInfo = sysconf + "/installinfo.txt"
    public static let scxRelease = "/etc/opt/microsoft/scx/conf/scx-release"
    public static let containerHostname = "/var/opt/microsoft/docker-cimprov/state/containerhostname"
    public static let serviceControl = opt + "/bin/service_control"
    /// The owner of every agent-written configuration file.
    public static let ownerUser = "omsagent"
    public static let ownerGroup = "omiusers"

    /// The six primary-workspace links: link path → target, for workspace `ws` (contract §10.10).
    public static func primaryLinks(_ ws: String) -> [(link: String, target: String)] {
        [
            (etc + "/conf", etc + "/\(ws)/conf"),
            (etc + "/certs", etc + "/\(ws)/certs"),
            (varDir + "/tmp", varDir + "/\(ws)/tmp"),
            (varDir + "/run", varDir + "/\(ws)/run"),
            (varDir + "/state", varDir + "/\(ws)/state"),
            (varDir + "/log", varDir + "/\(ws)/log"),
        ]
    }

    /// The primary workspace: the directory name `ETC/conf` links to (`ETC/<ws>/conf`), or nil.
    public static func primaryWorkspace(root: HostRoot) -> String? {
        let link = etc + "/conf"
        guard FileIO.kind(root.lexical(link), followLinks: false) == .symlink,
              let target = root.resolvedHostPath(link), target.hasPrefix(etc + "/"), target.hasSuffix("/conf"),
              root.isDirectory(target) else { return nil }
        let name = String(target.dropFirst(etc.count + 1).dropLast(5))
        return name.contains("/") || name.isEmpty ? nil : name
    }

    /// The name of the entry under `ETC` in `root` that is workspace `id`, matched case-insensitively (a workspace
    /// id may be written in either case); nil when there is none.
    public static func existingWorkspaceDirectory(_ id: String, root: HostRoot) -> String? {
        let wanted = id.lowercased()
        return root.list(etc).first { $0.lowercased() == wanted }
    }

    /// Per-workspace directories.
    public struct Workspace: Sendable {
        public let id: String
        public init(_ id: String) { self.id = id }
        public var etcDir: String { AgentPaths.etc + "/\(id)" }
        public var confDir: String { etcDir + "/conf" }
        public var certsDir: String { etcDir + "/certs" }
        public var omsagentD: String { confDir + "/omsagent.d" }
        public var omsadminConf: String { confDir + "/omsadmin.conf" }
        public var key: String { certsDir + "/oms.key" }
        public var cert: String { certsDir + "/oms.crt" }
        public var marker: String { confDir + "/.multihoming_marker" }
        public var serviceRegistered: String { confDir + "/.service_registered" }
        public var varDir: String { AgentPaths.varDir + "/\(id)" }
        public var tmpDir: String { varDir + "/tmp" }
        public var stateDir: String { varDir + "/state" }
        public var runDir: String { varDir + "/run" }
        public var logDir: String { varDir + "/log" }
        public var logrotate: String { "/etc/logrotate.d/omsagent-\(id)" }
        public var serviceName: String { "omsagent-\(id)" }

        /// The `%…_DIR_WS%` template placeholders and their values.
        public var placeholders: [(String, String)] {
            [("%CONF_DIR_WS%", confDir), ("%CERT_DIR_WS%", certsDir), ("%TMP_DIR_WS%", tmpDir),
             ("%RUN_DIR_WS%", runDir), ("%STATE_DIR_WS%", stateDir), ("%LOG_DIR_WS%", logDir),
             ("%WORKSPACE_ID%", id)]
        }
    }
}

extension AgentPaths {
    /// On the live host only root or the `omsagent` user may change the agent's configuration (exit 1).
    public static func requireAdministrator(root: HostRoot) throws(AgentError) {
        guard root.isLive else { return }
        let uid = geteuid()
        if uid == 0 || UserDatabase(root: root).user(named: ownerUser)?.uid == uid { return }
        throw AgentError(.generic, "this command must run as root or as the omsagent user")
    }
}
