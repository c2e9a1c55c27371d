import AgentSupport

/// The syslog port search (contract §10.11): the first port ≥ 25224 that no socket uses (from `/proc/net/udp`,
/// `udp6`, `tcp`, `tcp6` under the root) and no `ETC/*/conf/omsagent.d/*.conf` mentions.
public enum SyslogPort {
    public static let first = 25224

    /// Ports in use according to the kernel tables under `root` (local address column, hex port).
    public static func socketPorts(root: HostRoot) -> Set<Int> {
        var ports: Set<Int> = []
        for table in ["/proc/net/udp", "/proc/net/udp6", "/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = root.readText(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 1, let colon = fields[1].lastIndex(of: ":"),
                      let port = Int(fields[1][fields[1].index(after: colon)...], radix: 16) else { continue }
                ports.insert(port)
            }
        }
        return ports
    }

    /// Port numbers on `port` lines of every workspace's `omsagent.d/*.conf`, except workspace `except`.
    public static func configuredPorts(root: HostRoot, except: String? = nil) -> Set<Int> {
        var ports: Set<Int> = []
        for ws in root.list(AgentPaths.etc) where ws.lowercased() != except?.lowercased() {
            let dir = AgentPaths.etc + "/\(ws)/conf/omsagent.d"
            for file in root.list(dir) where file.hasSuffix(".conf") {
                ports.formUnion(portsIn(root.readText(dir + "/" + file) ?? ""))
            }
        }
        return ports
    }

    /// The port of a `port NNNN` line (4th space-separated field upstream reads the same value).
    public static func portsIn(_ text: String) -> Set<Int> {
        var out: Set<Int> = []
        for line in text.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let i = f.firstIndex(of: "port"), i + 1 < f.count, let n = Int(f[i + 1]) { out.insert(n) }
        }
        return out
    }

    /// The first port ≥ 25324 free of sockets and other workspaces' confs, for `%MONITOR_AGENT_PORT%`.
    public static func monitorPort(root: HostRoot, workspace ws: String, excluding: Set<Int>) -> Int {
        let used = socketPorts(root: root).union(configuredPorts(root: root, except: ws)).union(excluding)
        var port = 25324
        while used.contains(port) { port += 1 }
        return port
    }

    /// The port for workspace `ws`: its existing one when re-onboarding, else the first free one.
    public static func choose(root: HostRoot, workspace ws: String) -> Int {
        let own = root.readText(AgentPaths.Workspace(ws).omsagentD + "/syslog.conf").map(portsIn) ?? []
        if let mine = own.min() { return mine }
        let used = socketPorts(root: root).union(configuredPorts(root: root, except: ws))
        var port = first
        while used.contains(port) { port += 1 }
        return port
    }
}
