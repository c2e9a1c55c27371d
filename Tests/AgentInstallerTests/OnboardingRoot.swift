import AgentSupport
import TestSupport

@testable import AgentInstaller

/// A temporary host tree with what an installed omsagent package provides for onboarding: users and groups,
/// the sysconf templates (minimal, with the contract's placeholders), rsyslog, scx-release and installinfo.
final class OnboardingRoot: @unchecked Sendable {
    let dir = TemporaryDirectory(prefix: "onboard-root")
    let root: HostRoot
    static let uid: UInt32 = 4998, gid: UInt32 = 4997

    init(rsyslog: Bool = true) throws {
        try dir.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nomsagent:x:\(Self.uid):\(Self.gid)::/var/opt/microsoft/omsagent/run:/bin/bash\n")
        try dir.write("etc/group", "root:x:0:\nomiusers:x:\(Self.gid):omsagent\nomsagent:x:4996:\n")
        try dir.write("etc/hostname", "testhost\n")
        let s = "etc/opt/microsoft/omsagent/sysconf"
        try dir.write("\(s)/omsagent.conf", "@include %CONF_DIR_WS%/omsagent.d/*.conf\n<system>\n  log_level info\n</system>\n# state %STATE_DIR_WS% tmp %TMP_DIR_WS% run %RUN_DIR_WS% log %LOG_DIR_WS% cert %CERT_DIR_WS%\n")
        try dir.write("\(s)/omsagent.d/syslog.conf", "<source>\n  type syslog\n  port %SYSLOG_PORT%\n  bind 127.0.0.1\n  protocol_type udp\n  tag oms.syslog\n</source>\n")
        try dir.write("\(s)/omsagent.d/monitor.conf", "<source>\n  type monitor_agent\n  port %MONITOR_AGENT_PORT%\n</source>\n")
        for f in ["heartbeat.conf", "telemetry.conf", "operation.conf"] {
            try dir.write("\(s)/omsagent.d/\(f)", "# \(f) state %STATE_DIR_WS%\n")
        }
        try dir.write("\(s)/omsagent.d/omi_mapping.json", "[]\n")
        try dir.write("\(s)/rsyslog.conf", "# OMS Syslog collection for workspace %WORKSPACE_ID%\nkern.warning       @127.0.0.1:%SYSLOG_PORT%\nuser.warning       @127.0.0.1:%SYSLOG_PORT%\n")
        try dir.write("\(s)/syslog-ng.conf", "#OMS_Destination\ndestination d_oms_%WORKSPACE_ID% { udp(\"127.0.0.1\" port(%SYSLOG_PORT%)); }; #%WORKSPACE_ID%_oms\nlog { source(%SOURCE%); destination(d_oms_%WORKSPACE_ID%); }; #%WORKSPACE_ID%_oms\n")
        try dir.write("\(s)/logrotate.conf", "/var/opt/microsoft/omsagent/%WORKSPACE_ID%/log/omsagent.log {\n    rotate 10\n    size 100M\n    compress\n    copytruncate\n}\n")
        try dir.write("\(s)/omsagent.systemd", "[Unit]\nDescription=Operations Management Suite agent\nAfter=network.target\nWants=omid.service\n\n[Service]\nType=simple\nUser=omsagent\nGroup=omiusers\nEnvironmentFile=/etc/opt/microsoft/omsagent/omsagent.env\nExecStart=/opt/microsoft/omsagent/bin/omsagent -d %RUN_DIR_WS%/omsagent.pid -o %LOG_DIR_WS%/omsagent.log -c %CONF_DIR_WS%/omsagent.conf --no-supervisor\nExecStop=/bin/rm -f %RUN_DIR_WS%/omsagent.pid\nKillMode=process\nRestart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n")
        try dir.write("\(s)/installinfo.txt", "1.19.0-0 20240101 Release_Build\n")
        try dir.write("etc/opt/microsoft/scx/conf/scx-release", "OSName=Debian\nOSVersion=12\nOSManufacturer=Debian Project\n")
        try dir.mkdir("opt/microsoft/omsagent/bin")
        try dir.mkdir("var/opt/microsoft")
        try dir.mkdir("usr/lib/systemd/system")
        if rsyslog {
            try dir.write("etc/rsyslog.conf", "# host rsyslog\n")
            try dir.mkdir("etc/rsyslog.d")
        }
        root = try HostRoot(dir.path)
    }

    func path(_ hostPath: String) -> String { dir.path + hostPath }

    /// Mode and owner of a host path (not following a final link).
    func attributes(_ hostPath: String) -> (mode: UInt32, uid: UInt32, gid: UInt32)? {
        FileIO.attributes(path(hostPath)).map { ($0.mode, $0.uid, $0.gid) }
    }

    /// Every path under `hostPath` with its attributes (for before/after snapshots), file contents included.
    func snapshot(_ hostPath: String = "/") -> [String: String] {
        var out: [String: String] = [:]
        func walk(_ p: String) {
            let real = path(p == "/" ? "" : p)
            guard let a = FileIO.attributes(real), let k = FileIO.kind(real, followLinks: false) else { return }
            var v = "\(k) \(String(a.mode, radix: 8)) \(a.uid):\(a.gid)"
            if k == .regular { v += " " + (FileIO.read(real).map { String(decoding: $0, as: UTF8.self) } ?? "?") }
            if k == .symlink { v += " -> " + (HostRootLink.read(real) ?? "?") }
            out[p] = v
            if k == .directory { for n in FileIO.list(real) { walk((p == "/" ? "" : p) + "/" + n) } }
        }
        walk(hostPath)
        return out
    }
}
