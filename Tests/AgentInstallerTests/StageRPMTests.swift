import AgentInstaller
import AgentSupport
import Preflight
import Testing
import TestSupport

/// The same plan and executor with the real rpm into a root (`--root R --dbpath /var/lib/rpm`).
@Suite struct StageRPMTests {
    func rpmRoot() async throws -> (TemporaryDirectory, HostRoot) {
        let dir = TemporaryDirectory(prefix: "agent-install-rpm")
        let made = try await Oracle.run([Fixtures.directory + "/make-rpm-root", dir.url("root")])
        #expect(made.succeeded, "\(made.standardError)")
        return (dir, try HostRoot(dir.url("root")))
    }

    func plan(_ root: HostRoot, _ bundle: BundleExtraction, options: InstallOptions = InstallOptions()) async throws -> InstallPlan {
        let installed = await PlanFacts.installedVersions(root: root, manager: .rpm, names: InstallPlan.packageOrder)
        let facts = PlanFacts(root: root, packageManager: .rpm, flavour: .v300, installed: installed, dscUsable: true)
        let sizes = await PackageSizes.read(manifest: bundle.manifest, bundleDirectory: bundle.destination, flavour: .v300, manager: .rpm)
        return try InstallPlan.make(manifest: bundle.manifest, bundleDirectory: bundle.destination,
                                    bundleVersion: bundle.version, facts: facts, options: options, packageSizes: sizes)
    }

    func rpmQuery(_ root: HostRoot) async throws -> [String] {
        let out = try await Oracle.run(["rpm", "--root", root.path, "--dbpath", "/var/lib/rpm", "-q", "--qf",
                                        "%{NAME} %{VERSION}-%{RELEASE}\\n", "omi", "scx", "omsagent", "omsconfig"])
        return out.standardOutput.split(separator: "\n").map(String.init).filter { !$0.contains("not installed") }
    }

    func extract(_ dir: TemporaryDirectory, environment: [String: String] = [:]) async throws -> BundleExtraction {
        try dir.mkdir("src")
        let file = try await Fixtures.bundle(in: dir.url("src"), environment: environment)
        return try BundleExtraction.extract(path: file, destination: dir.url("bundle"), expected: nil)
    }

    @Test("rpm: fresh install in order, then a same-version re-run changes nothing")
    func freshAndReRun() async throws {
        let (dir, root) = try await rpmRoot()
        let bundle = try await extract(dir)
        let first = try await plan(root, bundle)
        #expect(first.steps.first { $0.component == "omi" }?.command.prefix(6) == ["rpm", "--root", root.path, "--dbpath", "/var/lib/rpm", "-ivh"])
        // The disk check counts rpm's %{SIZE} of the four packages (oracle: rpm -qp).
        var sum: Int64 = 0
        for p in bundle.manifest.packages(flavour: "300", format: "rpm") {
            let out = try await Oracle.output(["rpm", "-qp", "--qf", "%{SIZE}", bundle.destination + "/" + p.path])
            sum += Int64(out.split(separator: "\n").last ?? "") ?? 0
        }
        #expect(sum > 0 && first.steps.first?.disk?.first?.requiredBytes == sum + DiskRequirement.margin)
        let outcome = await InstallRun.execute(first, context: .init())
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(try await rpmQuery(root) == ["omi 1.6.10-2", "scx 1.6.10-1", "omsagent 1.14.19-0", "omsconfig 1.1.1-932"])
        let log = (dir.read("root/var/log/agent-fixture/maintainer.log") ?? "").split(separator: "\n")
        let pre = log.filter { $0.contains(" preinst ") }.map { String($0.split(separator: " ")[0]) }
        #expect(pre == ["omi", "scx", "omsagent", "omsconfig"])
        let again = try await plan(root, bundle)
        #expect(!again.changesPackages)
        let rerun = await InstallRun.execute(again, context: .init())
        #expect(rerun.exitCode == 0 && !rerun.changed)
        let removed = try await Uninstall.execute(root: root, manager: .rpm, purge: true)
        #expect(removed.exitCode == 0, "\(removed)")
        #expect(try await rpmQuery(root).isEmpty)
    }

    @Test("rpm: a failing omsagent %post (rpm exits 0 and only warns) is the stage's failure: 17, rpm's line, all erased")
    func failingPost() async throws {
        let (dir, root) = try await rpmRoot()
        let bundle = try await extract(dir)
        try dir.write("root/var/lib/agent-fixture/omsagent.postinst.fail", "")
        let plan = try await plan(root, bundle)
        // The oracle: rpm itself reports success for this package while printing the scriptlet warning.
        try dir.write("probe/var/lib/agent-fixture/omsagent.postinst.fail", "")
        let probe = try await Oracle.run([Fixtures.directory + "/make-rpm-root", dir.url("probe")])
        #expect(probe.succeeded)
        let steps = plan.steps.filter { $0.changesPackages }
        var rpmSaid = ""
        for step in steps.prefix(3) {
            let argv = step.command.map { $0 == root.path ? dir.url("probe") : $0 }
            let out = try await Oracle.run(argv)
            #expect(out.status == 0, "rpm \(step.component): \(out.standardError)")
            rpmSaid += out.standardError
        }
        #expect(rpmSaid.contains("warning: %post(omsagent-1.14.19-0.x86_64) scriptlet failed, exit status 1"))

        let outcome = await InstallRun.execute(plan, context: .init())
        #expect(outcome.exitCode == 17, "\(outcome)")
        #expect(outcome.failedStage == "omsagent")
        #expect(outcome.errorLines.first == "warning: %post(omsagent-1.14.19-0.x86_64) scriptlet failed, exit status 1")
        #expect(outcome.message.contains("scriptlet failed"))
        #expect(outcome.rolledBack == ["purged omsagent", "purged scx", "purged omi"])
        #expect(try await rpmQuery(root).isEmpty)
        let log = (dir.read("root/var/log/agent-fixture/maintainer.log") ?? "").split(separator: "\n")
        #expect(!log.contains { $0.hasPrefix("omsconfig ") })
    }

    @Test("rpm: scx's %post fails once: detected from rpm's warning, the retry path erases and adds both again")
    func retryOnce() async throws {
        let (dir, root) = try await rpmRoot()
        let bundle = try await extract(dir)
        try dir.write("root/var/lib/agent-fixture/scx.postinst.fail-once", "")
        let outcome = await InstallRun.execute(try await plan(root, bundle), context: .init())
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(outcome.log.contains { $0.contains("scx failed") && $0.contains("retry path") })
        #expect(try await rpmQuery(root) == ["omi 1.6.10-2", "scx 1.6.10-1", "omsagent 1.14.19-0", "omsconfig 1.1.1-932"])
        let log = (dir.read("root/var/log/agent-fixture/maintainer.log") ?? "").split(separator: "\n").map(String.init)
        let omiScx = log.filter { $0.hasPrefix("omi ") || $0.hasPrefix("scx ") }
        #expect(omiScx == ["omi preinst 1", "omi postinst 1", "scx preinst 1", "scx postinst 1",
                           "scx prerm 0", "scx postrm 0", "omi prerm 0", "omi postrm 0",
                           "omi preinst 1", "omi postinst 1", "scx preinst 1", "scx postinst 1"])
    }

    @Test("rpm: a failing scx %pre gives 20, rpm's own error lines, and erases omi")
    func rollback() async throws {
        let (dir, root) = try await rpmRoot()
        let bundle = try await extract(dir, environment: ["FAIL_SCRIPT": "scx.preinst"])
        let outcome = await InstallRun.execute(try await plan(root, bundle), context: .init())
        #expect(outcome.exitCode == 20, "\(outcome)")
        #expect(outcome.rolledBack == ["purged omi"])
        #expect(outcome.errorLines.contains { $0.contains("scx") }, "\(outcome.errorLines)")
        #expect(try await rpmQuery(root).isEmpty)
    }
}
