import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// The generated packages really install with dpkg and rpm into temporary roots, in order, and their maintainer
/// scripts leave the log and the users later issues rely on. Nothing on the host is touched.
@Suite("Bundle fixture packages")
struct BundleFixtureTests {
    /// A dpkg database under `root`.
    func dpkgRoot(_ dir: TemporaryDirectory) throws -> String {
        for d in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/log"] { try dir.mkdir("root/" + d) }
        try dir.write("root/var/lib/dpkg/status", "")
        try dir.write("root/var/lib/dpkg/available", "")
        try dir.write("root/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
        try dir.write("root/etc/group", "root:x:0:\n")
        return dir.url("root")
    }

    func dpkg(_ root: String, _ args: [String]) async throws -> ProcessOutput {
        try await Oracle.run(["dpkg", "--root", root, "--force-script-chrootless", "--log=\(root)/var/log/dpkg.log",
                              "--force-confold", "--force-confdef"] + args)
    }

    func log(_ root: String) -> [String] {
        (FileIO.read(root + "/var/log/agent-fixture/maintainer.log").map { String(decoding: $0, as: UTF8.self) } ?? "")
            .split(separator: "\n").map(String.init)
    }

    @Test("debs install in order into a dpkg root; omsagent creates its users; purge removes them")
    func debs() async throws {
        let dir = TemporaryDirectory()
        _ = try await Fixtures.bundle(in: dir.path)
        let root = try dpkgRoot(dir)
        let pk = dir.url("packages-1.14.19-0/300")
        for name in ["omi-1.6.10-2.ulinux.s.x64", "scx-1.6.10-1.universal.s.x64", "omsagent-1.14.19-0.universal.x64",
                     "omsconfig-1.1.1-932.universal.x64"] {
            let out = try await dpkg(root, ["--install", "\(pk)/\(name).deb"])
            #expect(out.succeeded, "\(out.standardError)")
        }
        let status = try await Oracle.output(["dpkg-query", "--admindir=\(root)/var/lib/dpkg", "-W", "-f=${Package} ${Version}\n"])
        #expect(status.split(separator: "\n").sorted() == ["omi 1.6.10.2", "omsagent 1.14.19-0", "omsconfig 1.1.1-932", "scx 1.6.10.1"])
        #expect(log(root).filter { $0.contains("postinst") }.map { String($0.split(separator: " ")[0]) }
                == ["omi", "scx", "omsagent", "omsconfig"])
        let users = UserDatabase(root: try HostRoot(root))
        let omsagent = try #require(users.user(named: "omsagent"))
        #expect(omsagent.home == "/var/opt/microsoft/omsagent/run")
        #expect(users.group(gid: omsagent.gid)?.name == "omiusers")
        #expect(users.group(named: "omi")?.members == ["omsagent"])
        let info = dir.read("root/etc/opt/microsoft/omsagent/sysconf/installinfo.txt") ?? ""
        #expect(info.hasPrefix("1.14.19-0 "))
        #expect(FileIO.attributes(root + "/var/opt/microsoft/omsagent")?.uid == omsagent.uid)

        // omsagent refuses to install without omi/scx (dependencies are real).
        let bare = TemporaryDirectory()
        let bareRoot = try dpkgRoot(bare)
        let lonely = try await dpkg(bareRoot, ["--install", "\(pk)/omsagent-1.14.19-0.universal.x64.deb"])
        #expect(!lonely.succeeded)
        #expect(lonely.standardError.contains("omi"))

        let purge = try await dpkg(root, ["--purge", "omsconfig", "omsagent"])
        #expect(purge.succeeded, "\(purge.standardError)")
        let after = UserDatabase(root: try HostRoot(root))
        #expect(after.user(named: "omsagent") == nil && after.group(named: "omsagent") == nil)
        #expect(log(root).suffix(3) == ["omsagent service_control disable", "omsagent postrm remove", "omsagent postrm purge"])
    }

    @Test("upgrading to the newer bundle's debs runs the upgrade scripts with the old version")
    func debUpgrade() async throws {
        let dir = TemporaryDirectory()
        _ = try await Fixtures.bundle(in: dir.path)
        _ = try await Fixtures.bundle(in: dir.path, version: "1.14.20-0")
        let root = try dpkgRoot(dir)
        for set in ["packages-1.14.19-0", "packages-1.14.20-0"] {
            for name in ["omi", "scx", "omsagent"] {
                let deb = FileIO.list(dir.url("\(set)/110")).first { $0.hasPrefix(name + "-") && $0.hasSuffix(".deb") }!
                let out = try await dpkg(root, ["--install", dir.url("\(set)/110/\(deb)")])
                #expect(out.succeeded, "\(out.standardError)")
            }
        }
        #expect(log(root).contains("omsagent preinst upgrade 1.14.19-0 1.14.20-0"))
        #expect(log(root).contains("omsagent postinst configure 1.14.19-0"))
        #expect(dir.read("root/etc/opt/microsoft/omsagent/sysconf/installinfo.txt")?.hasPrefix("1.14.20-0 ") == true)
    }

    @Test("FAIL_SCRIPT builds a package whose script fails")
    func failingScript() async throws {
        let dir = TemporaryDirectory()
        _ = try await Fixtures.bundle(in: dir.path, environment: ["FAIL_SCRIPT": "omi.postinst"])
        let root = try dpkgRoot(dir)
        let out = try await dpkg(root, ["--install", dir.url("packages-1.14.19-0/100/omi-1.6.10-2.ulinux.s.x64.deb")])
        #expect(!out.succeeded)
        #expect(log(root) == ["omi preinst install", "omi postinst configure "])
    }

    @Test("rpms install in order into an rpm root (scriptlets chrooted) and erase cleanly")
    func rpms() async throws {
        let dir = TemporaryDirectory()
        _ = try await Fixtures.bundle(in: dir.path)
        let root = dir.url("rpmroot")
        _ = try await Oracle.output([Fixtures.directory + "/make-rpm-root", root])
        let pk = dir.url("packages-1.14.19-0/110")
        let rpm = ["rpm", "--root", root, "--dbpath", "/var/lib/rpm"]
        let install = try await Oracle.run(rpm + ["-ivh"] + ["omi-1.6.10-2.ulinux.s.x64", "scx-1.6.10-1.universal.s.x64",
            "omsagent-1.14.19-0.universal.x64", "omsconfig-1.1.1-932.universal.x64"].map { "\(pk)/\($0).rpm" })
        #expect(install.succeeded, "\(install.standardError)")
        #expect(log(root).filter { $0.contains("postinst") } == ["omi postinst 1", "scx postinst 1", "omsagent postinst 1", "omsconfig postinst 1"])
        let users = UserDatabase(root: try HostRoot(root))
        #expect(users.user(named: "omsagent").flatMap { users.group(gid: $0.gid)?.name } == "omiusers")
        let q = try await Oracle.output(rpm + ["-q", "omsagent"])
        #expect(q == "omsagent-1.14.19-0.x86_64\n")
        let erase = try await Oracle.run(rpm + ["-e", "omsconfig", "omsagent"])
        #expect(erase.succeeded, "\(erase.standardError)")
        #expect(UserDatabase(root: try HostRoot(root)).user(named: "omsagent") == nil)
    }
}
