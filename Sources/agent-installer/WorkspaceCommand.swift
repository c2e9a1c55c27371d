import AgentInstaller
import AgentSupport
import ArgumentParser

/// `agent-installer workspace list|remove|repair|register-dsc|migrate` (contract §10.10, §10.14, §10.15).
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "List, remove, repair or migrate onboarded workspaces; retry DSC registration.",
        subcommands: [List.self, Remove.self, Repair.self, RegisterDSC.self, Migrate.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workspaces (omsadmin.sh -l format).")
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @Option(help: "Host root (default /).") var root: String = "/"

        func run() async throws {
            try await CommandFailure.run { () throws(AgentError) in
                let inventory = await WorkspaceInventory.read(context: InstallContext(root: try HostRoot(root)))
                switch format {
                case .text: print(inventory.text, terminator: "")
                case .json: print(OutputFormat.json(inventory.workspaces))
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one workspace, or --all.")
        @Argument(help: "Workspace id.") var workspace: String?
        @Flag(help: "Remove every workspace.") var all = false
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @Option(help: "Host root (default /).") var root: String = "/"

        func run() async throws {
            try await CommandFailure.run { () throws(AgentError) in
                let context = InstallContext(root: try HostRoot(root))
                let results: [WorkspaceRemoval.Result]
                switch (workspace, all) {
                case (let ws?, false): results = [try await WorkspaceRemoval.remove(ws, context: context)]
                case (nil, true): results = try await WorkspaceRemoval.removeAll(context: context)
                default: throw AgentError(.usage, "give one workspace id or --all")
                }
                if format == .json { print(OutputFormat.json(results)); return }
                for r in results {
                    print(r.found ? "removed workspace \(r.workspace)" : "workspace \(r.workspace) is not onboarded")
                    if !context.root.isLive { for c in r.hostCommands { print("on the live host, run: \(c)") } }
                }
            }
        }
    }
}
