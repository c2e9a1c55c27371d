import AgentInstaller
import AgentSupport
import Preflight
import Testing
import TestSupport

/// Executing the install plan with the real dpkg into temporary roots (never the host's database or log).
@Suite struct StageInstallTests {
    @Test("fresh install: packages in contract order, versions as dpkg-query reports, receipt written")
    func freshInstall() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        let outcome = try await r.install(bundle)
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(outcome.changed)
        let query = try await r.dpkgQuery()
        #expect(query == ["omi": "1.6.10.2", "scx": "1.6.10.1", "omsagent": "1.14.19-0", "omsconfig": "1.1.1-932"])
        let preinst = r.maintainerLog.filter { $0.contains(" preinst ") }.map { String($0.split(separator: " ")[0]) }
        #expect(preinst == ["omi", "scx", "omsagent", "omsconfig"])
        let configured = r.maintainerLog.filter { $0.contains(" postinst configure") }.map { String($0.split(separator: " ")[0]) }
        #expect(configured == ["omi", "scx", "omsagent", "omsconfig"])
        let receipt = try #require(InstallReceipt.read(root: r.root))
        #expect(receipt.packages == query)
        #expect(receipt.bundleSHA256 == bundle.sha256)
        #expect(receipt.packageManager == .dpkg && receipt.bundleVersion == bundle.version)
        #expect(receipt.newlyInstalled == ["omi", "scx", "omsagent", "omsconfig"])
        #expect(receipt.notRun.first == "/opt/omi/bin/service_control reload")
        #expect(receipt.notRun.count == 4 && receipt.notRun[1] == "/opt/omi/bin/service_control restart", "\(receipt.notRun)")
        #expect(receipt.notRun[2].contains("docker-cimprov") && receipt.notRun[3].contains("auoms"))
        #expect(receipt.phases.map(\.name) == ["lock", "packages"])
        #expect(r.dir.exists("root/var/log/dpkg.log"))
    }

    @Test("re-running the same bundle changes nothing and says so")
    func sameVersionReRun() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        _ = try await r.install(bundle)
        let logBefore = r.maintainerLog
        let dpkgLogBefore = r.dir.read("root/var/log/dpkg.log")
        let plan = try await r.plan(bundle)
        #expect(plan.steps.filter { InstallPlan.packageOrder.contains($0.component) }.allSatisfy { $0.action == .skip })
        #expect(!plan.changesPackages)
        let again = await InstallRun.execute(plan, context: .init())
        #expect(again.exitCode == 0)
        #expect(!again.changed)
        #expect(again.message.contains("nothing to change"))
        #expect(r.maintainerLog == logBefore)
        #expect(r.dir.read("root/var/log/dpkg.log") == dpkgLogBefore)
    }

    @Test("upgrade to the newer bundle, then the older one is refused unless forced")
    func upgradeDowngrade() async throws {
        let r = try InstallRoot()
        let old = try await r.bundle("1.14.19-0")
        let new = try await r.bundle("1.14.20-0")
        #expect(try await r.install(old).exitCode == 0)
        try r.dir.write("root/etc/cron.d/OMSConsistencyInvoker", "x\n")
        try r.dir.write("root/etc/opt/microsoft/omsagent/conf/omsagent.d/syslog.conf", "  protocol_type tcp\n  port 25224\n")
        let upgradePlan = try await r.plan(new)
        let actions = upgradePlan.steps.filter { InstallPlan.packageOrder.contains($0.component) && $0.path == nil }.map(\.action)
        #expect(actions == [.upgrade, .upgrade, .upgrade, .remove, .upgrade])  // stage 8 removes the old omsconfig first
        // stage 5 cron removal, stage 7 syslog hotfix, stage 9 invoker conf removal and cron creation
        #expect(upgradePlan.steps.filter { $0.path != nil }.map(\.action) == [.removeFile, .editFile, .removeFile, .createFile])
        #expect(upgradePlan.steps.first { $0.component == "omi" }?.installed == "1.6.10.2")
        let up = await InstallRun.execute(upgradePlan, context: .init())
        #expect(up.exitCode == 0, "\(up)")
        let upgraded = try await r.dpkgQuery()
        #expect(upgraded["omi"] == "1.6.11.0" && upgraded["omsagent"] == "1.14.20-0" && upgraded["omsconfig"] == "1.1.1-933")
        // stage 5 removed the old cron job, stage 9 wrote the §10.12 one
        let cronLine = try #require(r.dir.read("root/etc/cron.d/OMSConsistencyInvoker"))
        #expect(cronLine == upgradePlan.steps.first { $0.action == .createFile }?.content)
        #expect(r.dir.read("root/etc/opt/microsoft/omsagent/conf/omsagent.d/syslog.conf") == "  protocol_type udp\n  port 25224\n")
        let receipt = try #require(InstallReceipt.read(root: r.root))
        #expect(receipt.files == [PlanFileEdits.consistencyInvokerCron, PlanFileEdits.syslogConf, InstallReceipt.path])
        #expect(!FileIO.list(r.dir.url("root/etc/cron.d")).contains { $0.contains("backup") })  // committed

        let refusedPlan = try await r.plan(old)
        #expect(refusedPlan.steps.first { $0.component == "omi" }?.action == .refuse)
        #expect(refusedPlan.steps.first { $0.component == "omsagent" }?.action == .refuse)
        let refused = await InstallRun.execute(refusedPlan, context: .init())
        #expect(!refused.changed)
        #expect(try await r.dpkgQuery() == upgraded)

        let forcedPlan = try await r.plan(old, options: InstallOptions(force: true))
        #expect(forcedPlan.steps.first { $0.component == "omi" }?.action == .downgrade)
        #expect(!(forcedPlan.steps.first { $0.component == "omi" }?.command.contains("--refuse-downgrade") ?? true))
        let forced = await InstallRun.execute(forcedPlan, context: .init())
        #expect(forced.exitCode == 0, "\(forced)")
        #expect(try await r.dpkgQuery() == ["omi": "1.6.10.2", "scx": "1.6.10.1", "omsagent": "1.14.19-0", "omsconfig": "1.1.1-932"])
    }

    @Test("--install with omi present stops with 23 before any change")
    func existingAgent() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        #expect(try await r.install(bundle).exitCode == 0)
        let logBefore = r.maintainerLog
        let outcome = try await r.install(bundle, options: InstallOptions(mode: .install, force: true))
        #expect(outcome.exitCode == 23)
        #expect(outcome.reason == "existing-agent")
        #expect(r.maintainerLog == logBefore)
    }

    @Test("omsconfig is skipped without python; the docker kit is skipped on request")
    func skips() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        let plan = try await r.plan(bundle, options: InstallOptions(skipDockerProvider: true), dscUsable: false)
        let dsc = try #require(plan.steps.first { $0.component == "omsconfig" })
        #expect(dsc.action == .skip && dsc.reason.contains("python"))
        let docker = try #require(plan.steps.first { $0.component == "kit:docker" })
        #expect(docker.action == .skip && docker.reason.contains("skip-docker"))
        let outcome = await InstallRun.execute(plan, context: .init())
        #expect(outcome.exitCode == 0)
        #expect(try await r.dpkgQuery().keys.sorted() == ["omi", "omsagent", "scx"])
        let unskipped = try await r.plan(bundle)
        #expect(unskipped.steps.first { $0.component == "kit:docker" }?.action == .liveHostOnly)
    }

    @Test("the dpkg commands carry the root, chrootless scripts and a log inside the root")
    func commands() async throws {
        let r = try InstallRoot()
        let plan = try await r.plan(try await r.bundle())
        #expect(plan.steps.first?.action == .check)
        let omi = try #require(plan.steps.first { $0.component == "omi" })
        #expect(Array(omi.command.prefix(8)) == ["dpkg", "--root", r.root.path, "--force-script-chrootless",
                                                 "--log=\(r.root.path)/var/log/dpkg.log", "--force-confold",
                                                 "--force-confdef", "--install"])
        #expect(omi.command.suffix(2).first == "--refuse-downgrade")
        #expect(omi.command.last?.hasSuffix("/300/omi-1.6.10-2.ulinux.s.x64.deb") == true)
        #expect(plan.steps.map(\.component).prefix(6) == ["disk", "omi", "omi-reload", "scx", "omsagent", "omsconfig"])
        let rpm = PackageCommand(root: r.root, manager: .rpm, options: InstallOptions(force: true, noDigest: true))
        #expect(rpm.add("x.rpm", upgrade: true) == ["rpm", "--root", r.root.path, "--dbpath", "/var/lib/rpm",
                                                     "--upgrade", "--force", "--nodigest", "--nofiledigest", "x.rpm"])
        #expect(PackageCommand(root: .live, manager: .dpkg, options: InstallOptions()).add("f.deb", upgrade: false)
                == ["dpkg", "--force-confold", "--force-confdef", "--install", "--refuse-downgrade", "f.deb"])
    }
}
