import AgentSupport
import ArgumentParser

/// The `agent-installer` command: installs, configures and onboards the Log Analytics agent.
struct AgentInstallerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-installer",
        abstract: "Install, configure and onboard the Log Analytics (OMS) agent on Linux.",
        discussion: """
            Exit codes follow the agent's documented table (see README.md); errors are one line on stderr.
            """,
        version: AgentInstallerVersion.current,
        subcommands: [
            PreflightCommand.self, BundleCommand.self, OnboardCommand.self, ProxyCommand.self, WorkspaceCommand.self,
            PlanCommand.self, InstallCommand.self, UninstallCommand.self,
            ExtensionCommand.self,
        ]
    )
}
