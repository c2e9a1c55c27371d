import AgentInstaller
import AgentSupport
import ArgumentParser
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// `agent-installer bundle`: fetch, inspect and unpack the agent's shell bundle.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Fetch, verify, inspect and unpack the agent bundle.",
        subcommands: [BundleFetchCommand.self, BundleInspectCommand.self, BundleExtractCommand.self]
    )
}

/// Text for people or JSON for programs.
enum BundleOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Shared rendering of the bundle commands: errors as one line with the documented exit code, JSON output.
enum BundleCLI {
    /// Prints `error` (and its hint) on stderr and returns the exit to throw.
    static func fail(_ error: AgentError) -> ArgumentParser.ExitCode {
        printError("agent-installer: error: \(error.message)")
        if let hint = error.hint { printError("agent-installer: remedy: \(hint)") }
        return ArgumentParser.ExitCode(error.code.rawValue)
    }

    static func printError(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Pretty JSON with sorted keys, one document.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func isURL(_ text: String) -> Bool { text.hasPrefix("https://") || text.hasPrefix("http://") }
}
