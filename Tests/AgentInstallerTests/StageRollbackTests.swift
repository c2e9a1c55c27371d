import AgentInstaller
import AgentSupport
import Preflight
import Synchronization
import Testing
import TestSupport

/// A failing stage rolls back this run's new packages; a held lock stops the run with 55; uninstall leftovers.
@Suite struct StageRollbackTests {
    @Test("a failing omsagent postinst: exit 17 with dpkg's lines, omsagent, scx and omi purged in reverse")
    func failingMaintainerScript() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle(environment: ["FAIL_SCRIPT": "omsagent.postinst"], tag: "-fail")
        let outcome = try await r.install(bundle)
        #expect(outcome.exitCode == 17, "\(outcome)")
        #expect(outcome.reason == "omsagent-stage-failed")
        #expect(outcome.failedStage == "omsagent")
        #expect(outcome.errorLines.contains { $0.contains("dpkg") }, "\(outcome.errorLines)")
        #expect(outcome.rolledBack == ["purged omsagent", "purged scx", "purged omi"])
        #expect(outcome.notUndone.isEmpty)
        #expect(try await r.dpkgQuery().isEmpty)
        let log = r.maintainerLog
        let postrm = log.filter { $0.contains(" postrm purge") }.map { String($0.split(separator: " ")[0]) }
        #expect(postrm == ["omsagent", "scx", "omi"])
        #expect(!log.contains { $0.hasPrefix("omsconfig ") })
        #expect(!r.dir.exists("root/opt/omi/bin/service_control"))
        let receipt = try #require(InstallReceipt.read(root: r.root))
        #expect(receipt.exitCode == 17 && receipt.packages.isEmpty)
    }

    @Test("a failing upgrade is reported as not undoable")
    func failingUpgrade() async throws {
        let r = try InstallRoot()
        #expect(try await r.install(try await r.bundle()).exitCode == 0)
        let bad = try await r.bundle("1.14.20-0", environment: ["FAIL_SCRIPT": "omsconfig.postinst"], tag: "-fail")
        let cron = "root/etc/cron.d/OMSConsistencyInvoker"
        let syslog = "root/etc/opt/microsoft/omsagent/conf/omsagent.d/syslog.conf"
        try r.dir.write(cron, "*/15 * * * * omsagent /opt/microsoft/omsconfig/Scripts/OMS_MetaConfigHelper.py\n")
        try r.dir.write(syslog, "<source>\n  type syslog\n  protocol_type tcp\n</source>\n", mode: 0o640)
        let cronBefore = r.dir.read(cron)
        let syslogBefore = r.dir.read(syslog)
        let plan = try await r.plan(bad)
        let files = plan.steps.filter { $0.path != nil }
        #expect(files.map(\.action) == [.removeFile, .editFile, .removeFile, .createFile])
        #expect(files[1].diff?.contains("-  protocol_type tcp\n+  protocol_type udp") == true)
        let outcome = await InstallRun.execute(plan, context: .init())
        #expect(r.dir.read(cron) == cronBefore)
        #expect(r.dir.read(syslog) == syslogBefore)
        #expect(FileIO.attributes(r.dir.url(syslog)).map { $0.mode & 0o777 } == 0o640)
        #expect(outcome.rolledBack.contains("restored \(PlanFileEdits.consistencyInvokerCron)"))
        #expect(outcome.rolledBack.contains("restored \(PlanFileEdits.syslogConf)"))
        #expect(outcome.exitCode == 18, "\(outcome)")
        #expect(outcome.notUndone.count == 4)
        #expect(outcome.notUndone.contains { $0.hasPrefix("omi: upgrade from 1.6.10.2 to 1.6.11-0") })
        #expect(try await r.dpkgQuery()["omsconfig"] == nil)
        #expect(outcome.changed)
    }

    @Test("a held dpkg lock: the holder is named, then 55 and nothing installed")
    func heldLock() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        let plan = try await r.plan(bundle)
        try r.dir.write("root/var/lib/dpkg/lock-frontend", "")
        let holder = try await BackgroundProgram.lockHolder(on: r.dir.url("root/var/lib/dpkg/lock-frontend"), in: r.dir)
        let lines = LineSink()
        // A 4 s wait reported every 0.5 s: at least two reports even when a full test run wakes the 0.2 s polls late.
        let outcome = await InstallRun.execute(plan, context: .init(lockTimeout: .seconds(4),
                                                                    lockReportEvery: .milliseconds(500),
                                                                    progress: { lines.append($0) }))
        try BackgroundProgram.release(in: r.dir)
        #expect(outcome.exitCode == 55)
        #expect(outcome.message.contains("pid \(holder.pid) (/usr/bin/python3 \(r.dir.url("hold-lock.py"))"), "\(outcome.message)")
        #expect(lines.all.count >= 2)
        #expect(lines.all.first?.contains("hold-lock.py") == true)
        #expect(try await r.dpkgQuery().isEmpty)
        #expect(r.maintainerLog.isEmpty)
        _ = await holder.finished()
    }

    @Test("remove keeps workspace configuration and certificates; purge deletes the trees; twice is harmless")
    func removeAndPurge() async throws {
        for purge in [false, true] {
            let r = try InstallRoot()
            #expect(try await r.install(try await r.bundle()).exitCode == 0)
            let ws = "etc/opt/microsoft/omsagent/0a1b2c3d-0000-4000-8000-000000000001"
            try r.dir.write("root/\(ws)/conf/omsadmin.conf", "WORKSPACE_ID=x\n")
            try r.dir.write("root/\(ws)/certs/oms.crt", "cert\n")
            try r.dir.write("root/etc/cron.d/OMSConsistencyInvoker", "x\n")
            let outcome = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: purge)
            #expect(outcome.exitCode == 0, "\(outcome)")
            #expect(outcome.receiptBundleVersion == "1.14.19.0")
            #expect(!r.dir.exists("root/var/lib/agent-installer/receipt.json"))
            #expect(try await r.dpkgQuery().isEmpty)
            #expect(outcome.packages["omi"] == "purged")
            #expect(outcome.packages["omsagent"] == (purge ? "purged" : "removed"))
            #expect(!r.dir.exists("root/etc/cron.d/OMSConsistencyInvoker"))
            #expect(r.dir.exists("root/\(ws)/conf/omsadmin.conf") == !purge)
            #expect(r.dir.exists("root/\(ws)/certs/oms.crt") == !purge)
            #expect(!r.dir.exists("root/etc/opt/omi"))
            if purge {
                for gone in ["etc/opt/microsoft", "opt/microsoft", "var/opt/microsoft", "etc/opt", "var/opt", "opt/omi"] {
                    #expect(!r.dir.exists("root/" + gone), "\(gone)")
                }
            }
            let log = r.maintainerLog.filter { $0.contains(" prerm ") }.map { String($0.split(separator: " ")[0]) }
            #expect(log == ["omsconfig", "omsagent", "scx", "omi"])
            let again = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: purge)
            #expect(again.exitCode == 0 && !again.changed, "\(again)")
        }
    }
}

extension StageRollbackTests {
    @Test("with lad-mdsd installed, remove keeps omsagent, scx and omi; purge keeps omi and scx and fails unless forced")
    func consumerKeepsAgent() async throws {
        let r = try InstallRoot()
        #expect(try await r.install(try await r.bundle()).exitCode == 0)
        try r.dir.write("lad/DEBIAN/control", "Package: lad-mdsd\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.com>\nDescription: stand-in\n")
        #expect(try await Oracle.run(["dpkg-deb", "--build", r.dir.url("lad"), r.dir.url("lad.deb")]).succeeded)
        let add = try await Oracle.run(["dpkg", "--root", r.root.path, "--force-script-chrootless",
                                        "--log=\(r.root.path)/var/log/dpkg.log", "--install", r.dir.url("lad.deb")])
        #expect(add.succeeded, "\(add.standardError)")
        let remove = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: false)
        #expect(remove.packages["omsconfig"] == "removed")
        #expect(remove.packages["omsagent"]?.hasPrefix("kept") == true)
        #expect(remove.packages["omi"]?.hasPrefix("kept") == true && remove.packages["scx"]?.hasPrefix("kept") == true)
        #expect(try await r.dpkgQuery().keys.sorted() == ["lad-mdsd", "omi", "omsagent", "scx"])
        let purge = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: true)
        #expect(purge.notes.contains { $0.contains("PURGE WARNING") })
        #expect(purge.exitCode == 1, "a purge that keeps omi and scx for lad-mdsd is not a success")
        #expect(purge.packages["omi"]?.contains("--force") == true && purge.packages["scx"]?.hasPrefix("kept") == true)
        #expect(purge.packages["omsagent"] == "purged")
        #expect(try await r.dpkgQuery().keys.sorted() == ["lad-mdsd", "omi", "scx"])
        #expect(r.dir.exists("root/etc/opt/omi") && r.dir.exists("root/opt/microsoft/scx"))
        let forced = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: true, force: true)
        #expect(forced.exitCode == 0, "\(forced)")
        #expect(forced.packages["omi"] == "purged" && forced.packages["scx"] == "purged")
        #expect(try await r.dpkgQuery().keys.sorted() == ["lad-mdsd"])
        #expect(!r.dir.exists("root/etc/opt/omi"))
    }
}

extension StageRollbackTests {
    @Test("a failing omsconfig prerm: every package's outcome is reported, nothing dpkg refuses is lost, exit 1")
    func uninstallLeftovers() async throws {
        let r = try InstallRoot()
        #expect(try await r.install(try await r.bundle()).exitCode == 0)
        try r.failScript("omsconfig.prerm", once: false)
        let outcome = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: false)
        #expect(outcome.exitCode == 1, "\(outcome)")
        for name in InstallPlan.packageOrder {
            #expect(outcome.packages[name]?.hasPrefix("failed") == true, "\(name): \(outcome.packages[name] ?? "-")")
        }
        let raw = try await Oracle.output(["dpkg-query", "--admindir=\(r.root.path)/var/lib/dpkg", "-W", "-f=${Package} ${db:Status-Abbrev}\n"])
        // Still installed (status "i"), only their selection says remove/purge.
        let stillInstalled = raw.split(separator: "\n").filter { $0.split(separator: " ").count > 1 && $0.split(separator: " ")[1].dropFirst().hasPrefix("i") }
        #expect(stillInstalled.map { String($0.split(separator: " ")[0]) }.sorted() == ["omi", "omsagent", "omsconfig", "scx"], "\(raw)")
        #expect(outcome.packages["omsconfig"]?.contains("pre-removal script") == true, "\(outcome.packages)")
        #expect(outcome.packages["omsagent"]?.contains("dependency problems") == true, "\(outcome.packages)")
        #expect(r.dir.exists("root/var/lib/agent-installer/receipt.json"))
    }
}

/// Collects progress lines from a `@Sendable` callback.
final class LineSink: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
