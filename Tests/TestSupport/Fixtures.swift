import AgentSupport

/// The generated test fixtures of `fixtures/` (packages, bundles, hostile bundles), built on demand into a test's
/// own directory; the scripts cache their output under `/tmp/agent-installer-fixtures`.
public enum Fixtures {
    /// The checkout's `fixtures/` directory.
    public static let directory = Repository.root + "/fixtures"

    /// Builds `omsagent-<version>.universal.x64.sh` (+ `.sha256sums`, `packages-<version>/`) in `directory`;
    /// returns the bundle's path.
    public static func bundle(in directory: String, version: String = "1.14.19-0",
                              environment: [String: String] = [:]) async throws -> String {
        let out = try await Oracle.run([Self.directory + "/make-bundle", directory, version], environment: environment)
        guard out.succeeded else {
            throw AgentError(.internalError, "make-bundle failed (\(out.status)): \(out.standardError)")
        }
        return out.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Builds a bundle with one hostile entry of `kind` (see fixtures/make-hostile-bundle); returns its path.
    public static func hostileBundle(in directory: String, kind: String) async throws -> String {
        let out = try await Oracle.run([Self.directory + "/make-hostile-bundle", directory, kind])
        guard out.succeeded else {
            throw AgentError(.internalError, "make-hostile-bundle \(kind) failed (\(out.status)): \(out.standardError)")
        }
        return out.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Wraps any gzip payload in the vendor header; returns the bundle's path.
    public static func wrap(payload: String, into file: String) async throws -> String {
        let out = try await Oracle.run([Self.directory + "/make-bundle", "--wrap", payload, file])
        guard out.succeeded else {
            throw AgentError(.internalError, "make-bundle --wrap failed (\(out.status)): \(out.standardError)")
        }
        return file
    }
}
