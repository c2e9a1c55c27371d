import AgentInstaller
import AgentSupport
import ArgumentParser

extension WorkspaceCommand {
    /// `workspace register-dsc [WS]`: retries DSC registration of the primary workspace alone (contract §10.14).
    struct RegisterDSC: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register-dsc",
            abstract: "Register the primary workspace with DSC (the omsconfig metaconfig helper, run as omsagent).",
            discussion: "Exit 33 when the helper fails, 34 when it is missing, 60 without python; a --root tree only "
                + "reports the step as skipped.")
        @Argument(help: "Workspace id (default: the primary workspace).") var workspace: String?
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @Option(help: "Host root (default /).") var root: String = "/"

        func run() async throws {
            try await CommandFailure.run { () throws(AgentError) in
                let context = InstallContext(root: try HostRoot(root))
                try AgentPaths.requireAdministrator(root: context.root)
                guard let primary = AgentPaths.primaryWorkspace(root: context.root) else {
                    throw AgentError(.generic, "no primary workspace is onboarded (ETC/conf does not link to one)")
                }
                if let workspace, workspace.lowercased() != primary.lowercased() {
                    throw AgentError(.usage, "DSC registration is for the primary workspace only (\(primary)), not \(workspace)")
                }
                let outcome = await DSCRegistration.execute(workspace: primary, context: context)
                if format == .json { print(OutputFormat.json(outcome)) } else if outcome.exitCode == nil { print(outcome.message) }
                if let code = outcome.exitCode { throw AgentError(code, outcome.message) }
            }
        }
    }
}
