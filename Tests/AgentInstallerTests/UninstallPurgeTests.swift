import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// `uninstall --purge` on a tree the fixture packages were installed into and a workspace was configured in (found
/// by scripts/test-e2e on Debian roots): onboarding's own files go, and the base system's `/etc/opt` and `/var/opt`
/// stay. dpkg-query is the oracle for the package list; the file checks read the tree directly.
@Suite struct UninstallPurgeTests {
    static let ws = "0a1b2c3d-0000-4000-8000-0000000000e2"

    /// Installs the 1.14.19-0 fixture bundle, then writes a workspace's configuration as onboarding does (no network:
    /// the configurator only, with the rsyslog host layout `etc/rsyslog.conf` + `etc/rsyslog.d`).
    func onboardedRoot(prepare: (InstallRoot) async throws -> Void = { _ in }) async throws -> InstallRoot {
        let r = try InstallRoot()
        try await prepare(r)
        try r.dir.write("root/etc/rsyslog.conf", "# host rsyslog\n")
        try r.dir.mkdir("root/etc/rsyslog.d")
        try r.dir.mkdir("root/usr/lib/systemd/system")
        #expect(try await r.install(try await r.bundle()).exitCode == 0)
        let journal = ChangeJournal(root: r.root)
        let configurator = try WorkspaceConfigurator(journal: journal, workspace: Self.ws)
        let conf = OmsAdminConf(workspaceID: Self.ws, agentGUID: "6f1c0c1e-7d2a-4b1e-9a57-0123456789ab", urlTLD: "opinsights.azure.com")
        let outcome = try configurator.apply(conf: conf, identity: nil, marker: nil)
        journal.commit()
        #expect(outcome.syslog?.daemon == "rsyslog")
        #expect(outcome.unitPath == "/usr/lib/systemd/system/omsagent-\(Self.ws).service")
        return r
    }

    @Test("purge removes the unit, the rsyslog snippet and the logrotate file that onboarding wrote")
    func purgeRemovesOnboardingFiles() async throws {
        let r = try await onboardedRoot()
        let written = ["etc/rsyslog.d/95-omsagent.conf", "usr/lib/systemd/system/omsagent-\(Self.ws).service",
                       "etc/logrotate.d/omsagent-\(Self.ws)"]
        for f in written { #expect(r.dir.exists("root/" + f), "\(f) written by the configurator") }
        let outcome = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: true)
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(try await r.dpkgQuery().isEmpty)
        for f in written { #expect(!r.dir.exists("root/" + f), "\(f) left after --purge") }
        #expect(r.dir.read("root/etc/rsyslog.conf") == "# host rsyslog\n")
        #expect(r.dir.exists("root/etc/rsyslog.d"))
        let again = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: true)
        #expect(again.exitCode == 0 && !again.changed, "\(again)")
    }

    @Test("with base-files installed, /opt, /etc/opt and /var/opt survive a purge (dpkg removes the ones only the agent's packages listed: recreated)")
    func purgeKeepsBaseSystemDirectories() async throws {
        let r = try await onboardedRoot { r in
            // A stand-in base-files package and the directories its postinst creates on Debian.
            try r.dir.write("base/DEBIAN/control",
                            "Package: base-files\nVersion: 12.4\nArchitecture: all\nMaintainer: t <t@example.com>\nDescription: stand-in\n")
            #expect(try await Oracle.run(["dpkg-deb", "--build", r.dir.url("base"), r.dir.url("base.deb")]).succeeded)
            let add = try await Oracle.run(["dpkg", "--root", r.root.path, "--force-script-chrootless",
                                            "--log=\(r.root.path)/var/log/dpkg.log", "--install", r.dir.url("base.deb")])
            #expect(add.succeeded, "\(add.standardError)")
            for d in ["etc/opt", "var/opt", "opt"] {
                try r.dir.mkdir("root/" + d)
                #expect(try await Oracle.run(["chmod", "0755", r.dir.url("root/" + d)]).succeeded)
            }
        }
        let outcome = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: true)
        #expect(outcome.exitCode == 0, "\(outcome)")
        #expect(try await r.dpkgQuery().keys.sorted() == ["base-files"])
        for d in ["etc/opt", "var/opt", "opt"] {
            #expect(try await Oracle.output(["stat", "-c", "%F %a %u %g", r.dir.url("root/" + d)]) == "directory 755 0 0\n", "\(d)")
            #expect(try await Oracle.output(["ls", "-A", r.dir.url("root/" + d)]).isEmpty, "\(d) is empty")
        }
        for gone in ["etc/opt/microsoft", "opt/microsoft", "var/opt/microsoft"] { #expect(!r.dir.exists("root/" + gone), "\(gone)") }
    }
}
