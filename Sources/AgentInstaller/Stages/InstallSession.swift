import AgentSupport
import Preflight

#if canImport(Glibc)
import Glibc
#endif

/// A prepared install: the host's facts, the bundle extracted into a private temporary directory, and the plan
/// made from both. `plan` prints `plan`; `install` checks `preflight` and then executes exactly that `plan`.
public struct InstallSession: Sendable {
    /// The gathered host facts.
    public var facts: HostFacts
    /// The extracted bundle.
    public var bundle: BundleExtraction
    /// The plan.
    public var plan: InstallPlan
    /// The private directory holding the extracted bundle (removed by `discard`).
    public var workDirectory: String
    /// The bundled packages' installed sizes the plan used.
    public var packageSizes: [String: Int64] = [:]
    /// The bundle file's stamp, when it did not change while it was hashed and extracted (or matched the receipt).
    public var bundleStamp: BundleFileStamp?
    /// True when the bundle was not extracted: the receipt's bundle has this file's stamp and digest, and the plan
    /// made from the receipt's manifest and the host's current facts changes nothing (see `prepareUnchanged`).
    public var fromReceipt = false

    /// Gathers facts of `root`, extracts the local bundle at `bundlePath` (checked against `expected` when
    /// given) and makes the plan. Nothing under `root` changes. With `reuseReceipt`, a re-run of the file the
    /// receipt recorded that would change nothing is decided without extracting it (`prepareUnchanged`).
    public static func prepare(root: HostRoot, bundlePath: String, expected: BundleDigest?, options: InstallOptions,
                               reuseReceipt: Bool = true) async throws(AgentError) -> InstallSession {
        let stamp = BundleFileStamp.of(bundlePath)
        let receipt = InstallReceipt.read(root: root)
        if reuseReceipt, let stamp, let receipt,
           let session = try await prepareUnchanged(root: root, receipt: receipt, stamp: stamp, expected: expected,
                                                    options: options) {
            return session
        }
        let work = try temporaryDirectory()
        do throws(AgentError) {
            let bundle = try BundleExtraction.extract(path: bundlePath, destination: work + "/bundle", expected: expected)
            var session = try await prepare(root: root, receipt: receipt, bundle: bundle, workDirectory: work,
                                            options: options)
            session.bundleStamp = stamp != nil && BundleFileStamp.of(bundlePath) == stamp ? stamp : nil
            return session
        } catch {
            try? FileIO.removeTree(work)
            throw error
        }
    }

    /// The no-op re-run without extraction. It applies only when `receipt` (the one under `root`) recorded a bundle file
    /// with this `stamp` (size, mtime, ctime, inode, device: the same bytes, so the same digest, manifest and
    /// package sizes) and that digest satisfies `expected`. The plan is then made by the same `InstallPlan.make`
    /// from the same manifest and sizes and the host's current facts (installed versions, flavour, python) —
    /// the full path's inputs except the extraction directory, which only appears in command strings. If that
    /// plan would change anything, nil: the caller extracts and plans as usual. Nothing under `root` changes.
    public static func prepareUnchanged(root: HostRoot, receipt: InstallReceipt, stamp: BundleFileStamp, expected: BundleDigest?,
                                        options: InstallOptions) async throws(AgentError) -> InstallSession? {
        guard receipt.bundleStamp == stamp, var bundle = receipt.bundle,
              let sizes = receipt.packageSizes, receipt.bundleSHA256 == bundle.sha256 else { return nil }
        if let expected {
            guard expected.hex.lowercased() == bundle.sha256.lowercased() else { return nil }
            bundle.verifiedAgainst = expected.source
        }
        let work = try temporaryDirectory()
        bundle.destination = work + "/bundle"
        do throws(AgentError) {
            var session = try await prepare(root: root, receipt: receipt, bundle: bundle, workDirectory: work,
                                            options: options, packageSizes: sizes)
            guard !session.plan.steps.contains(where: { $0.changesPackages || $0.changesFiles }) else {
                session.discard()
                return nil
            }
            session.bundleStamp = stamp
            session.fromReceipt = true
            return session
        } catch {
            try? FileIO.removeTree(work)
            throw error
        }
    }

    /// Downloads the bundle at `url` (see `BundleDownload`), then prepares exactly as for a local file; the
    /// download is removed once it is extracted, whatever the outcome.
    public static func prepare(root: HostRoot, bundleURL url: String, sha256: String?, sha256sums: String?,
                               configuration: HTTPClientConfiguration,
                               options: InstallOptions) async throws(AgentError) -> InstallSession {
        let download = try await BundleDownload.fetch(url: url, sha256: sha256, sha256sums: sha256sums,
                                                      configuration: configuration)
        defer { download.remove() }
        return try await prepare(root: root, bundlePath: download.file, expected: download.expected, options: options)
    }

    /// Makes the session from an already extracted bundle (`packageSizes` when known, else read from it);
    /// `receipt` is the one under `root`, read once by the caller.
    public static func prepare(root: HostRoot, receipt: InstallReceipt?, bundle: BundleExtraction, workDirectory: String,
                               options: InstallOptions, packageSizes: [String: Int64]? = nil) async throws(AgentError) -> InstallSession {
        let facts = await HostFacts.gather(root: root)
        var planFacts = try await PlanFacts.read(facts)
        if let receipt, InstallOutcome.reachedEnd(receipt.exitCode) {
            planFacts.completedBundleSHA256 = receipt.bundleSHA256
        }
        var sizes = packageSizes ?? [:]
        if packageSizes == nil {
            sizes = await PackageSizes.read(manifest: bundle.manifest, bundleDirectory: bundle.destination,
                                            flavour: planFacts.flavour, manager: planFacts.packageManager)
        }
        let plan = try InstallPlan.make(manifest: bundle.manifest, bundleDirectory: bundle.destination,
                                        bundleVersion: bundle.version, bundleSHA256: bundle.sha256, facts: planFacts, options: options,
                                        packageSizes: sizes)
        return InstallSession(facts: facts, bundle: bundle, plan: plan, workDirectory: workDirectory, packageSizes: sizes)
    }

    /// `context` with what the receipt keeps of this session's bundle (its stamp, extraction and package sizes),
    /// so that a re-run of the same file can be decided without extracting it.
    public func recording(into context: InstallRun.Context) -> InstallRun.Context {
        var copy = context
        copy.bundleSHA256 = bundle.sha256
        copy.bundleStamp = bundleStamp
        copy.bundle = bundle
        copy.packageSizes = packageSizes
        return copy
    }

    /// The pre-flight checks for an install and the code of the first blocking failure (0 when none).
    /// A held package lock does not block here: the install waits for it (`--lock-timeout`), then fails with 55.
    public func preflight(allowUnsupported: Bool = false) -> (checks: [Check], exitCode: Int32) {
        let checks = Preflight.evaluate(facts, options: PreflightOptions(forInstall: true, allowUnsupported: allowUnsupported))
        return (checks, Preflight.exitCode(of: checks.filter { $0.id != Self.waitedCheck }))
    }

    /// The pre-flight check the install waits out instead of failing on.
    public static let waitedCheck = "packages.lock"

    /// Removes the extracted bundle.
    public func discard() { try? FileIO.removeTree(workDirectory) }

    /// A new private directory under `$TMPDIR` (or /tmp), mode 0700, named after this process; the directories of
    /// runs that were killed before they could remove theirs are removed first.
    public static func temporaryDirectory() throws(AgentError) -> String {
        // A killed onboarding's staged key pair too (a re-run that reuses the identity never stages another).
        try StaleTemporaries.makeDirectory(prefix: "agent-installer", alsoRemoving: ["agent-installer-onboard"])
    }
}
