import AgentInstaller
import AgentSupport
import ArgumentParser

/// `agent-installer proxy set|clear|show`: the agent's `proxy.conf` (contract §11).
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy", abstract: "Set, clear or show the agent's proxy (proxy.conf).",
        subcommands: [Set.self, Clear.self, Show.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write proxy.conf: [http://][user:password@]host[:port].")
        @Argument(help: "The proxy (prefer --stdin when it has a password).") var url: String?
        @Flag(help: "Read the proxy from standard input.") var stdin = false
        @Option(help: "Host root (default /).") var root: String = "/"

        func run() async throws {
            try await CommandFailure.run { () throws(AgentError) in
                let text: String
                switch (url, stdin) {
                case (let u?, false):
                    if u.unicodeScalars.contains("@") {
                        CommandFailure.printError("agent-installer: warning: a proxy password on the command line is visible "
                                                  + "to every local user; use proxy set --stdin")
                    }
                    text = u
                case (nil, true): text = String(decoding: FileIO.read("/dev/stdin", limit: 4096) ?? [], as: UTF8.self)
                default: throw AgentError(.usage, "give the proxy either as an argument or with --stdin")
                }
                let proxy = try ProxyConfiguration.parse(text)
                let context = InstallContext(root: try HostRoot(root))
                try ProxyConfigurationFile.write(proxy, root: context.root)
                print("proxy set: \(proxy)")
                await ProxyCommand.restartServices(context)
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove proxy.conf (and the legacy one).")
        @Option(help: "Host root (default /).") var root: String = "/"

        func run() async throws {
            try await CommandFailure.run { () throws(AgentError) in
                let context = InstallContext(root: try HostRoot(root))
                let removed = try ProxyConfigurationFile.clear(root: context.root)
                print(removed.isEmpty ? "no proxy was configured" : "proxy cleared")
                if !removed.isEmpty { await ProxyCommand.restartServices(context) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the proxy with the password masked.")
        @Option(help: "Host root (default /).") var root: String = "/"

        func run() async throws {
            try await CommandFailure.run { () throws(AgentError) in
                let proxy = try ProxyConfigurationFile.read(root: try HostRoot(root))
                print(proxy.map { "\($0)" } ?? "no proxy configured")
            }
        }
    }

    /// The workspace services read proxy.conf at start: restart them on the live host, else say so.
    static func restartServices(_ context: InstallContext) async {
        let argv = [AgentPaths.serviceControl, "restart"]
        guard context.root.isLive else {
            print("on the live host, run: \(argv.joined(separator: " "))")
            return
        }
        guard context.root.isExecutable(AgentPaths.serviceControl) else { return }
        if let out = try? await context.runner.run(argv, timeout: .seconds(120)), !out.succeeded {
            CommandFailure.printError("agent-installer: warning: \(argv.joined(separator: " ")) exited with \(out.status)")
        }
    }
}
