import AgentSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension HostFacts {
    /// Tools the bundle needs: name, executables looked up on PATH, packages that provide them.
    static let requiredTools: [(name: String, executables: [String], packages: [String])] = [
        ("tar", ["tar"], ["tar"]),
        ("sed", ["sed"], ["sed"]),
        ("gpg", ["gpg", "gpg2"], ["gnupg", "gpg", "gnupg2"]),
    ]

    /// Syslog daemons: fact value, packages, executables.
    static let syslogDaemons: [(name: String, packages: [String], executables: [String])] = [
        ("rsyslog", ["rsyslog"], ["rsyslogd"]),
        ("syslog-ng", ["syslog-ng", "syslog-ng-core"], ["syslog-ng"]),
        ("sysklogd", ["sysklogd"], ["syslogd"]),
    ]

    /// Free space required under each of `/var`, `/etc`, `/opt`.
    static let diskPaths = ["/var", "/etc", "/opt"]

    func tool(_ name: String, executables: [String], packages: [String]) -> Tool {
        Tool(name: name, path: executables.lazy.compactMap { root.which($0) }.first,
             package: self.packages?.first(packages)?.name)
    }

    mutating func readTools() {
        curl = tool("curl", executables: ["curl"], packages: ["curl"])
        curlVersion = packages?.entry("curl")?.version
        tools = Self.requiredTools.map { tool($0.name, executables: $0.executables, packages: $0.packages) }
    }

    /// A daemon counts only as an installed package or an executable: a leftover configuration file does not.
    mutating func readSyslogAndPAM(_ libs: LibraryIndex) {
        syslogDaemon = Self.syslogDaemons.first { d in
            packages?.first(d.packages) != nil || d.executables.contains { root.which($0) != nil }
        }?.name
        if let p = packages?.first(["libpam0g", "pam", "libpam0"]) {
            pam = "\(p.name) \(p.version)"
        } else if let lib = libs.names(withPrefix: "libpam.so.0").first {
            pam = lib
        }
    }

    /// `statvfs` of each required directory, or of its nearest existing ancestor inside the tree.
    mutating func readDisk() {
        disk = Self.diskPaths.map { path in
            var host = path
            while !root.isDirectory(host), host != "/" {
                host = String(host[..<(host.lastIndex(of: "/") ?? host.startIndex)])
                if host.isEmpty { host = "/" }
            }
            guard let real = root.resolve(host) else { return DiskSpace(path: path, availableBytes: nil) }
            var st = statvfs()
            guard statvfs(real, &st) == 0 else { return DiskSpace(path: path, availableBytes: nil) }
            return DiskSpace(path: path, availableBytes: Int64(st.f_bavail) * Int64(st.f_frsize))
        }
    }

    /// Agent packages and onboarded workspace directories (agent contract §10.9).
    mutating func readExistingAgent() {
        var pkgs: [String: String] = [:]
        for name in ["omsagent", "omsconfig", "omi", "scx"] {
            if let e = packages?.entry(name) { pkgs[name] = e.version }
        }
        let workspaces = root.list("/etc/opt/microsoft/omsagent").filter { name in
            name == "scom" || (Self.isWorkspaceID(name) && root.isDirectory("/etc/opt/microsoft/omsagent/" + name))
        }
        existingAgent = ExistingAgent(packages: pkgs, workspaces: workspaces)
    }

    /// The GUID form of a workspace id (8-4-4-4-12 hexadecimal digits).
    static func isWorkspaceID(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
