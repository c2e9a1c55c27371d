import AgentInstaller
import AgentSupport
import ArgumentParser

/// `agent-installer install`: pre-flight, then executes the plan `plan` prints; onboards afterwards when
/// workspace options are given. `--force` is package-level only (downgrade, like the bundle's `--force`);
/// `--reonboard` sends a fresh onboarding request for an unchanged, running workspace.
struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install or upgrade the agent packages from a bundle (then onboard, with -w and a key).")

    @OptionGroup var arguments: InstallArguments
    @OptionGroup var onboarding: OnboardingArguments

    @Flag(help: "Allow downgrades (dpkg without --refuse-downgrade, rpm --force); does not re-onboard (--reonboard).")
    var force = false

    @Flag(help: "Print the plan and change nothing (same as `plan`).")
    var dryRun = false

    @Option(help: "Seconds to wait for the dpkg/rpm lock before failing with 55.")
    var lockTimeout: Int = 300

    @Flag(help: "Report an unsupported distribution or architecture as a warning in pre-flight.")
    var allowUnsupported = false

    /// The machine-readable result of `install`.
    struct Result: Encodable {
        var exitCode: Int32
        var reason: String
        var changed: Bool
        var plan: InstallPlan
        var outcome: InstallOutcome?
        var onboarding: OnboardingReport?
    }

    func run() async throws {
        try await CommandFailure.run { () throws(AgentError) in
            let (onboardingOptions, downloadProxy) = try onboarding.installRequest()
            var session = try await arguments.session(force: force, proxy: downloadProxy, cacert: onboarding.cacert)
            defer { session.discard() }
            try await Self.planOnboarding(&session, options: onboardingOptions)
            if dryRun {
                print(PlanCommand.render(session.plan, format: arguments.format))
                return
            }
            let (checks, code) = session.preflight(allowUnsupported: allowUnsupported)
            if code != 0 {
                for c in checks where c.status == .fail && c.id != InstallSession.waitedCheck {
                    CommandFailure.printError("agent-installer: preflight \(c.id): \(c.summary) (required: \(c.required))")
                }
                throw AgentError(ExitCode(rawValue: code) ?? .internalError, "pre-flight failed; nothing was changed")
            }
            let json = arguments.format == .json
            let outcome = await Self.execute(session, lockTimeout: lockTimeout, quiet: json)
            var result = Result(exitCode: outcome.exitCode, reason: outcome.reason, changed: outcome.changed,
                                plan: session.plan, outcome: outcome, onboarding: nil)
            if InstallOutcome.reachedEnd(outcome.exitCode), let onboardingOptions,
               let plan = session.plan.onboarding {
                let context = InstallContext(root: session.facts.root)
                let started = ContinuousClock.now
                let report = try await OnboardCommand.execute(plan, options: onboardingOptions, context: context)
                result.onboarding = report
                if !report.unchanged {
                    let milliseconds = (ContinuousClock.now - started).wholeMilliseconds
                    do throws(AgentError) {
                        try InstallReceipt.recordOnboarding(root: session.facts.root, files: report.filesChanged,
                                                            milliseconds: milliseconds)
                    } catch {
                        CommandFailure.printError("agent-installer: warning: cannot add the onboarding to the receipt: \(error.message)")
                    }
                }
            }
            if json { print(OutputFormat.json(result)) } else {
                Self.renderText(outcome)
                if let report = result.onboarding { OnboardCommand.render(report, format: .text) }
            }
            if outcome.exitCode != 0 { throw AgentError(ExitCode(rawValue: outcome.exitCode) ?? .internalError, outcome.message) }
            try OnboardCommand.partialResult(result.onboarding)
        }
    }

    /// Adds the onboarding steps to the session's plan (the value `plan`, `--dry-run` and `install` share).
    static func planOnboarding(_ session: inout InstallSession, options: OnboardingOptions?) async throws(AgentError) {
        guard let options else { return }
        session.plan.onboarding = try await OnboardingPlan.make(options, context: InstallContext(root: session.facts.root),
                                                                agentInstalledByPlan: session.plan.installsAgent)
    }

    /// Executes the session's plan, printing progress lines to stderr unless `quiet`.
    static func execute(_ session: InstallSession, lockTimeout: Int, quiet: Bool) async -> InstallOutcome {
        let context = InstallRun.Context(lockTimeout: .seconds(lockTimeout), bundleSHA256: session.bundle.sha256,
                                         progress: { line in if !quiet { CommandFailure.printError(line) } })
        return await InstallRun.execute(session.plan, context: session.recording(into: context))
    }

    static func renderText(_ outcome: InstallOutcome) {
        for line in outcome.log { print(line) }
        if let stage = outcome.failedStage {
            print("FAILED stage \(stage) (exit \(outcome.exitCode)):")
            for line in outcome.errorLines { print("  \(line)") }
        }
        for line in outcome.rolledBack { print("rolled back: \(line)") }
        for line in outcome.notUndone { print("NOT undone: \(line)") }
        print("status: \(outcome.exitCode) \(outcome.reason): \(outcome.message)" + (outcome.changed ? "" : " (no changes)"))
    }
}
