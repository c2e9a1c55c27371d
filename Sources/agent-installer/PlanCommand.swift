import AgentInstaller
import AgentSupport
import ArgumentParser

/// `agent-installer plan`: prints the install plan (the same value `install` executes) and changes nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print what install would do: package manager, flavour, ordered steps with versions and reasons.")

    @OptionGroup var arguments: InstallArguments

    @Flag(help: "Allow downgrades (dpkg without --refuse-downgrade, rpm --force).")
    var force = false

    /// The onboarding that follows (`-w` and a key, as for `install`), and the proxy (`-p`, `--proxy-file`,
    /// `--proxy-stdin`) and `--cacert` for a bundle URL.
    @OptionGroup var onboarding: OnboardingArguments

    func run() async throws {
        try await CommandFailure.run { () throws(AgentError) in
            let (onboardingOptions, downloadProxy) = try onboarding.installRequest()
            var session = try await arguments.session(force: force, proxy: downloadProxy, cacert: onboarding.cacert)
            defer { session.discard() }
            try await InstallCommand.planOnboarding(&session, options: onboardingOptions)
            print(Self.render(session.plan, format: arguments.format))
            if let blocked = session.plan.blocked { throw AgentError(ExitCode(rawValue: blocked.code) ?? .internalError, blocked.message) }
        }
    }

    /// The plan as text (one line per step, the command under it) or JSON.
    static func render(_ plan: InstallPlan, format: OutputFormat) -> String {
        if format == .json { return OutputFormat.json(plan) }
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        var lines = ["Plan for \(plan.root): \(plan.packageManager.rawValue), OpenSSL flavour \(plan.flavour.rawValue), "
                     + "bundle \(plan.bundleVersion ?? "unknown"), mode \(plan.options.mode.rawValue)"
                     + (plan.options.force ? ", force" : "")]
        if let blocked = plan.blocked { lines.append("BLOCKED (\(blocked.code)): \(blocked.message)") }
        func render(_ steps: [PlanStep], label: (Int) -> String) {
            for (i, step) in steps.enumerated() {
                let versions = step.bundled.map { "\(step.installed ?? "-") → \($0)" } ?? ""
                lines.append("\(pad(label(i), 5))\(pad("[\(step.stage)]", 5))\(pad(step.component, 16)) \(pad(step.action.rawValue, 15)) "
                             + "\(pad(versions, 26)) \(step.reason)")
                if let test = step.test { lines.append("       test: \(test.joined(separator: " "))") }
                if let c = step.onlyIf { lines.append("       only if \(c.path) \(c.exists ? "exists" : "is absent")") }
                if !step.command.isEmpty { lines.append("       \(step.command.joined(separator: " "))") }
                for need in step.disk ?? [] {
                    lines.append("       \(need.paths.joined(separator: ", ")) (at \(need.measured)): "
                                 + "\(need.requiredBytes) bytes required, \(need.availableBytes) available")
                }
                if let path = step.path { lines.append("       file \(path)") }
                if let paths = step.paths, let first = paths.first {
                    lines.append("       \(paths.count) files, each if present: \(first)" + (paths.count > 1 ? " … (all in --format json)" : ""))
                }
                if let diff = step.diff { lines += diff.split(separator: "\n").map { "       " + $0 } }
            }
        }
        render(plan.steps) { "\($0 + 1)." }
        if !plan.retryPath.isEmpty {
            lines.append("If OMI or SCX fails (stage 4, retry path; then on with stage 5):")
            render(plan.retryPath) { "r\($0 + 1)." }
        }
        if let onboarding = plan.onboarding { lines += renderOnboarding(onboarding) }
        lines.append("Services: " + (plan.services.isEmpty ? "none" : plan.services.joined(separator: ", ")))
        lines.append("Files: \(InstallReceipt.path) (receipt)" + (plan.changesPackages ? "" : " — nothing to change"))
        return lines.joined(separator: "\n")
    }

    /// The onboarding steps: the §10.2 decision, then one line per step with its files, diffs and commands.
    static func renderOnboarding(_ plan: OnboardingPlan) -> [String] {
        var lines = ["Onboarding workspace \(plan.workspace) (\(plan.primary ? "primary" : "secondary")): "
                     + (plan.decision == .noRequest ? "no request" : "request") + " — \(plan.reason)"]
        for (i, step) in plan.steps.enumerated() {
            lines.append("o\(i + 1).  \(step.id.rawValue): \(step.summary)")
            for f in step.files {
                lines.append("       \(f.path) \(f.mode) \(f.owner) (\(f.content))")
                if let diff = f.diff { lines += diff.split(separator: "\n").map { "         " + $0 } }
            }
            for c in step.commands {
                lines.append("       " + (plan.hostCommandsRun ? "runs: " : "printed, not run: ") + c.joined(separator: " "))
            }
        }
        return lines
    }
}
