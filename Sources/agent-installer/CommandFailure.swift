import AgentSupport
import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// Turns an `AgentError` into the documented exit: one line on stderr (and a `remedy:` line), then the code.
enum CommandFailure {
    static func exit(_ error: AgentError) -> ArgumentParser.ExitCode {
        printError("agent-installer: \(error.message)")
        if let hint = error.hint { printError("remedy: \(hint)") }
        return ArgumentParser.ExitCode(error.code.rawValue)
    }

    static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// Runs `body`, converting an `AgentError` into the exit code.
    static func run(_ body: () async throws(AgentError) -> Void) async throws {
        do {
            try await body()
        } catch {
            throw exit(error)
        }
    }
}
