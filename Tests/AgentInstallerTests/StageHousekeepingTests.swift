import AgentInstaller
import AgentSupport
import Preflight
import Testing
import TestSupport

/// Stages 6 (Cylance), 9 (DSC housekeeping), 10 and 11 (provider kits and auoms) with the real dpkg into roots.
@Suite struct StageHousekeepingTests {
    static let env = "root/etc/opt/microsoft/omsagent/omsagent.env"

    @Test("Cylance present: LD_PRELOAD= is commented out after omsagent, in the plan and the receipt")
    func cylanceFresh() async throws {
        for marker in ["etc/init.d/cylance", "etc/init.d/cylancesvc", "opt/cylance/"] {
            let r = try InstallRoot()
            if marker.hasSuffix("/") { try r.dir.mkdir("root/" + marker) } else { try r.dir.write("root/" + marker, "#!/bin/sh\n") }
            let plan = try await r.plan(try await r.bundle())
            let components = plan.steps.map { $0.edit == .commentOutPreload ? "cylance" : $0.component }
            let at = try #require(components.firstIndex(of: "cylance"))
            #expect(components[at - 1] == "omsagent" && components[at + 1] == "omsconfig")
            #expect(plan.steps[at].stage == 6 && plan.steps[at].reason.contains(marker.hasSuffix("/") ? "/opt/cylance" : "/" + marker))
            let outcome = await InstallRun.execute(plan, context: .init())
            #expect(outcome.exitCode == 0, "\(outcome)")
            #expect(r.dir.read(Self.env) == "#LD_PRELOAD=/opt/microsoft/omsagent/ruby/lib/libjemalloc.so\n")
            #expect(FileIO.attributes(r.dir.url(Self.env)).map { $0.mode & 0o777 } == 0o644)
            #expect(InstallReceipt.read(root: r.root)?.files.contains(PlanFileEdits.omsagentEnv) == true)
        }
        let none = try InstallRoot()
        #expect(!(try await none.plan(try await none.bundle())).steps.contains { $0.edit == .commentOutPreload })
    }

    @Test("a failure after the Cylance edit restores omsagent.env byte for byte")
    func cylanceRollback() async throws {
        let r = try InstallRoot()
        #expect(try await r.install(try await r.bundle()).exitCode == 0)
        let before = try #require(r.dir.read(Self.env))
        try r.dir.write("root/etc/init.d/cylance", "")
        try r.failScript("omsconfig.postinst", once: false)
        let plan = try await r.plan(try await r.bundle("1.14.20-0"))
        let edit = try #require(plan.steps.first { $0.edit == .commentOutPreload })
        #expect(edit.diff == "--- a\(PlanFileEdits.omsagentEnv)\n+++ b\(PlanFileEdits.omsagentEnv)\n@@ -1,1 +1,1 @@\n"
                + "-LD_PRELOAD=/opt/microsoft/omsagent/ruby/lib/libjemalloc.so\n+#LD_PRELOAD=/opt/microsoft/omsagent/ruby/lib/libjemalloc.so")
        let outcome = await InstallRun.execute(plan, context: .init())
        #expect(outcome.exitCode == 18, "\(outcome)")
        #expect(outcome.rolledBack.contains("restored \(PlanFileEdits.omsagentEnv)"))
        #expect(r.dir.read(Self.env) == before)
        #expect(!FileIO.list(r.dir.url("root/etc/opt/microsoft/omsagent")).contains { $0.contains("backup") })
    }

    @Test("upgrade: stale DSC plugins and the invoker conf deleted, the cron job created, OMI restart shown as not run")
    func dscHousekeeping() async throws {
        let r = try InstallRoot()
        #expect(try await r.install(try await r.bundle()).exitCode == 0)
        let stale = Array(PlanFileEdits.staleDSCPlugins.prefix(3))
        for path in stale { try r.dir.write("root" + path, "# stale\n") }
        try r.dir.write("root" + PlanFileEdits.consistencyInvokerConf, "<source>\n  type exec\n</source>\n")
        // The first run (--upgrade mode) already wrote the cron job; take it away to see stage 9 recreate it.
        #expect(r.dir.exists("root/etc/cron.d/OMSConsistencyInvoker"))
        try FileIO.removeTree(r.dir.url("root/etc/cron.d/OMSConsistencyInvoker"))
        let plan = try await r.plan(try await r.bundle("1.14.20-0"))
        let stage9 = plan.steps.filter { $0.stage == 9 }
        #expect(stage9.map(\.action) == [.removeFile, .removeFile, .createFile, .liveHostOnly])
        #expect(stage9[0].paths == PlanFileEdits.staleDSCPlugins && PlanFileEdits.staleDSCPlugins.count == 15)
        #expect(stage9[3].command == ["/opt/omi/bin/service_control", "restart"])
        #expect(plan.services.contains("omi (restart)"))
        let index = try #require(plan.steps.firstIndex { $0.stage == 9 })
        #expect(plan.steps[index - 1].component == "omsconfig")
        let content = try #require(stage9[2].content)
        let outcome = await InstallRun.execute(plan, context: .init())
        #expect(outcome.exitCode == 0, "\(outcome)")
        for path in stale { #expect(!r.dir.exists("root" + path)) }
        #expect(!r.dir.exists("root" + PlanFileEdits.consistencyInvokerConf))
        #expect(r.dir.read("root/etc/cron.d/OMSConsistencyInvoker") == content)
        let fields = content.split(separator: " ")
        let minutes = fields[0].split(separator: ",").compactMap { Int($0) }
        #expect(minutes.count == 4 && (2...14).contains(minutes[0]) && minutes == [0, 15, 30, 45].map { $0 + minutes[0] })
        #expect(fields[1...5] == ["*", "*", "*", "*", "omsagent"] && content.hasSuffix("/opt/omi/bin/OMSConsistencyInvoker >/dev/null 2>&1\n"))
        #expect(FileIO.attributes(r.dir.url("root/etc/cron.d/OMSConsistencyInvoker")).map { $0.mode & 0o777 } == 0o644)
        let receipt = try #require(InstallReceipt.read(root: r.root))
        #expect(receipt.notRun.contains("/opt/omi/bin/service_control restart"))
        #expect(Set(stale + [PlanFileEdits.consistencyInvokerConf, PlanFileEdits.consistencyInvokerCron]).isSubset(of: Set(receipt.files)))
        // --install has no stage 9
        let fresh = try InstallRoot()
        let install = try await fresh.plan(try await fresh.bundle(), options: InstallOptions(mode: .install))
        #expect(!install.steps.contains { $0.stage == 9 })
    }

    /// (docker kit rc, auoms test rc, auoms kit rc) → exit code.
    static let kitCases: [(Int, Int, Int, Int32)] = [(0, 0, 3, 22), (1, 0, 0, 21), (1, 0, 1, 22), (0, 1, 9, 0)]

    @Test("provider kit and auoms: test script first, failures remembered (21, then 22 wins), the install goes on",
          arguments: kitCases.indices)
    func kits(_ index: Int) async throws {
        let (dockerRC, testRC, auomsRC, expected) = Self.kitCases[index]
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        var plan = try await r.plan(bundle, options: InstallOptions(noDigest: true, restartDependencies: true))
        let auoms = try #require(plan.steps.first { $0.component == "auoms" })
        #expect(auoms.stage == 11 && auoms.failureCode == 22 && !auoms.stopsOnFailure && auoms.action == .liveHostOnly)
        #expect(auoms.command.suffix(3) == ["--upgrade", "--noDigest", "--restart-deps"])
        #expect(auoms.command[1].hasSuffix("/bundles/auoms-2.3.2-3.universal.x64.sh"))
        #expect(auoms.test?.last?.hasSuffix("/bundles/auoms-bundle-test.sh") == true)
        #expect(plan.steps.last?.component == "auoms")
        let install = try await r.plan(bundle, options: InstallOptions(mode: .install, force: true, noDigest: true))
        #expect(install.steps.first { $0.component == "auoms" }?.command.suffix(3) == ["--install", "--noDigest", "--force"])
        // The kits install on the live host; here they run against the test root (the fixture kits log to
        // AGENT_FIXTURE_ROOT) so that the executor's kit handling is exercised for real.
        for i in plan.steps.indices where plan.steps[i].stage >= 10 && plan.steps[i].action == .liveHostOnly {
            plan.steps[i].action = .run
        }
        try r.dir.write("root/var/lib/agent-fixture/docker-cimprov.rc", "\(dockerRC)\n")
        try r.dir.write("root/var/lib/agent-fixture/auoms-bundle-test.rc", "\(testRC)\n")
        try r.dir.write("root/var/lib/agent-fixture/auoms.rc", "\(auomsRC)\n")
        let runner = ProcessRunner(extraEnvironment: ["AGENT_FIXTURE_ROOT": r.root.path])
        let outcome = await InstallRun.execute(plan, context: .init(runner: runner))
        #expect(outcome.exitCode == expected, "\(outcome)")
        #expect(try await r.dpkgQuery().count == 4)
        let tail = r.maintainerLog.filter { $0.contains(" kit ") || $0.contains(" test") }
        var expectedTail = ["docker-oss-test test", "docker-cimprov kit --upgrade --restart-deps", "auoms-bundle-test test"]
        if testRC == 0 { expectedTail.append("auoms kit --upgrade --noDigest --restart-deps") }
        #expect(tail.map { $0.trimmingSuffixSpace } == expectedTail)
        #expect(outcome.log.contains { $0.contains("auoms") && $0.contains(testRC == 0 ? (auomsRC == 0 ? "done" : "failed") : "not applicable") })
        #expect(InstallReceipt.read(root: r.root)?.exitCode == expected)
    }
}

extension String {
    /// Without trailing spaces (a script called without arguments logs "name test ").
    var trimmingSuffixSpace: String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
