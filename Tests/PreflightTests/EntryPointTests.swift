import AgentSupport
import Testing
import TestSupport

/// The process entry point: documented exit codes for usage errors, and a clean exit for help and version.
@Suite struct EntryPointTests {
    static let binary = Repository.binary

    @Test(arguments: [["bogus"], ["preflight", "--format", "xml"], ["preflight", "--no-such-option"], ["bundle", "inspect"]])
    func usageErrorsExitWithTheDocumentedCode2(_ arguments: [String]) async throws {
        let out = try await Oracle.run([Self.binary] + arguments)
        #expect(out.status == 2)
        #expect(out.standardError.contains("Error:"))
        #expect(out.standardOutput.isEmpty)
    }

    @Test func versionAndHelpExitZero() async throws {
        let version = try await Oracle.run([Self.binary, "--version"])
        #expect(version.status == 0)
        #expect(version.standardOutput == AgentInstallerVersion.current + "\n")
        let help = try await Oracle.run([Self.binary, "--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("USAGE: agent-installer"))
    }
}
