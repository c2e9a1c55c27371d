import AgentInstaller
import AgentSupport
import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `agent-installer extension <op>`: the VM-extension handler mode, as the guest agent runs it from
/// `HandlerManifest.json` (`extension -install`, `-enable`, …) with the handler directory as working directory.
///
/// The operations are `ExtensionEngine`'s. The hidden `--endpoint`/`--cacert` options point the onboarding at a
/// private endpoint (or a test service) and its CA, and `--metadata-url` replaces the IMDS address ("" = never ask).
/// For tests only, the hidden `--retry-interval SECONDS` replaces the 30 s pause between install lock retries and
/// onboarding retries, and `--time-limit SECONDS` replaces the guest agent's limit (which otherwise runs from the
/// process's start). The guest agent never passes any of them.
struct ExtensionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extension",
        abstract: "Run a VM-extension handler operation (install, enable, disable, uninstall, update).")

    @Option(name: .customLong("handler-dir"), help: "The extension's directory (default: the working directory).")
    var handlerDirectory: String?

    @Option(help: "The host root to read and write (default: /).")
    var root: String = "/"

    @Option(help: .hidden) var endpoint: String?

    @Option(help: .hidden) var cacert: String?

    @Option(name: .customLong("metadata-url"), help: .hidden) var metadataURL: String = InstanceMetadata.defaultURL

    @Option(name: .customLong("retry-interval"), help: .hidden) var retryInterval: Double?

    @Option(name: .customLong("time-limit"), help: .hidden) var timeLimit: Double?

    @Argument(parsing: .allUnrecognized, help: "The operation, optionally prefixed by - or / (-install, /enable…).")
    var operation: [String] = []

    mutating func run() async throws {
        let start = ProcessStart.instant()
        var operations = Self.engineOperations(endpoint: endpoint, caFile: cacert,
                                               metadataURL: metadataURL.isEmpty ? nil : metadataURL)
        if let retryInterval, retryInterval >= 0 {
            operations.installRetry.interval = .milliseconds(Int64(retryInterval * 1000))
            operations.enableRetry.interval = .milliseconds(Int64(retryInterval * 1000))
        }
        let limit = timeLimit.flatMap { $0 > 0 ? Duration.milliseconds(Int64($0 * 1000)) : nil }
        let code = await Self.execute(arguments: operation, handlerDirectory: handlerDirectory, root: root,
                                      operations: operations, processStart: start, timeLimit: limit)
        if code != 0 { throw ArgumentParser.ExitCode(code) }
    }

    /// The engines' `ExtensionOperations`, onboarding to `endpoint` verified by `caFile` when given, asking IMDS at
    /// `metadataURL` (nil: never).
    static func engineOperations(endpoint: String? = nil, caFile: String? = nil,
                                 metadataURL: String? = InstanceMetadata.defaultURL) -> ExtensionEngine {
        ExtensionEngine(endpoint: endpoint, caFile: caFile, metadataURL: metadataURL)
    }

    /// Runs the handler and prints the one summary line on stdout; returns the exit code.
    static func execute(arguments: [String], handlerDirectory: String?, root: String,
                        operations: some ExtensionOperations, processStart: ContinuousClock.Instant? = nil,
                        timeLimit: Duration? = nil) async -> Int32 {
        let result = await ExtensionInvocation.run(
            arguments: arguments, handlerDirectory: handlerDirectory ?? Self.workingDirectory(), root: root,
            environment: Self.processEnvironment(), operations: operations, processStart: processStart,
            timeLimit: timeLimit)
        print(result.summaryLine)
        return result.code
    }

    static func workingDirectory() -> String {
        guard let p = getcwd(nil, 0) else { return "." }
        defer { free(p) }
        return String(cString: p)
    }

    static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { result[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            p += 1
        }
        return result
    }
}
