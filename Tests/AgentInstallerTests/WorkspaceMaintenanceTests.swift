#if canImport(Glibc)
import Glibc
#endif
import AgentSupport
import Testing
import TestSupport

@testable import AgentInstaller

/// Repair (`-R` equivalent), DSC registration and the init-system choice, on temporary roots (no network).
@Suite("Workspace repair, DSC registration, service registration without systemd")
struct WorkspaceMaintenanceTests {
    static let ws = WorkspaceLayoutTests.ws1
    static let binary = OnboardingCLITests.binary

    // MARK: repair

    @Test("repair restores deleted and mangled derived files, modes and owners exactly; omsadmin.conf untouched")
    func repairRestores() async throws {
        let r = try OnboardingRoot()
        _ = try WorkspaceLayoutTests.configure(r, Self.ws)
        let healthy = r.snapshot()
        let w = AgentPaths.Workspace(Self.ws)
        func p(_ hostPath: String) -> String { r.path(hostPath) }
        // Delete the links, a var dir, logrotate, the unit and its marker, the rsyslog drop-in; mangle a rendered
        // file; loosen modes and owners.
        for (link, _) in AgentPaths.primaryLinks(Self.ws) { try FileIO.remove(p(link)) }
        try FileIO.removeTree(p(w.tmpDir))
        for f in [w.logrotate, "/usr/lib/systemd/system/\(w.serviceName).service", w.serviceRegistered,
                  "/etc/rsyslog.d/95-omsagent.conf"] { try FileIO.remove(p(f)) }
        try r.dir.write(String((w.confDir + "/omsagent.conf").dropFirst()), "garbage\n", mode: 0o666)
        chmod(p(w.certsDir), 0o755)
        chmod(p(w.key), 0o644)
        chown(p(w.key), 0, 0)
        chmod(p(w.etcDir), 0o777)
        chmod(p(w.omsadminConf), 0o600)
        #expect(r.snapshot() != healthy)

        let result = try await WorkspaceRepair.repair(Self.ws, context: InstallContext(root: r.root))
        #expect(result.repaired && !result.needsOnboarding)
        #expect(r.snapshot() == healthy)  // contents, modes, owners and link targets, byte for byte
        #expect(result.filesChanged.contains(w.key) && result.filesChanged.contains(w.logrotate))
        // A second run finds nothing to do.
        let again = try await WorkspaceRepair.repair(Self.ws, context: InstallContext(root: r.root))
        #expect(again.filesChanged.isEmpty && again.message.contains("healthy"))
        #expect(r.snapshot() == healthy)
    }

    @Test("a secondary keeps its marker and gets no links; the primary's links stay")
    func repairSecondary() async throws {
        let r = try OnboardingRoot()
        _ = try WorkspaceLayoutTests.configure(r, Self.ws)
        _ = try WorkspaceLayoutTests.configure(r, WorkspaceLayoutTests.ws2, marker: "mh")
        let healthy = r.snapshot()
        let w2 = AgentPaths.Workspace(WorkspaceLayoutTests.ws2)
        try FileIO.removeTree(r.path(w2.varDir))
        try FileIO.remove(r.path(w2.logrotate))
        let results = try await WorkspaceRepair.repairAll(context: InstallContext(root: r.root))
        #expect(results.map(\.workspace) == [Self.ws, WorkspaceLayoutTests.ws2])
        #expect(results.allSatisfy { $0.repaired })
        #expect(r.snapshot() == healthy)
    }

    @Test("empty or missing omsadmin.conf, or no certificate: needs a fresh onboarding, nothing changed, CLI exit 1")
    func repairNeedsOnboarding() async throws {
        let r = try OnboardingRoot()
        _ = try WorkspaceLayoutTests.configure(r, Self.ws)
        let w = AgentPaths.Workspace(Self.ws)
        for (f, rel) in AgentPaths.primaryLinks(Self.ws) where rel.hasSuffix("/log") { try FileIO.remove(r.path(f)) }
        let cases: [(String, () throws -> Void)] = [
            ("missing or empty", { try r.dir.write(String(w.omsadminConf.dropFirst()), "") }),
            ("incomplete", { try r.dir.write(String(w.omsadminConf.dropFirst()), "WORKSPACE_ID=\(Self.ws)\n") }),
            ("missing or empty", { try FileIO.remove(r.path(w.omsadminConf)) }),
        ]
        for (why, mangle) in cases {
            try mangle()
            let before = r.snapshot()
            let result = try await WorkspaceRepair.repair(Self.ws, context: InstallContext(root: r.root))
            #expect(result.needsOnboarding && !result.repaired && result.message.contains(why))
            #expect(r.snapshot() == before)
            let out = try await Oracle.run([Self.binary, "workspace", "repair", Self.ws, "--root", r.dir.path])
            #expect(out.status == 1)
            #expect(out.standardError.split(separator: "\n").count == 1 && out.standardError.contains("fresh onboarding"))
            #expect(r.snapshot() == before)
        }
        let unknown = try await Oracle.run([Self.binary, "workspace", "repair", WorkspaceLayoutTests.ws2, "--root", r.dir.path])
        #expect(unknown.status == 1 && unknown.standardError.contains("not onboarded"))
    }

    @Test("CLI repair of a healthy and a damaged workspace")
    func repairCLI() async throws {
        let r = try OnboardingRoot()
        _ = try WorkspaceLayoutTests.configure(r, Self.ws)
        let healthy = r.snapshot()
        try FileIO.remove(r.path(AgentPaths.etc + "/conf"))
        let out = try await Oracle.run([Self.binary, "workspace", "repair", "--all", "--root", r.dir.path])
        #expect(out.status == 0, "\(out.standardError)")
        #expect(out.standardOutput.hasPrefix("repaired workspace \(Self.ws) (1 change)"))
        #expect(r.snapshot() == healthy)
    }

    // MARK: DSC

    /// A root whose primary workspace has a DSC endpoint, made traversable for the omsagent uid, with a group
    /// `omi` that omsagent belongs to.
    static func dscRoot() throws -> OnboardingRoot {
        let r = try OnboardingRoot()
        try r.dir.write("etc/group", "root:x:0:\nomiusers:x:\(OnboardingRoot.gid):omsagent\nomsagent:x:4996:\nomi:x:4995:omsagent\n")
        _ = try WorkspaceLayoutTests.configure(r, Self.ws)
        chmod(r.dir.path, 0o755)
        try r.dir.mkdir("etc/opt/omi/conf/omsconfig")
        chown(r.path("/etc/opt/omi/conf/omsconfig"), OnboardingRoot.uid, OnboardingRoot.gid)
        return r
    }

    /// A stand-in metaconfig helper: reads AGENT_GUID from ETC/conf/omsadmin.conf (the primary) of its own root, writes the
    /// agent id and its uid/gid/groups, exits with the number in `<root>/helper.rc` (default 0).
    static func installHelper(_ r: OnboardingRoot) throws {
        try r.dir.write("opt/microsoft/omsconfig/Scripts/python3/OMS_MetaConfigHelper.py", """
            import os, sys
            root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *[".."] * 5))
            confdir = os.readlink(root + "/etc/opt/microsoft/omsagent/conf")  # ETC/conf → ETC/<ws>/conf, in this root
            conf = dict(l.split("=", 1) for l in open(root + confdir + "/omsadmin.conf").read().splitlines())
            with open(root + "/etc/opt/omi/conf/omsconfig/agentid", "w") as f:
                f.write(conf["AGENT_GUID"])
            with open(root + "/etc/opt/omi/conf/omsconfig/ran-as", "w") as f:
                f.write("%d %d %s" % (os.getuid(), os.getgid(), ",".join(map(str, sorted(os.getgroups())))))
            rc = int(open(root + "/helper.rc").read()) if os.path.exists(root + "/helper.rc") else 0
            if rc:
                print("metaconfig apply failed", file=sys.stderr)
            sys.exit(rc)

            """, mode: 0o755)
        try r.dir.write("usr/bin/python3", "#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n", mode: 0o755)
    }

    @Test("DSC: helper missing → 34, no python → 60, success as omsagent (uid, gid, groups), failure → 33")
    func dscOutcomes() async throws {
        let r = try Self.dscRoot()
        let ctx = InstallContext(root: r.root)
        let missing = await DSCRegistration.run(workspace: Self.ws, context: ctx)
        #expect(missing.status == .helperMissing && missing.exitCode == .dscHelperMissing)
        #expect(missing.message.hasPrefix("onboarded; DSC registration skipped: helper missing"))

        try Self.installHelper(r)
        try FileIO.remove(r.path("/usr/bin/python3"))
        let noPython = await DSCRegistration.run(workspace: Self.ws, context: ctx)
        #expect(noPython.status == .pythonMissing && noPython.exitCode?.rawValue == 60)

        try Self.installHelper(r)
        let ok = await DSCRegistration.run(workspace: Self.ws, context: ctx)
        #expect(ok.status == .registered && ok.exitCode == nil, "\(ok.message)")
        let guid = OmsAdminConf.parse(r.dir.read("etc/opt/microsoft/omsagent/\(Self.ws)/conf/omsadmin.conf") ?? "")?.agentGUID
        #expect(r.dir.read("etc/opt/omi/conf/omsconfig/agentid") == guid)
        #expect(r.dir.read("etc/opt/omi/conf/omsconfig/ran-as") == "\(OnboardingRoot.uid) \(OnboardingRoot.gid) 4995")
        // argv only: the launcher, the interpreter and the helper; no shell.
        let argv = try #require(ok.command)
        #expect(argv.last == r.path("/opt/microsoft/omsconfig/Scripts/python3/OMS_MetaConfigHelper.py"))
        #expect(!argv.contains("-c") && !argv.contains { $0.hasSuffix("/sh") || $0.hasSuffix("/bash") })

        try r.dir.write("helper.rc", "3")
        let failed = await DSCRegistration.run(workspace: Self.ws, context: ctx)
        #expect(failed.status == .failed && failed.exitCode == .dscFailed)
        #expect(failed.message.hasPrefix("onboarded, DSC registration failed") && failed.message.contains("exited with 3")
                && failed.message.contains("metaconfig apply failed") && failed.message.contains("register-dsc"))
    }

    @Test("DSC on a --root tree is skipped (execute and CLI); no DSC endpoint → skipped; no primary → 1")
    func dscSkipped() async throws {
        let r = try Self.dscRoot()
        try Self.installHelper(r)
        let skipped = await DSCRegistration.execute(workspace: Self.ws, context: InstallContext(root: r.root))
        #expect(skipped.status == .skipped && skipped.exitCode == nil && skipped.message.contains("not the live host"))
        #expect(!r.dir.exists("etc/opt/omi/conf/omsconfig/agentid"))
        let cli = try await Oracle.run([Self.binary, "workspace", "register-dsc", "--root", r.dir.path])
        #expect(cli.status == 0 && cli.standardOutput.contains("skipped"))
        let other = try await Oracle.run([Self.binary, "workspace", "register-dsc", WorkspaceLayoutTests.ws2, "--root", r.dir.path])
        #expect(other.status == 2)

        let w = AgentPaths.Workspace(Self.ws)
        var conf = try #require(OmsAdminConf.parse(r.dir.read(String(w.omsadminConf.dropFirst())) ?? ""))
        conf.dscEndpoint = ""
        try r.dir.write(String(w.omsadminConf.dropFirst()), try conf.render())
        let noEndpoint = await DSCRegistration.run(workspace: Self.ws, context: InstallContext(root: r.root))
        #expect(noEndpoint.status == .skipped && noEndpoint.message.contains("no DSC endpoint"))

        let empty = try OnboardingRoot()
        let none = try await Oracle.run([Self.binary, "workspace", "register-dsc", "--root", empty.dir.path])
        #expect(none.status == 1)
    }

    // MARK: init system

    @Test("init system: /run/systemd/system → systemd; a tree without systemd gets a SysV script and update-rc.d")
    func sysvRegistration() async throws {
        #expect(WorkspaceService.manager(root: .live)
                == (FileIO.kind("/run/systemd/system", followLinks: true) == .directory ? .systemd : .sysv))
        let r = try OnboardingRoot()
        #expect(WorkspaceService.manager(root: r.root) == .systemd)  // unit directories in a tree
        try FileIO.removeTree(r.path("/usr/lib/systemd"))
        #expect(WorkspaceService.manager(root: r.root) == .sysv)
        try r.dir.mkdir("run/systemd/system")
        #expect(WorkspaceService.manager(root: r.root) == .systemd)
        try FileIO.removeTree(r.path("/run"))

        try r.dir.write("etc/opt/microsoft/omsagent/sysconf/omsagent.ulinux",
                        "#!/bin/sh\n# omsagent-%WORKSPACE_ID%\nexec /opt/microsoft/omsagent/bin/service_control \"$1\" %WORKSPACE_ID%\n")
        try r.dir.write("usr/sbin/update-rc.d", "#!/bin/sh\nexit 0\n", mode: 0o755)
        let out = try WorkspaceLayoutTests.configure(r, Self.ws)
        let script = "/etc/init.d/omsagent-\(Self.ws)"
        #expect(out.serviceManager == .sysv && out.initScript == script && out.unitPath == nil)
        #expect(r.dir.read(String(script.dropFirst())) == "#!/bin/sh\n# omsagent-\(Self.ws)\nexec /opt/microsoft/omsagent/bin/service_control \"$1\" \(Self.ws)\n")
        let a = try #require(r.attributes(script))
        #expect(a.mode == 0o755 && a.uid == 0 && a.gid == 0)
        #expect(out.hostCommands.contains(["/usr/sbin/update-rc.d", "omsagent-\(Self.ws)", "defaults"]))
        #expect(out.hostCommands.last == [script, "restart"])
        #expect(!r.dir.exists("usr/lib/systemd/system/omsagent-\(Self.ws).service"))
        #expect(r.dir.exists("etc/opt/microsoft/omsagent/\(Self.ws)/conf/.service_registered"))
        // Removal deletes the script too.
        _ = try await WorkspaceRemoval.remove(Self.ws, context: InstallContext(root: r.root))
        #expect(!r.dir.exists(String(script.dropFirst())))
    }
}
