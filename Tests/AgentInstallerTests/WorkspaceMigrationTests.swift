import AgentSupport
import Testing
import TestSupport

@testable import AgentInstaller

/// The legacy (pre-multi-homing) layout moved into `ETC/<ws>` and `VAR/<ws>` (`omsadmin.sh -U`), on temporary roots.
@Suite("Legacy workspace migration")
struct WorkspaceMigrationTests {
    static let ws = WorkspaceLayoutTests.ws1
    static let etc = "etc/opt/microsoft/omsagent", v = "var/opt/microsoft/omsagent"

    /// A legacy host: real `ETC/conf`, `ETC/certs`, `VAR/{tmp,run,state,log}`, `ETC/conf/proxy.conf`, the old unit.
    static func legacyRoot() throws -> (OnboardingRoot, String) {
        let r = try OnboardingRoot()
        var conf = OmsAdminConf(workspaceID: ws, agentGUID: AgentGUID.random().value, urlTLD: "opinsights.azure.com")
        conf.dscEndpoint = "https://x/Accounts/\(ws)/Nodes(AgentId='a')"
        let text = try conf.render()
        try r.dir.write("\(etc)/conf/omsadmin.conf", text)
        try r.dir.write("\(etc)/conf/omsagent.conf", "@include /etc/opt/microsoft/omsagent/conf/omsagent.d/*.conf\n")
        try r.dir.write("\(etc)/conf/omsagent.d/syslog.conf", "<source>\n  type syslog\n  port 25230\n</source>\n")
        try r.dir.write("\(etc)/conf/omsagent.d/custom.conf",
                        "pos_file /var/opt/microsoft/omsagent/state/custom.pos\nother /var/opt/microsoft/omsagent/statefile\n")
        try r.dir.write("\(etc)/conf/proxy.conf", "http://proxy.example:3128", mode: 0o644)
        try r.dir.write("\(etc)/certs/oms.key", "KEY")
        try r.dir.write("\(etc)/certs/oms.crt", "CERT")
        try r.dir.write("\(v)/state/buffer.dat", "data")
        try r.dir.write("\(v)/log/omsagent.log", "log\n")
        try r.dir.mkdir("\(v)/tmp")
        try r.dir.mkdir("\(v)/run")
        try r.dir.write("usr/lib/systemd/system/omsagent.service", "[Unit]\nDescription=legacy\n")
        return (r, text)
    }

    @Test("legacy layout → per-workspace: contents kept, paths rewritten at boundaries, links, proxy.conf, unit")
    func migrate() async throws {
        let (r, adminText) = try Self.legacyRoot()
        let ctx = InstallContext(root: r.root)
        let result = try await WorkspaceMigration.migrate(context: ctx)
        #expect(result.migrated && result.workspace == Self.ws)
        let w = "\(Self.etc)/\(Self.ws)", vw = "\(Self.v)/\(Self.ws)"
        #expect(r.dir.read("\(w)/conf/omsadmin.conf") == adminText)
        #expect(r.dir.read("\(w)/certs/oms.key") == "KEY" && r.attributes("/\(w)/certs/oms.key")?.mode == 0o640)
        #expect(r.dir.read("\(vw)/state/buffer.dat") == "data" && r.dir.read("\(vw)/log/omsagent.log") == "log\n")
        #expect(r.dir.read("\(w)/conf/omsagent.d/custom.conf")
                == "pos_file /var/opt/microsoft/omsagent/\(Self.ws)/state/custom.pos\nother /var/opt/microsoft/omsagent/statefile\n")
        #expect(r.dir.read("\(w)/conf/omsagent.d/syslog.conf")?.contains("  port 25230\n") == true)
        #expect(r.dir.read("\(w)/conf/omsagent.conf")?.hasPrefix("@include /\(w)/conf/omsagent.d/*.conf\n") == true)
        for (link, target) in AgentPaths.primaryLinks(Self.ws) {
            #expect(HostRootLink.read(r.path(link)) == target, "\(link)")
        }
        #expect(r.dir.read("\(Self.etc)/proxy.conf") == "http://proxy.example:3128")
        let proxy = try #require(r.attributes(AgentPaths.proxyConf))
        #expect(proxy.mode == 0o600 && proxy.uid == OnboardingRoot.uid)
        #expect(!r.dir.exists("usr/lib/systemd/system/omsagent.service"))
        #expect(r.dir.exists("usr/lib/systemd/system/omsagent-\(Self.ws).service"))
        #expect(result.hostCommands.first == "systemctl disable --now omsagent")
        #expect(await WorkspaceInventory.read(context: ctx).text
                == "Primary Workspace: \(Self.ws)    Status: Warning(OMSAgent Registered, Not Running)\n")
        // Idempotent: the new layout has nothing to migrate.
        let healthy = r.snapshot()
        #expect(try await WorkspaceMigration.migrate(context: ctx).migrated == false)
        #expect(r.snapshot() == healthy)
    }

    @Test("a failure restores the legacy layout exactly; an unusable omsadmin.conf is exit 1 with nothing changed")
    func failures() async throws {
        let (r, _) = try Self.legacyRoot()
        try r.dir.mkdir("etc/logrotate.d/omsagent-\(Self.ws)/blocker")
        let before = r.snapshot()
        await #expect(throws: AgentError.self) { try await WorkspaceMigration.migrate(context: InstallContext(root: r.root)) }
        #expect(r.snapshot() == before)

        try r.dir.write("\(Self.etc)/conf/omsadmin.conf", "")
        let broken = r.snapshot()
        let out = try await Oracle.run([OnboardingCLITests.binary, "workspace", "migrate", "--root", r.dir.path])
        #expect(out.status == 1 && out.standardError.contains("fresh onboarding"))
        #expect(r.snapshot() == broken)

        let (ok, _) = try Self.legacyRoot()
        let cli = try await Oracle.run([OnboardingCLITests.binary, "workspace", "migrate", "--root", ok.dir.path])
        #expect(cli.status == 0 && cli.standardOutput.hasPrefix("migrated the legacy workspace \(Self.ws)"), "\(cli.standardError)")
    }
}
