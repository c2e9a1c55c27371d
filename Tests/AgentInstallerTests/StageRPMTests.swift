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
        return try InstallPlan.make(manifest: bundle.manifest, bundleDirectory: bundle.destination,
                                    bundleVersion: bundle.version, facts: facts, options: options)
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
        #expect(first.steps.first?.command.prefix(6) == ["rpm", "--root", root.path, "--dbpath", "/var/lib/rpm", "-ivh"])
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
