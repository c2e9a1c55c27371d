import AgentSupport
import Testing
import TestSupport

@testable import AgentInstaller

@Suite("Workspace layout, list and removal")
struct WorkspaceLayoutTests {
    static let ws1 = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    static let ws2 = "1b2c3d4e-5f60-4a6b-8c7d-9e0f1a2b3c4e"

    static func configure(_ r: OnboardingRoot, _ ws: String, marker: String? = nil) throws -> WorkspaceConfigurator.Outcome {
        let journal = ChangeJournal(root: r.root)
        let c = try WorkspaceConfigurator(journal: journal, workspace: ws)
        var conf = OmsAdminConf(workspaceID: ws, agentGUID: AgentGUID.random().value, urlTLD: "opinsights.azure.com")
        conf.dscEndpoint = "https://x/Accounts/\(ws)/Nodes(AgentId='a')"
        let identity = WorkspaceConfigurator.Identity(keyPEM: Array("KEY".utf8), certificatePEM: Array("CERT".utf8))
        let out = try c.apply(conf: conf, identity: identity, marker: marker)
        journal.commit()
        return out
    }

    @Test("primary workspace: every path, mode and owner; six links; rendered files")
    func primaryLayout() throws {
        let r = try OnboardingRoot()
        let out = try Self.configure(r, Self.ws1)
        let o = (OnboardingRoot.uid, OnboardingRoot.gid)
        let etc = AgentPaths.etc, v = AgentPaths.varDir, w = Self.ws1
        let expected: [(String, UInt32, (UInt32, UInt32))] = [
            (v, 0o755, o), ("\(etc)/\(w)", 0o750, o), ("\(etc)/\(w)/conf", 0o750, o),
            ("\(etc)/\(w)/conf/omsagent.d", 0o750, o), ("\(etc)/\(w)/certs", 0o700, o),
            ("\(etc)/\(w)/certs/oms.key", 0o640, o), ("\(etc)/\(w)/certs/oms.crt", 0o640, o),
            ("\(etc)/\(w)/conf/omsadmin.conf", 0o644, o), ("\(etc)/\(w)/conf/omsagent.conf", 0o644, o),
            ("\(v)/\(w)", 0o750, o), ("\(v)/\(w)/tmp", 0o750, o), ("\(v)/\(w)/state", 0o750, o),
            ("\(v)/\(w)/run", 0o750, o), ("\(v)/\(w)/log", 0o750, o),
            ("/etc/rsyslog.d/95-omsagent.conf", 0o644, o), ("/etc/logrotate.d/omsagent-\(w)", 0o644, (0, 0)),
            ("/usr/lib/systemd/system/omsagent-\(w).service", 0o644, (0, 0)),
            ("/etc/cron.d/OMSConsistencyInvoker", 0o644, (0, 0)),
        ] + ["monitor.conf", "syslog.conf", "heartbeat.conf", "telemetry.conf", "operation.conf", "omi_mapping.json"]
            .map { ("\(etc)/\(w)/conf/omsagent.d/\($0)", 0o644, o) }
        for (p, mode, owner) in expected {
            let a = try #require(r.attributes(p), "\(p) missing")
            #expect(a.mode == mode, "\(p) mode \(String(a.mode, radix: 8))")
            #expect(a.uid == owner.0 && a.gid == owner.1, "\(p) owner \(a.uid):\(a.gid)")
        }
        #expect(!r.dir.exists("etc/opt/microsoft/omsagent/\(w)/conf/omsagent.d/container.conf"))
        for (link, target) in AgentPaths.primaryLinks(w) {
            #expect(HostRootLink.read(r.path(link)) == target, "\(link)")
        }
        #expect(HostRootLink.read(r.path("/opt/microsoft/omsagent/bin/omsagent-\(w)")) == "omsagent")
        // Nothing under ETC/<ws> or VAR/<ws> is world-accessible.
        for (p, v) in r.snapshot("\(etc)/\(w)").merging(r.snapshot("\(v)/\(w)"), uniquingKeysWith: { a, _ in a }) {
            let mode = UInt32(v.split(separator: " ")[1], radix: 8)!
            #expect(mode & 0o007 == 0 || p.hasSuffix(".conf") || p.hasSuffix(".json") || p.hasSuffix(".service_registered"),
                    "\(p) \(v)")
        }
        #expect(out.syslogPort == 25224)
        let syslog = try #require(r.dir.read("etc/opt/microsoft/omsagent/\(w)/conf/omsagent.d/syslog.conf"))
        #expect(syslog.contains("  port 25224\n") && !syslog.contains("%"))
        let monitor = try #require(r.dir.read("etc/opt/microsoft/omsagent/\(w)/conf/omsagent.d/monitor.conf"))
        #expect(monitor.contains("  port 25324\n"))
        let conf = try #require(r.dir.read("etc/opt/microsoft/omsagent/\(w)/conf/omsagent.conf"))
        #expect(conf.hasPrefix("@include /etc/opt/microsoft/omsagent/\(w)/conf/omsagent.d/*.conf\n") && !conf.contains("%"))
        let unit = try #require(r.dir.read("usr/lib/systemd/system/omsagent-\(w).service"))
        #expect(unit.contains("-d /var/opt/microsoft/omsagent/\(w)/run/omsagent.pid -o /var/opt/microsoft/omsagent/\(w)/log/omsagent.log -c /etc/opt/microsoft/omsagent/\(w)/conf/omsagent.conf --no-supervisor"))
        let rsyslog = try #require(r.dir.read("etc/rsyslog.d/95-omsagent.conf"))
        #expect(rsyslog.hasPrefix("# OMS Syslog collection for workspace \(w)\n") && rsyslog.contains("@127.0.0.1:25224"))
        let cron = try #require(r.dir.read("etc/cron.d/OMSConsistencyInvoker"))
        let minutes = cron.split(separator: " ")[0].split(separator: ",").compactMap { Int($0) }
        #expect(minutes.count == 4 && (2...14).contains(minutes[0]) && minutes == [0, 15, 30, 45].map { minutes[0] + $0 })
        #expect(cron.hasSuffix(" * * * * omsagent /opt/omi/bin/OMSConsistencyInvoker >/dev/null 2>&1\n"))
        let admin = try #require(r.dir.read("etc/opt/microsoft/omsagent/\(w)/conf/omsadmin.conf"))
        #expect(admin.split(separator: "\n").map { String($0.split(separator: "=")[0]) } == OmsAdminConf.keys)
    }

    @Test("secondary workspace: marker, no links, next syslog port; list output; remove one, remove all")
    func secondaryListRemove() async throws {
        let r = try OnboardingRoot()
        let ctx = InstallContext(root: r.root)
        #expect(await WorkspaceInventory.read(context: ctx).text == "No Workspace\n")
        _ = try Self.configure(r, Self.ws1)
        #expect(await WorkspaceInventory.read(context: ctx).text
                == "Primary Workspace: \(Self.ws1)    Status: Warning(OMSAgent Registered, Not Running)\n")
        let before = r.snapshot(AgentPaths.etc + "/conf")
        let out = try Self.configure(r, Self.ws2, marker: "secondary-1")
        #expect(out.syslogPort == 25225)
        #expect(r.snapshot(AgentPaths.etc + "/conf") == before)  // links untouched
        #expect(r.dir.read("etc/opt/microsoft/omsagent/\(Self.ws2)/conf/.multihoming_marker") == "secondary-1")
        try FileIO.remove(r.path(AgentPaths.Workspace(Self.ws2).serviceRegistered))
        #expect(await WorkspaceInventory.read(context: ctx).text == """
            Primary Workspace: \(Self.ws1)    Status: Warning(OMSAgent Registered, Not Running)
            Workspace(secondary-1): \(Self.ws2)    Status: Saved(OMSAgent Not Registered, Workspace Configuration Saved)

            """)
        let rsyslog = try #require(r.dir.read("etc/rsyslog.d/95-omsagent.conf"))
        #expect(rsyslog.contains("@127.0.0.1:25224") && rsyslog.contains("@127.0.0.1:25225"))

        // Remove the primary: trees, logrotate, unit, and the now dangling links go; the secondary stays.
        let removed = try await WorkspaceRemoval.remove(Self.ws1.uppercased(), context: ctx)
        #expect(removed.found)
        for p in ["etc/opt/microsoft/omsagent/\(Self.ws1)", "var/opt/microsoft/omsagent/\(Self.ws1)",
                  "etc/logrotate.d/omsagent-\(Self.ws1)", "usr/lib/systemd/system/omsagent-\(Self.ws1).service",
                  "etc/opt/microsoft/omsagent/conf", "var/opt/microsoft/omsagent/log"] {
            #expect(!r.dir.exists(p), "\(p)")
        }
        let afterRemoval = try #require(r.dir.read("etc/rsyslog.d/95-omsagent.conf"))
        #expect(!afterRemoval.contains(Self.ws1) && !afterRemoval.contains(":25224") && afterRemoval.contains(":25225"))
        #expect(await WorkspaceInventory.read(context: ctx).text
                == "Workspace(secondary-1): \(Self.ws2)    Status: Saved(OMSAgent Not Registered, Workspace Configuration Saved)\n")
        #expect(try await WorkspaceRemoval.remove(Self.ws1, context: ctx).found == false)
        let all = try await WorkspaceRemoval.removeAll(context: ctx)
        #expect(all.map(\.workspace) == [Self.ws2])
        #expect(await WorkspaceInventory.read(context: ctx).text == "No Workspace\n")
        #expect(!r.dir.exists("etc/rsyslog.d/95-omsagent.conf"))
    }

    @Test("syslog port search skips ports in the kernel tables and in other workspaces' confs")
    func portSearch() throws {
        let r = try OnboardingRoot()
        // 0x6268 = 25192, 0x6288 = 25224, 0x6289 = 25225
        try r.dir.write("proc/net/udp", "  sl  local_address rem_address   st\n   0: 00000000:6288 00000000:0000 07\n")
        try r.dir.write("proc/net/tcp6", "  sl  local_address rem_address   st\n   0: 00000000000000000000000000000000:6289 0:0 0A\n")
        try r.dir.write("etc/opt/microsoft/omsagent/\(Self.ws2)/conf/omsagent.d/x.conf", "  port 25226\n")
        #expect(SyslogPort.choose(root: r.root, workspace: Self.ws1) == 25227)
    }

    @Test("syslog-ng wiring and unwiring with the workspace markers")
    func syslogNG() async throws {
        let r = try OnboardingRoot(rsyslog: false)
        try r.dir.write("etc/syslog-ng/syslog-ng.conf", "source s_src { system(); };\n")
        let out = try Self.configure(r, Self.ws1)
        #expect(out.syslog?.daemon == "syslog-ng")
        let ng = try #require(r.dir.read("etc/syslog-ng/syslog-ng.conf"))
        #expect(ng.contains("port(25224)") && ng.contains("source(s_src)") && ng.contains("#\(Self.ws1)_oms"))
        _ = try await WorkspaceRemoval.remove(Self.ws1, context: InstallContext(root: r.root))
        #expect(r.dir.read("etc/syslog-ng/syslog-ng.conf")?.contains("_oms") == false)
    }

    @Test("a failing step rolls back every change of the run")
    func rollback() throws {
        let r = try OnboardingRoot()
        _ = try Self.configure(r, Self.ws1)
        let before = r.snapshot()
        let journal = ChangeJournal(root: r.root)
        let c = try WorkspaceConfigurator(journal: journal, workspace: Self.ws2)
        // Make the logrotate step fail after many files were written: a directory where the file goes.
        try r.dir.mkdir("etc/logrotate.d/omsagent-\(Self.ws2)/x")
        let withBlocker = r.snapshot()
        var conf = OmsAdminConf(workspaceID: Self.ws2, agentGUID: AgentGUID.random().value, urlTLD: "opinsights.azure.com")
        conf.uuid = "u"
        #expect(throws: AgentError.self) {
            _ = try c.apply(conf: conf, identity: .init(keyPEM: [1], certificatePEM: [2]), marker: nil)
        }
        journal.rollback()
        #expect(r.snapshot() == withBlocker)
        #expect(before.count + 2 == withBlocker.count)
    }
}
