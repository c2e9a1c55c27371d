import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The process entry point.
///
/// The command runs as a detached task on the cooperative pool while the main thread waits; the process then ends
/// through `exit()`. An `async` `@main` would park the main thread in `dispatch_main()`, whose `pthread_exit` makes
/// a static binary sort its whole unwind table on every start (most of `--version`'s time, see BENCHMARKS.md).
/// Nothing in the tool is `@MainActor`-isolated, so the waiting main thread is never needed.
@main
enum EntryPoint {
    static func main() {
        Task.detached {
            await run()
            exit(0)
        }
        while true { pause() }
    }

    /// Parses and runs the command. A usage error (unknown option, missing value) exits with the documented code 2
    /// instead of ArgumentParser's 64; everything else keeps the command's own code.
    static func run() async {
        do {
            var command = try AgentInstallerCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if AgentInstallerCommand.exitCode(for: error) == .validationFailure {
                let message = AgentInstallerCommand.fullMessage(for: error)
                let line = Array((message.hasSuffix("\n") ? message : message + "\n").utf8)
                _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                exit(2)
            }
            AgentInstallerCommand.exit(withError: error)
        }
    }
}
