import AgentInstaller
import AgentSupport
import Preflight
import Testing
import TestSupport

/// Stage 4, the retry path: an OMI or SCX failure removes both, adds OMI again, reloads it, deletes a stale
/// scxadmin and adds SCX again; then the install goes on (or stops with 20/19/52 and rolls back).
@Suite struct StageRetryTests {
    @Test("the plan carries the retry path: removals, OMI again, reload, scxadmin, SCX again")
    func planned() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        let plan = try await r.plan(bundle)
        #expect(plan.retryPath.map(\.component)
                == ["scx-uninstall", "apache-cimprov", "mysql-cimprov", "scx", "omi", "omi", "omi-reload", "scx", "scx"])
        #expect(plan.retryPath.map(\.action)
                == [.liveHostOnly, .remove, .remove, .remove, .remove, .install, .liveHostOnly, .removeFile, .install])
        #expect(plan.retryPath[4].command.contains("--purge") && plan.retryPath[3].command.contains("--remove"))
        #expect(plan.retryPath.map(\.failureCode).suffix(4) == [19, 19, 20, 20])
        #expect(plan.retryPath[5].systemProblemStatuses == [2] && plan.retryPath[6].systemProblemStatuses == [2, 3])
        #expect(plan.retryPath.allSatisfy { $0.stage == 4 })
        #expect(plan.steps.filter(\.retriesOnFailure).map(\.component) == ["omi", "scx"])
        let live = try InstallPlan.make(manifest: bundle.manifest, bundleDirectory: "/b", bundleVersion: nil,
                                        facts: PlanFacts(root: .live, packageManager: .dpkg, flavour: .v300, installed: [:],
                                                         dscUsable: true), options: InstallOptions())
        #expect(live.retryPath.first?.command == ["/opt/microsoft/scx/bin/uninstall", "R", "force"])
        #expect(live.retryPath.first?.onlyIf == .init(path: "/opt/microsoft/scx/bin/uninstall", exists: true))
        #expect(live.retryPath.first?.failureCode == 0 && live.retryPath.first?.stopsOnFailure == false)
        #expect(live.retryPath[1].onlyIf == .init(path: "/opt/microsoft/scx/bin/uninstall", exists: false))
        #expect(live.retryPath[6].action == .run && live.retryPath[6].command == ["/opt/omi/bin/service_control", "reload"])
    }

    @Test("scx's postinst fails once: the retry path removes scx and omi, adds both again, and the install goes on")
    func failsOnce() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        try r.failScript("scx.postinst", once: true)
        try r.dir.write("root/usr/sbin/scxadmin", "#!/bin/sh\n")
        let plan = try await r.plan(bundle)
        #expect(plan.steps.contains { $0.path == PlanFileEdits.scxadmin && $0.stage == 3 })
        let outcome = await InstallRun.execute(plan, context: .init())
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(outcome.log.contains { $0.contains("scx failed") && $0.contains("retry path") })
        #expect(try await r.dpkgQuery() == ["omi": "1.6.10.2", "scx": "1.6.10.1", "omsagent": "1.14.19-0", "omsconfig": "1.1.1-932"])
        #expect(r.scriptSequence == [
            "omi preinst install", "omi postinst configure",
            "scx preinst install", "scx postinst configure",            // fails (once)
            "scx prerm remove", "scx postrm remove",                     // retry: dpkg --remove scx
            "omi prerm remove", "omi postrm remove", "omi postrm purge", // retry: dpkg --purge omi
            "omi preinst install", "omi postinst configure",            // retry: omi again
            "scx preinst install", "scx postinst configure",            // retry: scx again
            "omsagent preinst install", "omsagent postinst configure",
            "omsconfig preinst install", "omsconfig postinst configure",
        ])
        #expect(!r.dir.exists("root/usr/sbin/scxadmin"))
        let receipt = try #require(InstallReceipt.read(root: r.root))
        #expect(receipt.newlyInstalled == ["omi", "scx", "omsagent", "omsconfig"])
        #expect(receipt.notRun.filter { $0 == "/opt/omi/bin/service_control reload" }.count == 2)
    }

    @Test("scx's postinst always fails: 20 from the retry path, dpkg's lines, everything purged, scxadmin restored")
    func failsAlways() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        try r.failScript("scx.postinst", once: false)
        try r.dir.write("root/usr/sbin/scxadmin", "stale\n", mode: 0o750)
        let outcome = try await r.install(bundle)
        #expect(outcome.exitCode == 20, "\(outcome)")
        #expect(outcome.reason == "scx-stage-failed")
        #expect(outcome.failedStage == "retry:scx")
        #expect(outcome.errorLines.contains { $0.contains("dpkg") && $0.contains("scx") }, "\(outcome.errorLines)")
        #expect(outcome.rolledBack == ["restored /usr/sbin/scxadmin", "purged scx", "purged omi"])
        #expect(outcome.notUndone.isEmpty && !outcome.changed)
        #expect(try await r.dpkgQuery().isEmpty)
        #expect(r.dir.read("root/usr/sbin/scxadmin") == "stale\n")
        #expect(FileIO.attributes(r.dir.url("root/usr/sbin/scxadmin")).map { $0.mode & 0o777 } == 0o750)
        let seq = r.scriptSequence
        #expect(seq.filter { $0 == "scx postinst configure" }.count == 2)
        #expect(!seq.contains { $0.hasPrefix("omsagent ") || $0.hasPrefix("omsconfig ") })
        #expect(Array(seq.suffix(4)) == ["scx postrm purge", "omi prerm remove", "omi postrm remove", "omi postrm purge"])
    }

    @Test("an upgrade whose scx fails once goes through the retry path to the new versions")
    func upgradeFailsOnce() async throws {
        let r = try InstallRoot()
        #expect(try await r.install(try await r.bundle()).exitCode == 0)
        let new = try await r.bundle("1.14.20-0")
        try r.failScript("scx.postinst", once: true)
        let outcome = try await r.install(new)
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(try await r.dpkgQuery() == ["omi": "1.6.11.0", "scx": "1.6.11.0", "omsagent": "1.14.20-0", "omsconfig": "1.1.1-933"])
        #expect(outcome.log.contains("omi remove: done") && outcome.log.contains("apache-cimprov remove: not installed"),
                "\(outcome.log)")
    }
}

extension StageRetryTests {
    @Test("omi's postinst fails once: straight to the retry path (scx is not tried first), then everything installs")
    func omiFailsOnce() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        try r.failScript("omi.postinst", once: true)
        let outcome = try await r.install(bundle)
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(try await r.dpkgQuery().count == 4)
        let seq = r.scriptSequence.filter { $0.hasPrefix("omi ") || $0.hasPrefix("scx ") }
        #expect(seq == ["omi preinst install", "omi postinst configure",           // fails (once)
                        "omi prerm remove", "omi postrm remove", "omi postrm purge", // retry: dpkg --purge omi
                        "omi preinst install", "omi postinst configure",
                        "scx preinst install", "scx postinst configure"])
    }

    @Test("omi's postinst always fails: 19 from the retry path's OMI step, omi purged, nothing else tried")
    func omiFailsAlways() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        try r.failScript("omi.postinst", once: false)
        let outcome = try await r.install(bundle)
        #expect(outcome.exitCode == 19, "\(outcome)")
        #expect(outcome.reason == "omi-stage-failed" && outcome.failedStage == "retry:omi")
        #expect(outcome.errorLines.contains { $0.contains("omi") }, "\(outcome.errorLines)")
        #expect(outcome.rolledBack == ["purged omi"])
        #expect(try await r.dpkgQuery().isEmpty)
        #expect(!r.scriptSequence.contains { $0.hasPrefix("scx ") })
        #expect(r.scriptSequence.filter { $0 == "omi postinst configure" }.count == 2)
    }
}

extension StageRetryTests {
    @Test("live-host branch: with scx's uninstaller present it runs instead of the removals (conditions taken once)")
    func uninstallerBranch() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        try r.failScript("scx.postinst", once: true)
        let uninstall = PlanFileEdits.scxUninstall
        // A stand-in for scx's uninstaller: removes scx and omi from the root it lives in, logs, deletes itself
        // (as the real one goes with the scx package). Were conditions re-evaluated after it ran, the
        // package-by-package removals would run too and log "not installed".
        let script = """
            #!/bin/sh
            R=$(cd "$(dirname "$0")/../../../.." && pwd)
            echo "scx uninstall $*" >>"$R/var/log/agent-fixture/maintainer.log"
            dpkg --root "$R" --force-script-chrootless --log="$R/var/log/dpkg.log" --force-depends --remove scx || exit 1
            dpkg --root "$R" --force-script-chrootless --log="$R/var/log/dpkg.log" --purge omi || exit 1
            rm -f "$0"
            """
        try r.dir.write("root" + uninstall, script + "\n", mode: 0o755)
        var plan = try await r.plan(bundle)
        // The live host's retry path, pointed at this root (the plan for a --root tree never runs root programs).
        plan.retryPath[0].action = .run
        plan.retryPath[0].command = [r.root.path + uninstall, "R", "force"]
        plan.retryPath[0].onlyIf = .init(path: uninstall, exists: true)
        for i in 1...4 { plan.retryPath[i].onlyIf = .init(path: uninstall, exists: false) }
        let outcome = await InstallRun.execute(plan, context: .init())
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(try await r.dpkgQuery().count == 4)
        #expect(!r.dir.exists("root" + uninstall))
        #expect(outcome.log.contains("scx-uninstall run: done"), "\(outcome.log)")
        #expect(outcome.log.filter { $0.contains("remove: skipped") }.count == 4, "\(outcome.log)")
        let seq = r.scriptSequence.filter { $0.hasPrefix("omi ") || $0.hasPrefix("scx ") }
        #expect(seq == ["omi preinst install", "omi postinst configure", "scx preinst install", "scx postinst configure",
                        "scx uninstall R", "scx prerm remove", "scx postrm remove",
                        "omi prerm remove", "omi postrm remove", "omi postrm purge",
                        "omi preinst install", "omi postinst configure", "scx preinst install", "scx postinst configure"])
    }
}
