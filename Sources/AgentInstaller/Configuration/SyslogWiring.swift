import AgentSupport

/// Forwarding from the host's syslog daemon to the workspace's port (what `configure_syslog.sh configure` does,
/// contract §10.11), as file changes through a `ChangeJournal`; the caller restarts the daemon on a live host.
public enum SyslogWiring {
    /// Which daemon was configured and the file changed, or nil when no supported daemon exists.
    public struct Result: Sendable, Equatable {
        public var daemon: String
        public var file: String
        /// Whether this run changed the file (the daemon needs a restart only then).
        public var changed: Bool = true
    }

    public static let rsyslogDropIn = "/etc/rsyslog.d/95-omsagent.conf"

    /// The wiring a run would make: the daemon, its file, and the file's new text (nil: already wired, unchanged).
    public struct Change: Sendable, Equatable {
        public var daemon: String
        public var file: String
        /// The file's full new content, nil when the file already forwards to the port.
        public var text: String?
        /// Whether the file gets the agent's owner (the drop-in) or keeps root's (the daemon's own file).
        public var agentOwned: Bool
    }

    /// Decides the wiring without changing anything (used by the plan and by `configure`); nil when no supported
    /// daemon exists.
    public static func change(root: HostRoot, workspace ws: String, port: Int) throws(AgentError) -> Change? {
        func template(_ name: String) throws(AgentError) -> String {
            guard let t = root.readText(AgentPaths.sysconf + "/" + name) else {
                throw AgentError(.internalError, "missing template \(AgentPaths.sysconf)/\(name)")
            }
            return t
        }
        func render(_ t: String, source: String = "src") -> String {
            t.replacing("%WORKSPACE_ID%", with: ws).replacing("%SYSLOG_PORT%", with: String(port))
                .replacing("%SOURCE%", with: source)
        }
        func appended(_ current: String, _ text: String) -> String {
            current + (current.hasSuffix("\n") || current.isEmpty ? "" : "\n") + text
        }
        if root.isRegularFile("/etc/rsyslog.conf") && root.isDirectory("/etc/rsyslog.d") {
            var change = Change(daemon: "rsyslog", file: rsyslogDropIn, text: nil, agentOwned: true)
            if let current = root.readText(rsyslogDropIn) {
                if current.contains("@127.0.0.1:\(port)") && current.contains(ws) { return change }
                change.text = current.contains(ws) ? replacePort(in: current, marker: "127.0.0.1:", port: port)
                    : appended(current, render(try template("rsyslog.conf")))
            } else {
                change.text = render(try template("rsyslog.conf"))
            }
            return change
        }
        if root.isRegularFile("/etc/rsyslog.conf") {
            let current = root.readText("/etc/rsyslog.conf") ?? ""
            var change = Change(daemon: "rsyslog", file: "/etc/rsyslog.conf", text: nil, agentOwned: false)
            if !current.contains("@127.0.0.1:\(port)") { change.text = appended(current, render(try template("rsyslog.conf"))) }
            return change
        }
        let ng = "/etc/syslog-ng/syslog-ng.conf"
        if root.isRegularFile(ng) {
            let current = root.readText(ng) ?? ""
            var change = Change(daemon: "syslog-ng", file: ng, text: nil, agentOwned: false)
            if current.contains("\(ws)_oms") {
                guard !current.contains("port(\(port)") else { return change }
                change.text = replacePort(in: current, marker: "port(", port: port)
            } else {
                let source = current.split(separator: "\n").first { $0.hasPrefix("source ") && $0.contains("src") }
                    .map { String($0.split(separator: " ")[1]) } ?? "src"
                change.text = appended(current, render(try template("syslog-ng.conf"), source: source))
            }
            return change
        }
        return nil
    }

    /// Writes the wiring through `journal`; `Result.changed` says whether the file changed (restart the daemon
    /// only then).
    public static func configure(
        journal: ChangeJournal, workspace ws: String, port: Int, owner: (uid: UInt32, gid: UInt32)
    ) throws(AgentError) -> Result? {
        guard let change = try change(root: journal.root, workspace: ws, port: port) else { return nil }
        if let text = change.text {
            try journal.write(change.file, Array(text.utf8), mode: 0o644, owner: change.agentOwned ? owner : nil)
        }
        return Result(daemon: change.daemon, file: change.file, changed: change.text != nil)
    }

    /// Replaces the digits after every `marker` with `port`.
    static func replacePort(in text: String, marker: String, port: Int) -> String {
        var out = ""
        var rest = Substring(text)
        while let r = rest.firstRange(of: marker) {
            out += rest[..<r.upperBound]
            rest = rest[r.upperBound...]
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            if digits.isEmpty { continue }
            out += String(port)
            rest = rest.dropFirst(digits.count)
        }
        return out + rest
    }
}
