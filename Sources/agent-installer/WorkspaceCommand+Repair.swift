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
