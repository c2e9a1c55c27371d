import AgentSupport

/// The file changes of the upgrade stages (contract §7 stages 5 and 7), as data: which file, what changes, and
/// the unified diff a plan shows for it.
public enum PlanFileEdits {
    /// Stage 5: removed before omsagent is upgraded.
    public static let consistencyInvokerCron = "/etc/cron.d/OMSConsistencyInvoker"
    /// Stage 7: the syslog source whose `tcp` becomes `udp` after an omsagent upgrade.
    public static let syslogConf = "/etc/opt/microsoft/omsagent/conf/omsagent.d/syslog.conf"

    /// Stage 7's edit: every `tcp` becomes `udp`.
    public static func syslogHotfix(_ text: String) -> String {
        text.replacing("tcp", with: "udp")
    }

    /// A zero-context unified diff of a line-by-line edit (same line count), nil when nothing changes.
    public static func diff(path: String, old: String, new: String) -> String? {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false)
        guard a != b else { return nil }
        var out = ["--- a\(path)", "+++ b\(path)"]
        if a.count != b.count {
            out.append("@@ -1,\(a.count) +1,\(b.count) @@")
            out += a.map { "-\($0)" } + b.map { "+\($0)" }
        } else {
            for i in a.indices where a[i] != b[i] {
                out += ["@@ -\(i + 1),1 +\(i + 1),1 @@", "-\(a[i])", "+\(b[i])"]
            }
        }
        return out.joined(separator: "\n")
    }

    /// A removal shown as a diff.
    public static func removalDiff(path: String, old: String) -> String {
        let lines = old.split(separator: "\n", omittingEmptySubsequences: true)
        return (["--- a\(path)", "+++ /dev/null", "@@ -1,\(lines.count) +0,0 @@"] + lines.map { "-\($0)" })
            .joined(separator: "\n")
    }
}
