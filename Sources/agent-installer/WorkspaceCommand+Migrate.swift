import AgentInstaller
import AgentSupport
import ArgumentParser

extension WorkspaceCommand {
    /// `workspace migrate`: moves a pre-multi-homing host into the per-workspace layout (`omsadmin.sh -U`).
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a legacy (pre-multi-homing) host's ETC/conf, certs and VAR directories under its workspace.",
            discussion: "Nothing to do on a host with the per-workspace layout (exit 0). Exit 1 when the legacy "
                + "omsadmin.conf is unusable or the workspace directory already exists; nothing is changed then.")
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @Option(help: "Host root (default /).") var root: String = "/"

        func run() async throws {
            try await CommandFailure.run { () throws(AgentError) in
                let result = try await WorkspaceMigration.migrate(context: InstallContext(root: try HostRoot(root)))
                if format == .json { print(OutputFormat.json(result)); return }
                print(result.message)
                for c in result.hostCommands { print(result.hostCommandsRun ? "ran: \(c)" : "on the live host, run: \(c)") }
            }
        }
    }
}
