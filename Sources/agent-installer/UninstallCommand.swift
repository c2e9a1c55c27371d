import AgentInstaller
import AgentSupport
import ArgumentParser
import Preflight

/// `agent-installer uninstall`: removes the agent in reverse order; `--purge` also deletes its data trees.
struct UninstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove the agent (keeps workspace configuration and certificates); --purge deletes them too.")

    @Flag(help: "Also delete configuration, certificates and data.") var purge = false
    @Flag(help: "With --purge: purge omi and scx even while lad-mdsd or azsec-mdsd needs them.") var force = false
    @Option(help: "Host root (default /, the live host).") var root: String = "/"
    @Option(help: "Seconds to wait for the dpkg/rpm lock before failing with 55.") var lockTimeout: Int = 300
    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    func run() async throws {
        try await CommandFailure.run { () throws(AgentError) in
            let hostRoot = try HostRoot(root)
            let osRelease = (hostRoot.readText("/etc/os-release") ?? hostRoot.readText("/usr/lib/os-release")).map { OSRelease(text: $0) }
            guard let manager = PackageManagerKind.detect(root: hostRoot, osRelease: osRelease)
                ?? InstallReceipt.read(root: hostRoot)?.packageManager else {
                throw AgentError(.noPackageManager, "neither dpkg nor rpm found under \(root)")
            }
            let quiet = format == .json
            let outcome = try await Uninstall.execute(
                root: hostRoot, manager: manager, purge: purge, force: force, lockTimeout: .seconds(lockTimeout),
                progress: { line in if !quiet { CommandFailure.printError(line) } })
            if quiet {
                print(OutputFormat.json(outcome))
            } else {
                for (name, result) in outcome.packages.sorted(by: { $0.key < $1.key }) { print("\(name): \(result)") }
                for path in outcome.deleted { print("deleted \(path)") }
                for note in outcome.notes { print("note: \(note)") }
                print("status: \(outcome.exitCode)" + (outcome.changed ? "" : " (nothing to remove)"))
            }
            if outcome.exitCode != 0 { throw AgentError(.generic, "some agent parts remain") }
        }
    }
}
