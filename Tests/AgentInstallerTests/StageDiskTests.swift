import AgentInstaller
import AgentSupport
import Preflight
import Testing
import TestSupport

/// Stage 0: the summed installed size of the planned packages plus a margin must fit on each filesystem of the
/// root's /opt, /etc/opt and /var/opt, checked before anything changes (52 otherwise).
@Suite struct StageDiskTests {
    /// Mounts a tmpfs of `size` at `path` for `body`, unmounting afterwards whatever happens.
    func withTmpfs(_ path: String, size: String, _ body: () async throws -> Void) async throws {
        let mount = try await Oracle.run(["mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        try #require(mount.succeeded, "mount -t tmpfs is not permitted here: \(mount.standardError)")
        do {
            try await body()
        } catch {
            _ = try? await Oracle.run(["umount", path])
            throw error
        }
        _ = try await Oracle.run(["umount", path])
    }

    func available(_ path: String) async throws -> Int64 {
        let out = try await Oracle.output(["python3", "-c", "import os,sys;s=os.statvfs(sys.argv[1]);print(s.f_bavail*s.f_frsize)", path])
        return Int64(out.split(separator: "\n").first ?? "") ?? -1
    }

    @Test("a 2 MiB /opt: 52 before any change, naming the path, the required and the available bytes")
    func tooSmall() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        try r.dir.mkdir("root/opt")
        try await withTmpfs(r.dir.url("root/opt"), size: "2m") {
            let plan = try await r.plan(bundle)
            let check = try #require(plan.steps.first)
            #expect(check.action == .check && check.failureCode == 52)
            // Oracle: dpkg-deb's Installed-Size (KiB) of the four planned packages.
            var sum: Int64 = 0
            for p in bundle.manifest.packages(flavour: "300", format: "deb") {
                let kib = try await Oracle.output(["dpkg-deb", "--field", bundle.destination + "/" + p.path, "Installed-Size"])
                sum += (Int64(kib.split(separator: "\n").first ?? "") ?? 0) * 1024
            }
            let needs = try #require(check.disk)
            #expect(needs.count == 2, "\(needs)")  // the tmpfs /opt, and the filesystem of the rest
            let opt = try #require(needs.first { $0.paths == ["/opt"] })
            #expect(opt.requiredBytes == sum + DiskRequirement.margin)
            #expect(opt.availableBytes == (try await available(r.dir.url("root/opt"))))
            #expect(needs.first { $0.paths != ["/opt"] }?.paths == ["/etc/opt", "/var/opt"])
            let outcome = await InstallRun.execute(plan, context: .init())
            #expect(outcome.exitCode == 52, "\(outcome)")
            #expect(outcome.reason == "system-problem")
            #expect(outcome.failedStage == "disk")
            #expect(outcome.message.contains("/opt") && outcome.message.contains("\(sum + DiskRequirement.margin) bytes required")
                    && outcome.message.contains("\(opt.availableBytes) available"), "\(outcome.message)")
            #expect(!outcome.changed)
            #expect(try await r.dpkgQuery().isEmpty)
            #expect(r.maintainerLog.isEmpty)
            #expect(!r.dir.exists("root/var/lib/agent-installer/receipt.json"))
            #expect(FileIO.list(r.dir.url("root/opt")).isEmpty)
        }
    }

    @Test("a /opt with room installs; space is measured again at run time")
    func enough() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        try r.dir.mkdir("root/opt")
        try await withTmpfs(r.dir.url("root/opt"), size: "64m") {
            let plan = try await r.plan(bundle)
            // Fill the tmpfs after planning: the run measures again and stops.
            let fill = try await Oracle.run(["dd", "if=/dev/zero", "of=\(r.dir.url("root/opt/fill"))", "bs=1M", "count=60"])
            #expect(fill.succeeded)
            let stopped = await InstallRun.execute(plan, context: .init())
            #expect(stopped.exitCode == 52 && r.maintainerLog.isEmpty, "\(stopped)")
            _ = try await Oracle.run(["rm", "-f", r.dir.url("root/opt/fill")])
            let outcome = await InstallRun.execute(plan, context: .init())
            #expect(outcome.exitCode == 0, "\(outcome)")
            #expect(try await r.dpkgQuery().count == 4)
            _ = try await Uninstall.execute(root: r.root, manager: .dpkg, purge: true)
        }
    }
}
