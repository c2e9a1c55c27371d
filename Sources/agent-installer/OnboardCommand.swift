import AgentInstaller
import AgentSupport
import ArgumentParser
import FoundationEssentials

/// `agent-installer onboard`: connects this machine to a Log Analytics workspace.
struct OnboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onboard",
        abstract: "Onboard the agent to a workspace (signed topology request, then the workspace configuration).",
        discussion: """
            Running it again with the stored settings (domain, resource id, marker, proxy) while the workspace's agent \
            runs is an explicit no-op (exit 0, no request); changed settings re-onboard with the same agent GUID; \
            --reonboard always sends a fresh request. Exit 33, 34 or 60: onboarded, but DSC registration failed, its \
            helper is missing, or there is no python; retry with `agent-installer workspace register-dsc`.
            """)

    @OptionGroup var onboarding: OnboardingArguments

    @Option(help: "Host root to configure (default /, the live host).")
    var root: String = "/"

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() async throws {
        try await CommandFailure.run { () throws(AgentError) in
            let options = try onboarding.options()
            let context = InstallContext(root: try HostRoot(root))
            let report = try await Self.execute(options, context: context)
            Self.render(report, format: format)
            try Self.partialResult(report)
        }
    }

    /// Onboarded, but DSC registration failed or could not run: exit 33, 34 or 60 with the step's one line
    /// (retry with `workspace register-dsc`).
    static func partialResult(_ report: OnboardingReport?) throws(AgentError) {
        guard let report, let code = report.partialExitCode, let dsc = report.dsc else { return }
        throw AgentError(code, dsc.message)
    }

    /// Onboards with the real HTTP transport (reused by `install`).
    static func execute(_ options: OnboardingOptions, context: InstallContext) async throws(AgentError) -> OnboardingReport {
        try await Onboarding.execute(options, context: context, transport: HTTPTopologyTransport())
    }

    static func render(_ report: OnboardingReport, format: OutputFormat) {
        switch format {
        case .json:
            print(OutputFormat.json(report))
        case .text where report.unchanged:
            print("Workspace \(report.workspace) already onboarded, settings unchanged, agent running; no request sent "
                  + "(use --reonboard to send a fresh request).")
        case .text:
            print("Onboarded workspace \(report.workspace) (agent \(report.agentGUID), "
                  + "\(report.primary ? "primary" : "secondary"), \(report.reusedIdentity ? "existing" : "new") certificate)")
            if !report.changedSettings.isEmpty { print("re-onboarded because of: \(report.changedSettings.joined(separator: ", "))") }
            if let daemon = report.syslogDaemon { print("syslog: \(daemon) forwards to 127.0.0.1:\(report.syslogPort)") }
            if let manager = report.serviceManager, let path = report.serviceRegistration {
                print("service: \(manager.rawValue) \(path)")
            }
            for c in report.hostCommands { print(report.hostCommandsRun ? "ran: \(c)" : "on the live host, run: \(c)") }
            if let dsc = report.dsc, dsc.exitCode == nil, dsc.status != .notApplicable { print(dsc.message) }
            for w in report.warnings where !w.hasPrefix("re-onboarding with") {
                CommandFailure.printError("agent-installer: warning: \(w)")
            }
        }
    }
}

/// `--format text|json`.
enum OutputFormat: String, ExpressibleByArgument, Sendable {
    case text, json

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
