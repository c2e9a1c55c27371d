import AgentSupport
import FoundationEssentials
import Preflight

/// What one install run did (`var/lib/agent-installer/receipt.json` under the root): the bundle, the package
/// versions afterwards, every file created or changed, and the duration of each phase. `uninstall` reads it.
public struct InstallReceipt: Sendable, Codable, Equatable {
    /// The receipt's host path.
    public static let path = "/var/lib/agent-installer/receipt.json"

    /// One timed phase.
    public struct Phase: Sendable, Codable, Equatable {
        /// `lock`, `packages`, `rollback`, …
        public var name: String
        /// Its wall-clock duration in milliseconds.
        public var milliseconds: Int
    }

    /// The package manager the run used (`uninstall` falls back to it when detection finds none).
    public var packageManager: PackageManagerKind?
    /// The bundle's version.
    public var bundleVersion: String?
    /// The bundle file's SHA-256 (hex).
    public var bundleSHA256: String?
    /// The bundle file's stamp when it was hashed (unchanged from before extraction to after), if it was a file.
    public var bundleStamp: BundleFileStamp?
    /// The extracted bundle's description (manifest, version, digest) — what a re-run of the same file would
    /// extract; its `destination` is the run's, long gone.
    public var bundle: BundleExtraction?
    /// The bundled packages' installed sizes the plan used.
    public var packageSizes: [String: Int64]?
    /// Installed versions of the agent packages after the run.
    public var packages: [String: String]
    /// Packages this run newly installed (rolled back on failure).
    public var newlyInstalled: [String]
    /// Host paths this run created or changed.
    public var files: [String]
    /// Programs that would run on a live host but were not run for a `--root` tree.
    public var notRun: [String]
    /// The phases in order.
    public var phases: [Phase]
    /// Whether the run changed anything.
    public var changed: Bool
    /// The run's exit code.
    public var exitCode: Int32

    /// Writes the receipt atomically (mode 0644) under `root`.
    public func write(root: HostRoot) throws(AgentError) {
        let file = root.lexical(Self.path)
        try FileIO.makeDirectories(String(file[..<file.lastIndex(of: "/")!]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(self) else { throw AgentError(.internalError, "cannot encode the receipt") }
        try AtomicFile.write(file, Array(data) + [10], mode: 0o644)
    }

    /// Adds the onboarding that followed the install to its receipt: the host paths it created or changed (after
    /// the run's own, without repeats) and its duration as the phase `onboarding`. No receipt: nothing is written.
    public static func recordOnboarding(root: HostRoot, files: [String], milliseconds: Int) throws(AgentError) {
        guard var receipt = read(root: root) else { return }
        receipt.files.removeAll { $0 == path }
        for file in files where !receipt.files.contains(file) { receipt.files.append(file) }
        receipt.files.append(path)
        receipt.phases.append(Phase(name: "onboarding", milliseconds: milliseconds))
        receipt.changed = receipt.changed || !files.isEmpty
        try receipt.write(root: root)
    }

    /// Reads the receipt under `root`; nil when absent or unreadable.
    public static func read(root: HostRoot) -> InstallReceipt? {
        guard let bytes = root.readFile(path) else { return nil }
        return try? JSONDecoder().decode(InstallReceipt.self, from: Data(bytes))
    }
}
