import AgentSupport
import Preflight

#if canImport(Glibc)
import Glibc
#endif

/// Executes an `InstallPlan` (contract §7): checks free disk space, waits for the package lock, runs each step in
/// order, takes the retry path (stage 4) when OMI or SCX fails, stops at a failing stage with its code, rolls back
/// what this run changed (new packages purged, files restored), and writes the receipt.
public enum InstallRun {
    /// The environment of an execution.
    public struct Context: Sendable {
        /// Runs the package manager and the bundle's programs.
        public var runner: ProcessRunner
        /// How long to wait for the package lock.
        public var lockTimeout: Duration
        /// How often the lock holder is reported while waiting.
        public var lockReportEvery: Duration
        /// The bundle file's SHA-256, for the receipt.
        public var bundleSHA256: String?
        /// Progress lines for people.
        public var progress: @Sendable (String) -> Void
        /// For the receipt: the bundle file's stamp (`InstallSession.prepare` reuses the receipt on a re-run of
        /// the same file).
        public var bundleStamp: BundleFileStamp?
        /// For the receipt: the bundle's extraction (manifest, version, digest).
        public var bundle: BundleExtraction?
        /// For the receipt: the package sizes the plan used.
        public var packageSizes: [String: Int64]?

        /// Creates a context.
        public init(runner: ProcessRunner = ProcessRunner(), lockTimeout: Duration = .seconds(300),
                    lockReportEvery: Duration = .seconds(5), bundleSHA256: String? = nil,
                    progress: @escaping @Sendable (String) -> Void = { _ in }) {
            self.runner = runner
            self.lockTimeout = lockTimeout
            self.lockReportEvery = lockReportEvery
            self.bundleSHA256 = bundleSHA256
            self.progress = progress
        }
    }

    /// Runs the plan. A blocked plan, too little disk space and a held lock change nothing.
    public static func execute(_ plan: InstallPlan, context: Context) async -> InstallOutcome {
        var outcome = InstallOutcome(exitCode: 0, reason: ExitCode.success.reason, changed: false, message: "",
                                     failedStage: nil, errorLines: [], rolledBack: [], notUndone: [], log: [], receipt: nil)
        if let blocked = plan.blocked {
            return finish(&outcome, code: blocked.code, message: blocked.message)
        }
        let root = (try? HostRoot(plan.root)) ?? .live
        if !plan.steps.contains(where: { $0.changesPackages || $0.changesFiles }) {
            outcome.log = plan.steps.map { "\($0.component) \($0.action.rawValue): \($0.reason)" }
            finish(&outcome, code: 0, message: "nothing to change: every package is current")
            // The run that installed them may have been killed, or failed to write it on a full disk: record the state.
            if InstallReceipt.read(root: root) == nil {
                var state = InstallRunState(plan: plan, root: root, context: context)
                state.outcome = outcome
                outcome.receipt = await state.receipt(newlyInstalled: [], files: [])
            }
            return outcome
        }
        if let check = plan.steps.first(where: { $0.action == .check }),
           let error = DiskRequirement.verify(check.disk ?? [], root: root) {
            outcome.failedStage = check.component
            outcome.errorLines = [error.message]
            return finish(&outcome, code: error.code.rawValue, message: error.message)
        }
        var state = InstallRunState(plan: plan, root: root, context: context)
        do throws(AgentError) {
            try await PackageLockWait.wait(root: root, manager: plan.packageManager, timeout: context.lockTimeout,
                                           reportEvery: context.lockReportEvery, report: context.progress)
        } catch {
            return finish(&outcome, code: error.code.rawValue, message: error.message)
        }
        state.endPhase("lock")
        state.outcome = outcome
        if let failure = await state.runMain() {
            state.endPhase("packages")
            state.outcome.failedStage = failure.component
            state.outcome.errorLines = failure.lines
            await state.rollback()
            state.endPhase("rollback")
            state.outcome.changed = !state.outcome.notUndone.isEmpty
            finish(&state.outcome, code: failure.code, message: failure.message)
            state.outcome.receipt = await state.receipt(newlyInstalled: [], files: [])
            return state.outcome
        }
        let files = state.journal.changed
        state.journal.commit()
        state.endPhase("packages")
        let message = switch state.remembered {
        case 0: "installed \(plan.bundleVersion ?? "the bundle")"
        case ExitCode.auoms.rawValue: "installed, but auoms failed"
        default: "installed, but a provider kit failed"
        }
        finish(&state.outcome, code: state.remembered, message: message)
        state.outcome.receipt = await state.receipt(newlyInstalled: state.newlyInstalled, files: files)
        return state.outcome
    }

    /// Applies a file step through the journal (undone by `rollback`). Absent files are not removed or edited;
    /// a present file is not created again.
    static func applyFile(_ step: PlanStep, journal: ChangeJournal) throws(AgentError) {
        switch step.action {
        case .removeFile:
            for path in (step.path.map { [$0] } ?? []) + (step.paths ?? []) { try journal.remove(path) }
        case .editFile:
            guard let path = step.path else { return }
            let real = journal.real(path)
            guard let bytes = FileIO.read(real), let attrs = FileIO.attributes(real) else { return }
            let old = String(decoding: bytes, as: UTF8.self)
            let new = PlanFileEdits.apply(step.edit ?? .syslogHotfix, to: old)
            if new != old { try journal.write(path, Array(new.utf8), mode: mode_t(attrs.mode & 0o7777), owner: (attrs.uid, attrs.gid)) }
        case .createFile:
            guard let path = step.path, let content = step.content,
                  FileIO.kind(journal.real(path), followLinks: false) == nil else { return }
            let parent = String(path[..<path.lastIndex(of: "/")!])
            if !parent.isEmpty { try journal.directory(parent, mode: 0o755, owner: nil) }
            try journal.write(path, Array(content.utf8), mode: 0o644, owner: (0, 0))
        default:
            return
        }
    }

    /// The package manager's own lines without its warnings (and their indented continuation lines).
    static func errorLines(_ text: String) -> [String] {
        var result: [String] = []
        var inWarning = false
        for line in text.split(separator: "\n").map(String.init) {
            if line.contains("warning:") { inWarning = true; continue }
            if inWarning, line.first == " " || line.first == "\t" { continue }
            inWarning = false
            result.append(line)
        }
        return result
    }

    /// rpm (4.18) exits 0 when a `%post`/`%posttrans` scriptlet fails and only warns
    /// (`warning: %post(NAME) scriptlet failed, exit status N`): that line, when present.
    static func failedScriptlet(_ text: String) -> String? {
        text.split(separator: "\n").map(String.init).first { line in
            line.contains("scriptlet failed") && (line.contains("%post(") || line.contains("%posttrans("))
        }
    }

    /// Whether the package database knows `name` in any state but "not installed" (a failed unpack or
    /// configure leaves it there; a refused archive does not).
    static func inDatabase(_ name: String, root: HostRoot, manager: PackageManagerKind, runner: ProcessRunner) async -> Bool {
        switch manager {
        case .dpkg:
            return DpkgStatus(root: root)?.packages.contains {
                $0.name == name && !$0.status.hasSuffix(" not-installed") && !$0.status.hasSuffix(" config-files")
            } ?? false
        case .rpm:
            return await PlanFacts.installedVersions(root: root, manager: manager, names: [name], runner: runner)[name] != nil
        }
    }

    @discardableResult
    static func finish(_ outcome: inout InstallOutcome, code: Int32, message: String) -> InstallOutcome {
        outcome.exitCode = code
        outcome.reason = ExitCode(rawValue: code)?.reason ?? "exit-\(code)"
        outcome.message = message
        return outcome
    }
}

extension InstallRun {
    /// The package manager's line that says the disk is full, preferring one that names an absolute path.
    static func diskFull(_ lines: [String]) -> String? {
        let full = lines.filter { $0.contains("No space left on device") }.map { String($0.drop { $0 == " " || $0 == "\t" }) }
        return full.first { $0.contains("'/") || $0.contains(" /") } ?? full.first
    }
}
