import AgentSupport

#if canImport(Glibc)
import Glibc
#endif

/// Runs independent tools (openssl, python3, dpkg, tar…) used as test oracles.
public enum Oracle {
    /// Runs argv and returns its output; the test fails via the thrown error when the tool cannot start.
    @discardableResult
    public static func run(_ argv: [String], input: [UInt8]? = nil, environment: [String: String] = [:],
                           workingDirectory: String? = nil) async throws -> ProcessOutput {
        try await ProcessRunner().run(argv, input: input, environment: environment,
                                      workingDirectory: workingDirectory, timeout: .seconds(300))
    }

    /// Orders every pair with the host's `dpkg --compare-versions`, in one bash loop (one process for all pairs,
    /// not one per pair): `"lt"`, `"eq"` or `"gt"` for each, and dpkg's standard error (its syntax warnings).
    public static func dpkgOrder(_ pairs: [(String, String)]) async throws -> (orders: [String], warnings: String) {
        let dir = TemporaryDirectory()
        try dir.write("pairs", pairs.map { "\($0.0) \($0.1)\n" }.joined())
        let script = """
            while read -r a b; do
              if dpkg --compare-versions "$a" lt "$b"; then echo lt
              elif dpkg --compare-versions "$a" eq "$b"; then echo eq
              else echo gt; fi
            done < "$1"
            """
        let out = try await run(["bash", "-c", script, "bash", dir.url("pairs")])
        guard out.succeeded else {
            throw AgentError(.internalError, "dpkg --compare-versions loop failed: \(out.standardError.prefix(500))")
        }
        return (out.standardOutput.split(separator: "\n").map(String.init), out.standardError)
    }

    /// Runs argv, requires exit 0, and returns stdout.
    public static func output(_ argv: [String], input: [UInt8]? = nil, workingDirectory: String? = nil) async throws -> String {
        let out = try await run(argv, input: input, workingDirectory: workingDirectory)
        guard out.succeeded else {
            throw AgentError(.internalError, "oracle \(argv.joined(separator: " ")) failed (\(out.status)): \(out.standardError)")
        }
        return out.standardOutput
    }
}

/// Addresses and files of the servers `scripts/test-servers` started for this test run (environment variables).
public enum TestEnvironment {
    public static func value(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        let s = String(cString: p)
        return s.isEmpty ? nil : s
    }

    /// True when `scripts/test` started the network test servers (nginx, squid, the faulty server…).
    public static var serversAvailable: Bool { value("AGENT_TEST_SERVERS") != nil }

    /// True when a test can run a command without network (`unshare -n` needs root, CAP_SYS_ADMIN; the test
    /// machine runs the suites as root).
    public static let canUnshare = geteuid() == 0 && access("/usr/bin/unshare", X_OK) == 0
}
