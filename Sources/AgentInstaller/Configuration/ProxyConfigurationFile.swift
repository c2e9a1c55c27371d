import AgentSupport

/// `ETC/proxy.conf`: one line, no trailing newline, mode 0600, `omsagent:omiusers`, written atomically (§11).
public enum ProxyConfigurationFile {
    /// Writes the canonical line of `proxy`.
    public static func write(_ proxy: ProxyConfiguration, root: HostRoot) throws(AgentError) {
        try AgentPaths.requireAdministrator(root: root)
        let owner = try UserDatabase(root: root).owner(user: AgentPaths.ownerUser, group: AgentPaths.ownerGroup)
        guard root.isDirectory(AgentPaths.etc), let real = root.resolve(AgentPaths.proxyConf) else {
            throw AgentError(.systemProblem, "\(AgentPaths.etc) does not exist: is the agent installed?")
        }
        let bytes = proxy.fileLine.withBytes { $0 }
        try AtomicFile.write(real, bytes, mode: 0o600, owner: owner)
    }

    /// The configured proxy (new file, else the legacy `ETC/conf/proxy.conf` the daemon falls back to).
    /// Returns nil when neither exists; throws exit 4 when the file holds something the daemon cannot use.
    public static func read(root: HostRoot) throws(AgentError) -> ProxyConfiguration? {
        for path in [AgentPaths.proxyConf, AgentPaths.legacyProxyConf] {
            guard let text = root.readText(path, limit: 64 << 10) else { continue }
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard DaemonProxyGrammar.parse(line) != nil else {
                throw AgentError(.proxyOrFormatMismatch,
                                 "\(path) holds a value the agent cannot parse; it connects directly",
                                 hint: "run: agent-installer proxy set URL, or proxy clear")
            }
            return try ProxyConfiguration.parse(line)
        }
        return nil
    }

    /// Removes both the file and the legacy one; returns the host paths that existed.
    @discardableResult
    public static func clear(root: HostRoot) throws(AgentError) -> [String] {
        try AgentPaths.requireAdministrator(root: root)
        var removed: [String] = []
        for path in [AgentPaths.proxyConf, AgentPaths.legacyProxyConf] {
            guard let real = root.resolve(path), FileIO.kind(real, followLinks: false) != nil else { continue }
            try FileIO.remove(real)
            removed.append(path)
        }
        return removed
    }
}
