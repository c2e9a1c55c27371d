import AgentSupport
import Preflight

/// The bookkeeping of one `InstallRun`: what the run changed so far (new packages, replaced packages, packages the
/// retry path removed, journaled files), what it did not run, the remembered kit/auoms code, and the phases.
struct InstallRunState {
    /// A stage that stopped the run.
    struct Failure {
        var component: String
        var code: Int32
        var message: String
        var lines: [String]
    }

    let plan: InstallPlan
    let root: HostRoot
    let context: InstallRun.Context
    let journal: ChangeJournal
    var outcome = InstallOutcome(exitCode: 0, reason: ExitCode.success.reason, changed: false, message: "",
                                 failedStage: nil, errorLines: [], rolledBack: [], notUndone: [], log: [], receipt: nil)
    /// Packages that were not installed before this run and are now (purged on rollback), in order.
    var newlyInstalled: [String] = []
    /// Upgrades and downgrades done (cannot be undone: the old package is not in the bundle).
    var replaced: [PlanStep] = []
    /// Packages installed before the run that the retry path (or stage 8, before its upgrade) removed and did not
    /// add again: name → version.
    var removedByRetry: [String: String] = [:]
    /// Which step removed each of `removedByRetry`, for the not-undone report.
    var removedBy: [String: String] = [:]
    var notRun: [String] = []
    /// The last remembered code of a step that does not stop the run (21 provider kit, 22 auoms).
    var remembered: Int32 = 0
    var phases: [InstallReceipt.Phase] = []
    private let clock = ContinuousClock()
    private var phaseStart: ContinuousClock.Instant

    init(plan: InstallPlan, root: HostRoot, context: InstallRun.Context) {
        self.plan = plan
        self.root = root
        self.context = context
        journal = ChangeJournal(root: root)
        phaseStart = clock.now
    }

    mutating func endPhase(_ name: String) {
        let d = clock.now - phaseStart
        phases.append(.init(name: name, milliseconds: d.wholeMilliseconds))
        phaseStart = clock.now
    }

    /// The step conditions of a step list, evaluated once when the list starts.
    func conditions(_ steps: [PlanStep]) -> [Bool] {
        steps.map { step in step.onlyIf.map { root.exists($0.path) == $0.exists } ?? true }
    }

    /// Runs the main steps; an OMI/SCX failure runs the retry path and, when that succeeds, continues after stage 3.
    mutating func runMain() async -> Failure? {
        let steps = plan.steps
        let holds = conditions(steps)
        var index = 0
        while index < steps.count {
            let step = steps[index]
            let applies = holds[index]
            index += 1
            guard let failure = await perform(step, applies: applies) else { continue }
            guard step.retriesOnFailure, !plan.retryPath.isEmpty else { return failure }
            outcome.log.append("\(step.component) failed (exit \(failure.code)): taking the retry path")
            outcome.log += failure.lines.map { "  \($0)" }
            context.progress("\(step.component) failed: taking the retry path")
            let retry = plan.retryPath
            let retryHolds = conditions(retry)
            for (i, r) in retry.enumerated() {
                if let failed = await perform(r, applies: retryHolds[i]) {
                    return Failure(component: "retry:" + failed.component, code: failed.code,
                                   message: "retry path failed: " + failed.message, lines: failed.lines)
                }
            }
            while index < steps.count, steps[index].stage <= 3 { index += 1 }
        }
        return nil
    }

    /// Performs one step; nil when the run goes on.
    mutating func perform(_ step: PlanStep, applies: Bool) async -> Failure? {
        if !applies {
            outcome.log.append("\(step.component) \(step.action.rawValue): skipped (\(step.onlyIf.map { $0.path + ($0.exists ? " absent" : " present") } ?? ""))")
            return nil
        }
        switch step.action {
        case .check:
            outcome.log.append("\(step.component) check: passed")
            return nil
        case .removeFile, .editFile, .createFile:
            let before = journal.changed.count
            do throws(AgentError) {
                try InstallRun.applyFile(step, journal: journal)
            } catch {
                return Failure(component: step.component, code: step.failureCode,
                               message: "\(step.component) stage failed: \(error.message)", lines: [error.message])
            }
            let done = journal.changed.dropFirst(before)
            outcome.log.append("\(step.component) \(step.action.rawValue) \(step.path ?? "(\(step.paths?.count ?? 0) paths)"): "
                               + (done.isEmpty ? "nothing to do" : "done \(done.joined(separator: " "))"))
            if !done.isEmpty { outcome.changed = true }
            return nil
        case .skip, .refuse:
            outcome.log.append("\(step.component) \(step.action.rawValue): \(step.reason)")
            return nil
        case .liveHostOnly:
            notRun.append(step.command.joined(separator: " "))
            outcome.log.append("\(step.component) not run: \(step.reason)")
            return nil
        case .remove:
            await removeForRetry(step)
            return nil
        case .install, .upgrade, .downgrade, .run:
            return await runProgram(step)
        }
    }

    /// Stage 4's removal of one package: skipped when absent, a failure reported and ignored.
    mutating func removeForRetry(_ step: PlanStep) async {
        guard await InstallRun.inDatabase(step.component, root: root, manager: plan.packageManager, runner: context.runner) else {
            outcome.log.append("\(step.component) remove: not installed")
            return
        }
        let by = step.stage == 4 ? "the retry path" : "stage \(step.stage) before its upgrade"
        context.progress("\(step.component): remove (\(by))")
        let out = try? await context.runner.run(step.command)
        if out?.succeeded != true {
            outcome.log.append("\(step.component) remove failed (ignored): "
                               + (InstallRun.errorLines(out?.standardError ?? "").joined(separator: " | ")))
        } else {
            outcome.log.append("\(step.component) remove: done")
        }
        outcome.changed = true
        if let i = newlyInstalled.firstIndex(of: step.component) {
            newlyInstalled.remove(at: i)
        } else if let version = step.installed {
            removedByRetry[step.component] = version
            removedBy[step.component] = by
        }
        replaced.removeAll { $0.component == step.component }
    }

    /// Runs a package or program step (after its applicability test, if any).
    mutating func runProgram(_ step: PlanStep) async -> Failure? {
        if let test = step.test {
            let status = (try? await context.runner.run(test))?.status ?? 127
            if status != 0 {
                outcome.log.append("\(step.component) not applicable (its test exited \(status))")
                return nil
            }
        }
        context.progress("\(step.component): \(step.action.rawValue) \(step.bundled ?? "")")
        var status: Int32
        var text: String
        do throws(AgentError) {
            let out = try await context.runner.run(step.command)
            status = out.succeeded ? 0 : (out.status == 0 ? 124 : out.status)
            text = out.standardError + out.standardOutput
        } catch {
            (status, text) = (127, error.message)
        }
        var lines: [String] = []
        if status == 0, plan.packageManager == .rpm, step.changesPackages, let scriptlet = InstallRun.failedScriptlet(text) {
            status = 1
            lines.append(scriptlet)
        }
        if status == 0 {
            outcome.changed = outcome.changed || step.changesPackages
            recordSuccess(step)
            outcome.log.append("\(step.component) \(step.action.rawValue): done")
            return nil
        }
        lines += InstallRun.errorLines(text)
        if !step.stopsOnFailure {
            if step.failureCode != 0 { remembered = step.failureCode }
            outcome.log.append("\(step.component) failed (\(status)), continuing")
            outcome.errorLines += lines
            return nil
        }
        // A failed install of a new package may leave it half-installed: then it is part of this run's changes.
        if step.action == .install {
            if await InstallRun.inDatabase(step.component, root: root, manager: plan.packageManager, runner: context.runner) {
                recordSuccess(step)
            }
        } else if step.changesPackages {
            // An upgrade after its package was removed (stage 8) that left nothing behind: the removal is what
            // cannot be undone.
            let removedFirst = removedByRetry[step.component] != nil
            if !removedFirst {
                recordSuccess(step)
            } else if await InstallRun.inDatabase(step.component, root: root, manager: plan.packageManager, runner: context.runner) {
                recordSuccess(step)
            }
        }
        let systemProblem = step.systemProblemStatuses.contains(status)
        let message = "\(step.component) stage failed: \(step.command.first ?? "") "
            + (lines.first.map { $0.contains("scriptlet failed") ? "reported: \($0)" : "exited \(status)" } ?? "exited \(status)")
            + (systemProblem ? " (a dependency or system problem)" : "") + (InstallRun.diskFull(lines).map { ": \($0)" } ?? "")
        return Failure(component: step.component, code: systemProblem ? ExitCode.systemProblem.rawValue : step.failureCode,
                       message: message, lines: lines)
    }

    /// Records a package change: a new package, or a replaced one (also when the retry path removed it first).
    mutating func recordSuccess(_ step: PlanStep) {
        switch step.action {
        case .install:
            if let version = removedByRetry.removeValue(forKey: step.component) {
                var upgrade = step
                upgrade.action = .upgrade
                upgrade.installed = version
                replaced.append(upgrade)
            } else if !newlyInstalled.contains(step.component) {
                newlyInstalled.append(step.component)
            }
        case .upgrade, .downgrade:
            if let version = removedByRetry.removeValue(forKey: step.component) {
                var upgrade = step
                upgrade.installed = version
                replaced.append(upgrade)
            } else {
                replaced.append(step)
            }
        default:
            break
        }
    }

    /// Restores journaled files, purges new packages in reverse order, and states what cannot be undone.
    mutating func rollback() async {
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
            let first = removedBy[step.component].map { " (\($0) removed \(step.installed ?? "it") first)" } ?? ""
            outcome.notUndone.append("\(step.component): \(step.action.rawValue) from \(step.installed ?? "?") to \(step.bundled ?? "?") cannot be undone (the old package is not in the bundle)\(first)")
        }
        for (name, version) in removedByRetry.sorted(by: { $0.key < $1.key }) {
            outcome.notUndone.append("\(name): \(version) was removed by \(removedBy[name] ?? "the retry path") and cannot be restored (the old package is not in the bundle)")
        }
    }

    /// `paths` without repeats, in first-seen order (a file removed in stage 5 and created in stage 9 is one entry).
    func unique(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// Writes the run's receipt under the root.
    func receipt(newlyInstalled: [String], files: [String]) async -> InstallReceipt? {
        let versions = await PlanFacts.installedVersions(root: root, manager: plan.packageManager,
                                                         names: InstallPlan.packageOrder, runner: context.runner)
        var receipt = InstallReceipt(packageManager: plan.packageManager, bundleVersion: plan.bundleVersion,
                                     bundleSHA256: context.bundleSHA256, packages: versions, newlyInstalled: newlyInstalled,
                                     files: unique(files) + [InstallReceipt.path], notRun: notRun, phases: phases,
                                     changed: outcome.changed, exitCode: outcome.exitCode)
        receipt.bundleStamp = context.bundleStamp
        receipt.bundle = context.bundle
        receipt.packageSizes = context.packageSizes
        do throws(AgentError) {
            try receipt.write(root: root)
        } catch {
            context.progress("warning: cannot write the receipt: \(error.message)")
        }
        return receipt
    }
}
