import AgentSupport
import Preflight

#if canImport(Glibc)
import Glibc
#endif

/// Executes an `InstallPlan` (contract §7): waits for the package lock, runs each step's command in order, stops
/// at a failing package stage with its code, rolls back packages this run newly installed, and writes the receipt.
public enum InstallRun {
    /// The environment of an execution.
    public struct Context: Sendable {
        /// Runs the package manager.
        public var runner: ProcessRunner
        /// How long to wait for the package lock.
        public var lockTimeout: Duration
        /// How often the lock holder is reported while waiting.
        public var lockReportEvery: Duration
        /// The bundle file's SHA-256, for the receipt.
        public var bundleSHA256: String?
        /// Progress lines for people.
        public var progress: @Sendable (String) -> Void

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

    /// Runs the plan. A blocked plan and a held lock change nothing.
    public static func execute(_ plan: InstallPlan, context: Context) async -> InstallOutcome {
        var outcome = InstallOutcome(exitCode: 0, reason: ExitCode.success.reason, changed: false, message: "",
                                     failedStage: nil, errorLines: [], rolledBack: [], notUndone: [], log: [], receipt: nil)
        if let blocked = plan.blocked {
            return finish(&outcome, code: blocked.code, message: blocked.message)
        }
        let root = (try? HostRoot(plan.root)) ?? .live
        let clock = ContinuousClock()
        var phases: [InstallReceipt.Phase] = []
        var phaseStart = clock.now
        func endPhase(_ name: String) {
            let d = clock.now - phaseStart
            phases.append(.init(name: name, milliseconds: Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)))
            phaseStart = clock.now
        }
        if !plan.changesPackages {
            outcome.log = plan.steps.map { "\($0.component) \($0.action.rawValue): \($0.reason)" }
            finish(&outcome, code: 0, message: "nothing to change: every package is current")
            // The run that installed them may have been killed, or failed to write it on a full disk: record the state.
            if InstallReceipt.read(root: root) == nil {
                outcome.receipt = await receipt(plan, root: root, context: context, newlyInstalled: [], notRun: [],
                                                files: [], phases: phases, outcome: outcome)
            }
            return outcome
        }
        do throws(AgentError) {
            try await PackageLockWait.wait(root: root, manager: plan.packageManager, timeout: context.lockTimeout,
                                           reportEvery: context.lockReportEvery, report: context.progress)
        } catch {
            return finish(&outcome, code: error.code.rawValue, message: error.message)
        }
        endPhase("lock")
        var newlyInstalled: [String] = []
        var replaced: [PlanStep] = []
        var notRun: [String] = []
        var remembered: Int32 = 0
        let journal = ChangeJournal(root: root)
        for step in plan.steps {
            switch step.action {
            case .removeFile, .editFile:
                do throws(AgentError) {
                    try applyFile(step, journal: journal)
                    outcome.log.append("\(step.component) \(step.action.rawValue) \(step.path ?? ""): done")
                    outcome.changed = true
                } catch {
                    endPhase("packages")
                    outcome.failedStage = step.component
                    outcome.errorLines = [error.message]
                    await rollback(plan: plan, root: root, newlyInstalled: newlyInstalled, replaced: replaced,
                                   journal: journal, context: context, outcome: &outcome)
                    endPhase("rollback")
                    finish(&outcome, code: step.failureCode, message: "\(step.component) stage failed: \(error.message)")
                    outcome.receipt = await receipt(plan, root: root, context: context, newlyInstalled: [], notRun: notRun,
                                                    files: [], phases: phases, outcome: outcome)
                    return outcome
                }
                continue
            case .skip, .refuse:
                outcome.log.append("\(step.component) \(step.action.rawValue): \(step.reason)")
                continue
            case .liveHostOnly:
                notRun.append(step.command.joined(separator: " "))
                outcome.log.append("\(step.component) not run: \(step.reason)")
                continue
            case .install, .upgrade, .downgrade, .run:
                break
            }
            context.progress("\(step.component): \(step.action.rawValue) \(step.bundled ?? "")")
            let result: (status: Int32, text: String)
            do throws(AgentError) {
                let out = try await context.runner.run(step.command)
                result = (out.succeeded ? 0 : (out.status == 0 ? 124 : out.status), out.standardError + out.standardOutput)
            } catch {
                result = (127, error.message)
            }
            if result.status == 0 {
                outcome.changed = outcome.changed || step.changesPackages
                if step.action == .install { newlyInstalled.append(step.component) }
                if step.action == .upgrade || step.action == .downgrade { replaced.append(step) }
                outcome.log.append("\(step.component) \(step.action.rawValue): done")
                continue
            }
            let lines = errorLines(result.text)
            if !step.stopsOnFailure {
                remembered = remembered == 0 ? step.failureCode : remembered
                outcome.log.append("\(step.component) failed (\(result.status)), continuing")
                outcome.errorLines += lines
                continue
            }
            endPhase("packages")
            outcome.failedStage = step.component
            outcome.errorLines = lines
            // A failed install of a new package may leave it half-installed: then it is part of this run's changes.
            if step.action == .install,
               await inDatabase(step.component, root: root, manager: plan.packageManager, runner: context.runner) {
                newlyInstalled.append(step.component)
            }
            if step.action == .upgrade || step.action == .downgrade { replaced.append(step) }
            await rollback(plan: plan, root: root, newlyInstalled: newlyInstalled, replaced: replaced,
                           journal: journal, context: context, outcome: &outcome)
            endPhase("rollback")
            outcome.changed = !outcome.notUndone.isEmpty || outcome.rolledBack.count < newlyInstalled.count
            // dpkg's status 2 is a dependency or system problem, not the package's own failure (§13: 52).
            // So are OMI's control tool's 2 ("daemon control tool") and 3 ("missing omi server conf") (§7 stage 2).
            let systemProblem = step.component == "omi-reload" ? (result.status == 2 || result.status == 3)
                : (plan.packageManager == .dpkg && result.status == 2)
            let message = "\(step.component) stage failed: \(step.command.first ?? "") exited \(result.status)"
                + (systemProblem ? " (a dependency or system problem)" : "") + (diskFull(lines).map { ": \($0)" } ?? "")
            finish(&outcome, code: systemProblem ? ExitCode.systemProblem.rawValue : step.failureCode, message: message)
            outcome.receipt = await receipt(plan, root: root, context: context, newlyInstalled: [], notRun: notRun,
                                            files: [], phases: phases, outcome: outcome)
            return outcome
        }
        let files = journal.changed
        journal.commit()
        endPhase("packages")
        finish(&outcome, code: remembered,
               message: remembered == 0 ? "installed \(plan.bundleVersion ?? "the bundle")"
                   : "installed, but a provider kit failed")
        outcome.receipt = await receipt(plan, root: root, context: context, newlyInstalled: newlyInstalled,
                                        notRun: notRun, files: files, phases: phases, outcome: outcome)
        return outcome
    }

    /// Removes what this run newly installed, in reverse order; upgrades cannot be undone and are reported.
    static func rollback(plan: InstallPlan, root: HostRoot, newlyInstalled: [String], replaced: [PlanStep],
                         journal: ChangeJournal, context: Context, outcome: inout InstallOutcome) async {
        for path in journal.changed.reversed() { outcome.rolledBack.append("restored \(path)") }
        journal.rollback()
        let command = PackageCommand(root: root, manager: plan.packageManager, options: plan.options)
        for name in newlyInstalled.reversed() {
            let argv = command.remove([name], purge: true)
            let out = try? await context.runner.run(argv)
            if out?.succeeded == true {
                outcome.rolledBack.append("purged \(name)")
            } else {
                outcome.notUndone.append("\(name): removal failed: \(out?.standardError ?? "could not run \(argv[0])")")
            }
        }
        for step in replaced.reversed() {
            outcome.notUndone.append("\(step.component): \(step.action.rawValue) from \(step.installed ?? "?") to \(step.bundled ?? "?") cannot be undone (the old package is not in the bundle)")
        }
    }

    /// Applies a file step through the journal (undone by `rollback`).
    static func applyFile(_ step: PlanStep, journal: ChangeJournal) throws(AgentError) {
        guard let path = step.path else { return }
        switch step.action {
        case .removeFile:
            try journal.remove(path)
        case .editFile:
            let real = journal.real(path)
            guard let bytes = FileIO.read(real), let attrs = FileIO.attributes(real) else { return }
            let old = String(decoding: bytes, as: UTF8.self)
            let new = PlanFileEdits.syslogHotfix(old)
            if new != old { try journal.write(path, Array(new.utf8), mode: mode_t(attrs.mode & 0o7777), owner: (attrs.uid, attrs.gid)) }
        default:
            return
        }
    }

    /// The package manager's line that says the disk is full, preferring one that names an absolute path.
    static func diskFull(_ lines: [String]) -> String? {
        let full = lines.filter { $0.contains("No space left on device") }.map { String($0.drop { $0 == " " || $0 == "\t" }) }
        return full.first { $0.contains("'/") || $0.contains(" /") } ?? full.first
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

    static func receipt(_ plan: InstallPlan, root: HostRoot, context: Context, newlyInstalled: [String],
                        notRun: [String], files: [String], phases: [InstallReceipt.Phase],
                        outcome: InstallOutcome) async -> InstallReceipt? {
        let versions = await PlanFacts.installedVersions(root: root, manager: plan.packageManager,
                                                         names: InstallPlan.packageOrder, runner: context.runner)
        let receipt = InstallReceipt(packageManager: plan.packageManager, bundleVersion: plan.bundleVersion, bundleSHA256: context.bundleSHA256,
                                     packages: versions, newlyInstalled: newlyInstalled, files: files + [InstallReceipt.path],
                                     notRun: notRun, phases: phases, changed: outcome.changed, exitCode: outcome.exitCode)
        do throws(AgentError) {
            try receipt.write(root: root)
        } catch {
            context.progress("warning: cannot write the receipt: \(error.message)")
        }
        return receipt
    }
}
