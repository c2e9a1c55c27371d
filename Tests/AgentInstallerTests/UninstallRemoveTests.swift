import AgentInstaller
import AgentSupport
import FoundationEssentials
import Testing
import TestSupport

/// Plain `uninstall` (contract §8, R) in a `--root` tree after a real onboarding against the stand-in service:
/// what omsagent's removal scripts would delete goes, the agent's identity stays, and a reinstall plus
/// `workspace repair` brings back the same agent GUID and certificate without a request to the service.
@Suite(.enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil))
struct UninstallRemoveTests {
    static let agentETC = "root/etc/opt/microsoft/omsagent"
    static let agentVAR = "root/var/opt/microsoft/omsagent"

    /// Every path under `dir` (relative, sorted), from `find` (the oracle), skipping nothing.
    static func listing(_ t: InstallCLITests.Tree, _ dir: String) async throws -> [String] {
        guard t.dir.exists(dir) else { return [] }
        let out = try await Oracle.output(["find", t.dir.url(dir), "-mindepth", "1", "-printf", "%P %y\n"])
        return out.split(separator: "\n").map(String.init).sorted()
    }

    @Test("uninstall keeps omsadmin.conf, certs and VAR/<ws>/{run,log}; reinstall + workspace repair restores the identity offline")
    func removeThenRepair() async throws {
        let cli = InstallCLITests()
        let t = try await cli.tree()
        // A host with systemd units and the rsyslog drop-in layout, so onboarding writes both.
        try t.dir.mkdir("root/usr/lib/systemd/system")
        try t.dir.mkdir("root/etc/rsyslog.d")
        if !t.dir.exists("root/etc/rsyslog.conf") { try t.dir.write("root/etc/rsyslog.conf", "# host rsyslog\n") }
        let ws = TestEnvironment.value("AGENT_TEST_WORKSPACE_ID") ?? ""
        let key = TestEnvironment.value("AGENT_TEST_WORKSPACE_KEY") ?? ""
        let onboard = ["-w", ws, "--key-stdin", "--format", "json",
                       "--endpoint", TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") ?? "",
                       "--cacert", TestEnvironment.value("AGENT_TEST_CA") ?? ""]
        let installed = try await Oracle.run([BundleCLITests.binary, "install", "--bundle", t.bundle, "--root", t.root] + onboard,
                                             input: Array(key.utf8))
        #expect(installed.status == 0, "\(installed.standardError)")
        let wsDir = t.dir.exists("\(Self.agentETC)/\(ws)") ? ws : ws.lowercased()
        let etc = "\(Self.agentETC)/\(wsDir)", varDir = "\(Self.agentVAR)/\(wsDir)"
        let adminConf = t.dir.read("\(etc)/conf/omsadmin.conf") ?? ""
        let cert = t.dir.read("\(etc)/certs/oms.crt") ?? ""
        let keyPEM = t.dir.read("\(etc)/certs/oms.key") ?? ""
        #expect(adminConf.contains("AGENT_GUID=") && cert.contains("BEGIN CERTIFICATE") && !keyPEM.isEmpty)
        let onboardingFiles = ["root/etc/logrotate.d/omsagent-\(wsDir)", "\(etc)/conf/.service_registered",
                               "root/opt/microsoft/omsagent/bin/omsagent-\(wsDir)", "\(varDir)/tmp", "\(Self.agentETC)/conf"]
        for f in onboardingFiles { #expect(t.dir.exists(f), "\(f) written by onboarding") }
        let units = try await Self.listing(t, "root/usr/lib/systemd/system") + (try await Self.listing(t, "root/lib/systemd/system"))
        #expect(units.contains { $0.contains("omsagent-\(wsDir).service") }, "\(units)")
        let syslogBefore = try await Self.listing(t, "root/etc/rsyslog.d")
        #expect(syslogBefore.contains("95-omsagent.conf f"), "\(syslogBefore)")
        // The receipt lists what the onboarding wrote after the packages' files, and times it.
        let receipt = try #require(InstallReceipt.read(root: try HostRoot(t.root)))
        #expect(receipt.phases.map(\.name) == ["lock", "packages", "onboarding"] && receipt.changed)
        let agentConf = "/etc/opt/microsoft/omsagent/\(wsDir)"
        for f in ["\(agentConf)/conf/omsadmin.conf", "\(agentConf)/certs/oms.crt", "\(agentConf)/certs/oms.key",
                  "/etc/logrotate.d/omsagent-\(wsDir)", PlanFileEdits.consistencyInvokerCron] {
            #expect(receipt.files.contains(f), "\(f) not in the receipt: \(receipt.files)")
        }
        #expect(Set(receipt.files).count == receipt.files.count && receipt.files.last == InstallReceipt.path)
        let guid = adminConf.split(separator: "\n").first { $0.hasPrefix("AGENT_GUID=") }.map { String($0.dropFirst(11)) } ?? ""
        // Requests carrying this agent's GUID (other tests share the service's log).
        let requestsBefore = try await OnboardingRerunTests.requests(for: guid, reaching: 1)
        #expect(requestsBefore >= 1)

        let remove = try await cli.run(["uninstall", "--root", t.root, "--format", "json"])
        #expect(remove.status == 0, "\(remove.standardError)")
        #expect(try await t.dpkgInstalled().isEmpty)

        // Exactly the identity and the workspace's own data survive under the agent's trees.
        let etcLeft = try await Self.listing(t, Self.agentETC)
        let varLeft = try await Self.listing(t, Self.agentVAR)
        // omsagent.conf and omsagent.d/* are onboarding's rendered files: upstream's post-remove keeps them too
        // (it only removes certs/ and conf/ when empty), and repair re-renders them.
        let rendered = ["conf/omsagent.conf f", "conf/omsagent.d d", "conf/omsagent.d/heartbeat.conf f",
                        "conf/omsagent.d/monitor.conf f", "conf/omsagent.d/syslog.conf f"]
        let identity = ["", "/certs d", "/certs/oms.crt f", "/certs/oms.key f", "/conf d", "/conf/omsadmin.conf f"]
            .map { $0.isEmpty ? "\(wsDir) d" : wsDir + $0 } + rendered.map { "\(wsDir)/\($0)" }
        #expect(etcLeft.filter { $0.hasPrefix(wsDir) } == identity.sorted(), "\(etcLeft)")
        #expect(varLeft == ["\(wsDir) d", "\(wsDir)/log d", "\(wsDir)/run d"], "\(varLeft)")
        #expect(etcLeft.contains("\(wsDir)/conf/omsadmin.conf f"))
        #expect(etcLeft.contains("\(wsDir)/certs/oms.crt f") && etcLeft.contains("\(wsDir)/certs/oms.key f"))
        #expect(varLeft.contains("\(wsDir)/run d") && varLeft.contains("\(wsDir)/log d"))
        #expect(!varLeft.contains { $0.hasPrefix("\(wsDir)/tmp") || $0.hasPrefix("\(wsDir)/state") }, "\(varLeft)")
        #expect(!etcLeft.contains { $0.contains(".service_registered") || $0.contains("backup") }, "\(etcLeft)")
        for link in ["conf", "certs"] { #expect(!etcLeft.contains("\(link) l")) }
        for link in ["tmp", "run", "state", "log"] { #expect(!varLeft.contains("\(link) l")) }
        for f in onboardingFiles { #expect(!t.dir.exists(f), "\(f) left after uninstall") }
        let logrotate = try await Self.listing(t, "root/etc/logrotate.d")
        #expect(!logrotate.contains { $0.hasPrefix("omsagent") })
        #expect(!t.dir.exists("root/etc/cron.d/omsagent"))
        let unitsAfter = try await Self.listing(t, "root/usr/lib/systemd/system") + (try await Self.listing(t, "root/lib/systemd/system"))
        #expect(!unitsAfter.contains { $0.contains("omsagent") }, "\(unitsAfter)")
        let syslogAfter = try await Self.listing(t, "root/etc/rsyslog.d")
        #expect(!syslogAfter.contains { $0.contains("omsagent") }, "before \(syslogBefore), after \(syslogAfter)")
        #expect(!(t.dir.read("root/etc/rsyslog.conf") ?? "").contains("OMS Syslog"))
        let again = try await cli.run(["uninstall", "--root", t.root, "--format", "json"])
        let changedAgain = try cli.changed(again.standardOutput)
        #expect(again.status == 0 && !changedAgain, "\(again.standardOutput)")

        // Reinstall (no onboarding) and repair: the same identity, no request to the service.
        let reinstall = try await cli.run(["install", "--bundle", t.bundle, "--root", t.root])
        #expect(reinstall.status == 0, "\(reinstall.standardError)")
        let repair = try await cli.run(["workspace", "repair", ws, "--root", t.root, "--format", "json"])
        #expect(repair.status == 0, "\(repair.standardOutput) \(repair.standardError)")
        #expect(t.dir.read("\(etc)/conf/omsadmin.conf") == adminConf)
        #expect(t.dir.read("\(etc)/certs/oms.crt") == cert && t.dir.read("\(etc)/certs/oms.key") == keyPEM)
        for f in onboardingFiles {
            #expect(t.dir.exists(f), "\(f) not restored by repair")
        }
        let unitsRepaired = try await Self.listing(t, "root/usr/lib/systemd/system") + (try await Self.listing(t, "root/lib/systemd/system"))
        #expect(unitsRepaired.contains { $0.contains("omsagent-\(wsDir).service") }, "\(unitsRepaired)")
        let syslogRepaired = try await Self.listing(t, "root/etc/rsyslog.d")
        #expect(syslogRepaired == syslogBefore)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await OnboardingRerunTests.requests(for: guid) == requestsBefore, "repair contacted the workspace service")
    }
}

extension InstallCLITests.Tree {
    /// Packages dpkg-query lists as installed (`ii`) in this tree.
    func dpkgInstalled() async throws -> [String] {
        let q = try await Oracle.output(["dpkg-query", "--admindir=\(root)/var/lib/dpkg", "-W", "-f=${db:Status-Abbrev} ${Package}\n"])
        return q.split(separator: "\n").filter { $0.hasPrefix("ii") }.map { String($0.split(separator: " ").last ?? "") }
    }
}
