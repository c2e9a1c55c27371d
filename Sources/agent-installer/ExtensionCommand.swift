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
/// private endpoint (or a test service) and its CA, and `--metadata-url` replaces the IMDS address ("" = never ask);
/// the guest agent never passes them.
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

    @Argument(parsing: .allUnrecognized, help: "The operation, optionally prefixed by - or / (-install, /enable…).")
    var operation: [String] = []

    mutating func run() async throws {
        let operations = Self.engineOperations(endpoint: endpoint, caFile: cacert,
                                               metadataURL: metadataURL.isEmpty ? nil : metadataURL)
        let code = await Self.execute(arguments: operation, handlerDirectory: handlerDirectory, root: root,
                                      operations: operations)
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
                        operations: some ExtensionOperations) async -> Int32 {
        let result = await ExtensionInvocation.run(
            arguments: arguments, handlerDirectory: handlerDirectory ?? Self.workingDirectory(), root: root,
            environment: Self.processEnvironment(), operations: operations)
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
