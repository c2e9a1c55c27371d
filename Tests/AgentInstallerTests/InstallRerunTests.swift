import AgentInstaller
import AgentSupport
import FoundationEssentials
import Preflight
import Testing
import TestSupport

/// The idempotent re-run without extraction (`InstallSession.prepareUnchanged`): taken only when the receipt's
/// bundle stamp and digest match and the plan still changes nothing, and then the same plan as the full path.
/// `sha256sum` is the oracle for the digest; dpkg removes a package behind the receipt's back.
@Suite struct InstallRerunTests {
    /// The plan as JSON with the extraction directory replaced by a placeholder (it is random per session).
    static func normalized(_ session: InstallSession) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(session.plan)
        return String(decoding: data, as: UTF8.self).replacing(session.bundle.destination, with: "BUNDLE")
    }

    static func prepare(_ t: InstallCLITests.Tree, reuse: Bool, expected: BundleDigest? = nil) async throws -> InstallSession {
        try await InstallSession.prepare(root: try HostRoot(t.root), bundlePath: t.bundle, expected: expected,
                                         options: InstallOptions(), reuseReceipt: reuse)
    }

    @Test("same file, nothing to change: decided from the receipt without extraction, with the full path's plan")
    func unchangedBundle() async throws {
        let cli = InstallCLITests()
        let t = try await cli.tree()
        #expect(try await cli.run(["install", "--bundle", t.bundle, "--root", t.root]).status == 0)
        let receipt = try #require(InstallReceipt.read(root: try HostRoot(t.root)))
        let sum = try await Oracle.output(["sha256sum", t.bundle]).split(separator: " ").first.map(String.init)
        #expect(receipt.bundleSHA256 == sum && receipt.bundle?.sha256 == sum && receipt.bundleStamp?.size == FileIO.attributes(t.bundle)?.size)

        let full = try await Self.prepare(t, reuse: false)
        defer { full.discard() }
        let fast = try await Self.prepare(t, reuse: true)
        defer { fast.discard() }
        #expect(fast.fromReceipt && !full.fromReceipt)
        #expect(FileIO.kind(fast.bundle.destination, followLinks: false) == nil, "extracted anyway")
        #expect(FileIO.kind(full.bundle.destination, followLinks: false) == .directory)
        let (fastPlan, fullPlan) = (try Self.normalized(fast), try Self.normalized(full))
        #expect(fastPlan == fullPlan, "\(fastPlan)\n----\n\(fullPlan)")
        #expect(fast.plan.steps.filter { InstallPlan.packageOrder.contains($0.component) }.allSatisfy { $0.action == .skip })
        #expect(fast.bundle.sha256 == sum && fast.packageSizes == full.packageSizes)

        // A matching expected digest keeps the short path; a wrong one takes the full path, which refuses (80).
        let right = try await Self.prepare(t, reuse: true, expected: BundleDigest(hex: sum ?? "", source: "test"))
        right.discard()
        #expect(right.fromReceipt && right.bundle.verifiedAgainst == "test")
        let wrong = BundleDigest(hex: String(repeating: "0", count: 64), source: "test")
        await #expect(throws: AgentError.self) { _ = try await Self.prepare(t, reuse: true, expected: wrong) }

        // The CLI re-run: nothing to change, and the receipt is left as it was.
        let before = FileIO.read(t.root + InstallReceipt.path)
        let again = try await cli.run(["install", "--bundle", t.bundle, "--root", t.root, "--format", "json"])
        let changed = try cli.changed(again.standardOutput)
        #expect(again.status == 0 && !changed)
        #expect(FileIO.read(t.root + InstallReceipt.path) == before)
    }

    @Test("a run of this bundle that did not reach its end leaves stage 9 to the next run; after a completed run a deleted cron job stays deleted")
    func unfinishedRunHousekeeping() async throws {
        let cli = InstallCLITests()
        let t = try await cli.tree()
        #expect(try await cli.run(["install", "--bundle", t.bundle, "--root", t.root]).status == 0)
        let root = try HostRoot(t.root)
        let cron = t.root + PlanFileEdits.consistencyInvokerCron
        #expect(FileIO.kind(cron, followLinks: false) == .regular)
        // The administrator removes the cron job after a completed run: a re-run of the same bundle changes nothing.
        try FileIO.remove(cron)
        let completed = try await Self.prepare(t, reuse: true)
        completed.discard()
        #expect(completed.fromReceipt && !completed.plan.steps.contains { $0.stage == 9 })

        // The receipt of a run that stopped (omsagent stage, 17): the packages are current, the housekeeping is owed.
        var receipt = try #require(InstallReceipt.read(root: root))
        receipt.exitCode = 17
        try receipt.write(root: root)
        let owed = try await Self.prepare(t, reuse: true)
        owed.discard()
        #expect(!owed.fromReceipt)
        #expect(owed.plan.steps.filter { InstallPlan.packageOrder.contains($0.component) }.allSatisfy { $0.action == .skip })
        #expect(owed.plan.steps.filter { $0.stage == 9 }.map(\.action) == [.removeFile, .removeFile, .createFile, .liveHostOnly])
        let run = try await cli.run(["install", "--bundle", t.bundle, "--root", t.root])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(FileIO.kind(cron, followLinks: false) == .regular)
        #expect(InstallReceipt.read(root: root)?.exitCode == 0)
        let done = try await Self.prepare(t, reuse: true)
        done.discard()
        #expect(done.fromReceipt)

        // No receipt at all (a first run killed before its end, or packages installed by another tool): the same.
        try FileIO.remove(t.root + InstallReceipt.path)
        let none = try await Self.prepare(t, reuse: true)
        none.discard()
        #expect(!none.fromReceipt && none.plan.steps.contains { $0.stage == 9 })
    }

    @Test("the same bytes rewritten (mtime restored: ctime differs) or a package removed: the full path is taken")
    func changedBundleOrHost() async throws {
        let cli = InstallCLITests()
        let t = try await cli.tree()
        #expect(try await cli.run(["install", "--bundle", t.bundle, "--root", t.root]).status == 0)
        // dpkg removes omsconfig behind the receipt's back: the stamp still matches, the plan does not.
        let removed = try await Oracle.run(["dpkg", "--root", t.root, "--force-script-chrootless", "--log=\(t.root)/var/log/dpkg.log",
                                            "--remove", "omsconfig"])
        #expect(removed.succeeded, "\(removed.standardError)")
        let after = try await Self.prepare(t, reuse: true)
        after.discard()
        #expect(!after.fromReceipt && after.bundleStamp != nil)
        #expect(after.plan.steps.first { $0.component == "omsconfig" }?.action == .install)
        #expect(try await cli.run(["install", "--bundle", t.bundle, "--root", t.root]).status == 0)
        let back = try await Self.prepare(t, reuse: true)
        back.discard()
        #expect(back.fromReceipt)

        let rewrite = """
            import os, sys
            p = sys.argv[1]; st = os.stat(p); data = open(p, 'rb').read()
            open(p, 'wb').write(data); os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
            """
        #expect(try await Oracle.run(["python3", "-c", rewrite, t.bundle]).succeeded)
        let rewritten = try await Self.prepare(t, reuse: true)
        rewritten.discard()
        #expect(!rewritten.fromReceipt)
        #expect(rewritten.plan.steps.filter { InstallPlan.packageOrder.contains($0.component) }.allSatisfy { $0.action == .skip })
    }
}
