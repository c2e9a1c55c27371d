import AgentInstaller
import AgentSupport
import FoundationEssentials
import Testing
import TestSupport

/// Stage 8 on upgrade (contract §7): the old omsconfig is removed first, then the new one added — as plan steps
/// that `plan`/`--dry-run` show and `install` executes. The fixture's maintainer-script log (each script logs
/// its package, name and arguments) is the oracle for the order; dpkg-query for the result.
@Suite struct StageDSCUpgradeTests {
    /// Index of the first maintainer-log entry starting with `prefix`, or nil.
    static func index(_ log: [String], _ prefix: String) -> Int? { log.firstIndex { $0.hasPrefix(prefix) } }

    @Test("an omsconfig upgrade is a remove step then the upgrade; the scripts run remove-then-install")
    func removeThenUpgrade() async throws {
        let r = try InstallRoot()
        #expect(try await r.install(try await r.bundle("1.14.19-0")).exitCode == 0)
        let plan = try await r.plan(try await r.bundle("1.14.20-0"))
        let dsc = plan.steps.filter { $0.component == "omsconfig" }
        #expect(dsc.map(\.action) == [.remove, .upgrade] && dsc.allSatisfy { $0.stage == 8 })
        #expect(dsc[0].installed == "1.1.1-932" && dsc[0].command.suffix(2) == ["--remove", "omsconfig"])
        let logStart = r.maintainerLog.count
        let outcome = await InstallRun.execute(plan, context: .init())
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(try await r.dpkgQuery()["omsconfig"] == "1.1.1-933")
        let log = Array(r.scriptSequence.dropFirst(logStart)).filter { $0.hasPrefix("omsconfig ") }
        // dpkg --remove runs prerm/postrm "remove"; the new package then arrives as a fresh install, never as an
        // in-place upgrade of the old one.
        let postrm = try #require(Self.index(log, "omsconfig postrm remove"), "\(log)")
        let preinst = try #require(Self.index(log, "omsconfig preinst install"), "\(log)")
        #expect(try #require(Self.index(log, "omsconfig prerm remove")) < postrm && postrm < preinst, "\(log)")
        #expect(!log.contains { $0.hasSuffix(" upgrade") }, "\(log)")
        #expect(outcome.log.contains("omsconfig remove: done"))
        // Nothing to undo reported after success; a same-bundle re-run plans no removal.
        #expect(outcome.notUndone.isEmpty)
        let again = try await r.plan(try await r.bundle("1.14.20-0", tag: "-again"))
        #expect(again.steps.filter { $0.component == "omsconfig" }.map(\.action) == [.skip])
    }

    @Test("the new omsconfig failing after the old one was removed: exit 18, reported as not undoable, not hidden")
    func failedUpgradeAfterRemoval() async throws {
        let r = try InstallRoot()
        #expect(try await r.install(try await r.bundle("1.14.19-0")).exitCode == 0)
        let bad = try await r.bundle("1.14.20-0", environment: ["FAIL_SCRIPT": "omsconfig.preinst"], tag: "-fail")
        let outcome = await InstallRun.execute(try await r.plan(bad), context: .init())
        #expect(outcome.exitCode == ExitCode.omsconfigStage.rawValue, "\(outcome)")
        #expect(try await r.dpkgQuery()["omsconfig"] == nil)
        #expect(outcome.notUndone.contains(
            "omsconfig: 1.1.1-932 was removed by stage 8 before its upgrade and cannot be restored (the old package is not in the bundle)"),
            "\(outcome.notUndone)")
        #expect(!outcome.notUndone.contains { $0.hasPrefix("omsconfig: upgrade") }, "reported once")
        #expect(outcome.changed)
    }

    @Test("install --dry-run shows the stage 8 removal; nothing changes")
    func dryRunShowsRemoval() async throws {
        let cli = InstallCLITests()
        let t = try await cli.tree()
        #expect(try await cli.run(["install", "--bundle", t.bundle, "--root", t.root]).status == 0)
        try t.dir.mkdir("new")
        let newer = try await Fixtures.bundle(in: t.dir.url("new"), version: "1.14.20-0")
        let before = try await Oracle.output(["dpkg-query", "--admindir=\(t.root)/var/lib/dpkg", "-W"])
        let json = try await cli.run(["plan", "--bundle", newer, "--root", t.root, "--format", "json"])
        #expect(json.status == 0, "\(json.standardError)")
        let planned = try JSONDecoder().decode(InstallPlan.self, from: Data(json.standardOutput.utf8))
        #expect(planned.steps.filter { $0.component == "omsconfig" }.map { "\($0.action.rawValue)@\($0.stage)" }
                == ["remove@8", "upgrade@8"])
        let dry = try await cli.run(["install", "--dry-run", "--bundle", newer, "--root", t.root])
        #expect(dry.status == 0, "\(dry.standardError)")
        let lines = dry.standardOutput.split(separator: "\n").map(String.init).filter { $0.contains("[8]  omsconfig") }
        #expect(lines.count == 2 && lines[0].contains("remove") && lines[1].contains("upgrade"), "\(lines)")
        #expect(try await Oracle.output(["dpkg-query", "--admindir=\(t.root)/var/lib/dpkg", "-W"]) == before)
    }
}
