import AgentInstaller
import AgentSupport
import ArgumentParser

extension WorkspaceCommand {
    /// `workspace repair WS | --all`: re-creates derived files from the stored configuration (`omsadmin.sh -R`).
    struct Repair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-create a workspace's derived files (links, dirs and modes, conf files, syslog, logrotate, "
                + "service, cron) from its omsadmin.conf and certificate, without contacting the service.",
            discussion: "Exit 1 when a workspace needs a fresh onboarding (omsadmin.conf missing, empty or incomplete, "
                + "or no key/certificate); nothing is changed for it.")
        @Argument(help: "Workspace id.") var workspace: String?
        @Flag(help: "Repair every workspace.") var all = false
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @Option(help: "Host root (default /).") var root: String = "/"

        func run() async throws {
            try await CommandFailure.run { () throws(AgentError) in
                let context = InstallContext(root: try HostRoot(root))
                let results: [WorkspaceRepair.Result]
                switch (workspace, all) {
                case (let ws?, false): results = [try await WorkspaceRepair.repair(ws, context: context)]
                case (nil, true): results = try await WorkspaceRepair.repairAll(context: context)
                default: throw AgentError(.usage, "give one workspace id or --all")
                }
                if format == .json { print(OutputFormat.json(results)) } else {
                    for r in results where !r.needsOnboarding {
                        print(r.message)
                        for c in r.hostCommands { print(r.hostCommandsRun ? "ran: \(c)" : "on the live host, run: \(c)") }
                    }
                    if results.isEmpty { print("No Workspace") }
                }
                let broken = results.filter(\.needsOnboarding)
                for r in broken.dropLast() { CommandFailure.printError("agent-installer: \(r.message)") }
                if let last = broken.last { throw AgentError(.generic, last.message) }
            }
        }
    }
}
