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

    /// Gathers facts of `root`, extracts the local bundle at `bundlePath` (checked against `expected` when
    /// given) and makes the plan. Nothing under `root` changes.
    public static func prepare(root: HostRoot, bundlePath: String, expected: BundleDigest?,
                               options: InstallOptions) async throws(AgentError) -> InstallSession {
        let work = try temporaryDirectory()
        do throws(AgentError) {
            let bundle = try BundleExtraction.extract(path: bundlePath, destination: work + "/bundle", expected: expected)
            return try await prepare(root: root, bundle: bundle, workDirectory: work, options: options)
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

    /// Makes the session from an already extracted bundle.
    public static func prepare(root: HostRoot, bundle: BundleExtraction, workDirectory: String,
                               options: InstallOptions) async throws(AgentError) -> InstallSession {
        let facts = await HostFacts.gather(root: root)
        let planFacts = try await PlanFacts.read(facts)
        let sizes = await PackageSizes.read(manifest: bundle.manifest, bundleDirectory: bundle.destination,
                                            flavour: planFacts.flavour, manager: planFacts.packageManager)
        let plan = try InstallPlan.make(manifest: bundle.manifest, bundleDirectory: bundle.destination,
                                        bundleVersion: bundle.version, facts: planFacts, options: options,
                                        packageSizes: sizes)
        return InstallSession(facts: facts, bundle: bundle, plan: plan, workDirectory: workDirectory)
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
        StaleTemporaries.removeEnded(in: StaleTemporaries.temporaryBase, prefix: "agent-installer-onboard.",
                                     separator: ".", ownedBy: geteuid())
        return try StaleTemporaries.makeDirectory(prefix: "agent-installer")
    }
}
