import AgentSupport

/// Forwarding from the host's syslog daemon to the workspace's port (what `configure_syslog.sh configure` does,
/// contract §10.11), as file changes through a `ChangeJournal`; the caller restarts the daemon on a live host.
public enum SyslogWiring {
    /// Which daemon was configured and the file changed, or nil when no supported daemon exists.
    public struct Result: Sendable, Equatable {
        public var daemon: String
        public var file: String
    }

    public static let rsyslogDropIn = "/etc/rsyslog.d/95-omsagent.conf"

    public static func configure(
        journal: ChangeJournal, workspace ws: String, port: Int, owner: (uid: UInt32, gid: UInt32)
    ) throws(AgentError) -> Result? {
        let root = journal.root
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
        if root.isRegularFile("/etc/rsyslog.conf") && root.isDirectory("/etc/rsyslog.d") {
            let current = root.readText(rsyslogDropIn)
            var text: String
            if let current {
                if current.contains("@127.0.0.1:\(port)") && current.contains(ws) { return Result(daemon: "rsyslog", file: rsyslogDropIn) }
                if current.contains(ws) {
                    text = replacePort(in: current, marker: "127.0.0.1:", port: port)
                } else {
                    text = current + (current.hasSuffix("\n") || current.isEmpty ? "" : "\n") + render(try template("rsyslog.conf"))
                }
            } else {
                text = render(try template("rsyslog.conf"))
            }
            try journal.write(rsyslogDropIn, Array(text.utf8), mode: 0o644, owner: owner)
            return Result(daemon: "rsyslog", file: rsyslogDropIn)
        }
        if root.isRegularFile("/etc/rsyslog.conf") {
            let current = root.readText("/etc/rsyslog.conf") ?? ""
            if current.contains("@127.0.0.1:\(port)") { return Result(daemon: "rsyslog", file: "/etc/rsyslog.conf") }
            let text = current + (current.hasSuffix("\n") || current.isEmpty ? "" : "\n") + render(try template("rsyslog.conf"))
            try journal.write("/etc/rsyslog.conf", Array(text.utf8), mode: 0o644, owner: nil)
            return Result(daemon: "rsyslog", file: "/etc/rsyslog.conf")
        }
        let ng = "/etc/syslog-ng/syslog-ng.conf"
        if root.isRegularFile(ng) {
            let current = root.readText(ng) ?? ""
            var text: String
            if current.contains("\(ws)_oms") {
                guard !current.contains("port(\(port)") else { return Result(daemon: "syslog-ng", file: ng) }
                text = replacePort(in: current, marker: "port(", port: port)
            } else {
                let source = current.split(separator: "\n").first { $0.hasPrefix("source ") && $0.contains("src") }
                    .map { String($0.split(separator: " ")[1]) } ?? "src"
                text = current + (current.hasSuffix("\n") || current.isEmpty ? "" : "\n")
                    + render(try template("syslog-ng.conf"), source: source)
            }
            try journal.write(ng, Array(text.utf8), mode: 0o644, owner: nil)
            return Result(daemon: "syslog-ng", file: ng)
        }
        return nil
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
