import AgentSupport

/// The file changes of the package stages (contract §7 stages 3–9), as data: which file, what changes, and
/// the unified diff a plan shows for it.
public enum PlanFileEdits {
    /// Stages 3 and 4: a stale `scxadmin` deleted before scx is added.
    public static let scxadmin = "/usr/sbin/scxadmin"
    /// Stage 4: scx's own uninstaller, run (live host) instead of removing the packages one by one.
    public static let scxUninstall = "/opt/microsoft/scx/bin/uninstall"
    /// Stage 4: the packages removed one by one when scx's uninstaller is absent, in order.
    public static let retryRemovals = ["apache-cimprov", "mysql-cimprov", "scx", "omi"]
    /// Stage 6: any of these under the root means Cylance is installed.
    public static let cylanceMarkers = ["/etc/init.d/cylance", "/etc/init.d/cylancesvc", "/opt/cylance"]
    /// Stage 6: the daemon's environment file whose `LD_PRELOAD=` is commented out next to Cylance.
    public static let omsagentEnv = "/etc/opt/microsoft/omsagent/omsagent.env"
    /// Stage 9: the fluentd source of the consistency invoker, replaced by the cron job.
    public static let consistencyInvokerConf = "/etc/opt/microsoft/omsagent/conf/omsagent.d/omsconfig.consistencyinvoker.conf"
    /// Stage 9: plugin files older omsconfig packages left behind (upstream's nxOMSPlugin hotfix).
    public static let staleDSCPlugins: [String] = {
        let sudoLog = "/opt/microsoft/omsconfig/modules/nxOMSSudoCustomLog/DSCResources/MSFT_nxOMSSudoCustomLogResource/CustomLog/Plugin/"
        let common = "/opt/microsoft/omsconfig/modules/nxOMSPlugin/DSCResources/MSFT_nxOMSPluginResource/Plugins/Common/plugin/"
        return ["in_sudo_tail.rb", "tailfilereader.rb"].map { sudoLog + $0 }
            + ["agent_common.rb", "agent_telemetry_script.rb", "blocklock.rb", "heartbeat_lib.rb", "in_agent_telemetry.rb",
               "in_oms_omi.rb", "oms_common.rb", "oms_configuration.rb", "oms_diag_lib.rb", "oms_omi_lib.rb", "out_oms.rb",
               "out_oms_blob.rb", "out_oms_diag.rb"].map { common + $0 }
    }()

    /// Stage 9 (§10.12): the consistency invoker's cron line for minute `a` (2…14) of each quarter hour.
    public static func consistencyInvokerCronLine(minute a: Int) -> String {
        "\(a),\(a + 15),\(a + 30),\(a + 45) * * * * omsagent /opt/omi/bin/OMSConsistencyInvoker >/dev/null 2>&1\n"
    }

    /// Stage 6's edit: `LD_PRELOAD=` at the start of a line becomes `#LD_PRELOAD=`.
    public static func commentOutPreload(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("LD_PRELOAD=") ? "#" + $0 : String($0) }
            .joined(separator: "\n")
    }

    /// Applies `edit` to `text`.
    public static func apply(_ edit: PlanStep.FileEdit, to text: String) -> String {
        switch edit {
        case .syslogHotfix: syslogHotfix(text)
        case .commentOutPreload: commentOutPreload(text)
        }
    }

    /// A creation shown as a diff.
    public static func creationDiff(path: String, new: String) -> String {
        let lines = new.split(separator: "\n", omittingEmptySubsequences: true)
        return (["--- /dev/null", "+++ b\(path)", "@@ -0,0 +1,\(lines.count) @@"] + lines.map { "+\($0)" })
            .joined(separator: "\n")
    }

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
