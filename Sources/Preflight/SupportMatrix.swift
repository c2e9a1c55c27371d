import AgentSupport
import FoundationEssentials

/// The distributions, versions and architectures the agent supports: data (`data/support-matrix.json`, embedded
/// as `SupportMatrix.defaultJSON`), shared by pre-flight (`versions`) and the VM-extension handler's OS table
/// (`extensionVersions`, extension contract §11).
public struct SupportMatrix: Sendable, Codable, Equatable {
    /// One supported distribution.
    public struct Distribution: Sendable, Codable, Equatable {
        /// A display name.
        public var name: String
        /// Lower-case prefixes matched against the distribution id (`rhel`, `red hat`).
        public var prefixes: [String]
        /// Versions the installer supports (pre-flight).
        public var versions: [String]
        /// Versions the VM-extension handler accepts (its narrower upstream table).
        public var extensionVersions: [String]?
    }

    /// Which consumer's version list applies.
    public enum Scope: Sendable { case installer, extensionHandler }

    /// The format version of the file, 1.
    public var schemaVersion: Int
    /// Supported machine architectures (`uname -m` spelling).
    public var architectures: [String]
    public var distributions: [Distribution]

    /// Parses a matrix file; a malformed one is a usage error (exit 2) naming the file.
    public init(json: [UInt8], source: String) throws(AgentError) {
        do {
            self = try JSONDecoder().decode(SupportMatrix.self, from: Data(json))
        } catch {
            throw AgentError(.usage, "support matrix \(source) is not valid: \(error)")
        }
        guard schemaVersion == 1 else {
            throw AgentError(.usage, "support matrix \(source) has schemaVersion \(schemaVersion), expected 1")
        }
    }

    /// The built-in matrix.
    public static let `default`: SupportMatrix = {
        // The embedded text is checked by a test against data/support-matrix.json.
        guard let m = try? SupportMatrix(json: Array(defaultJSON.utf8), source: "built-in") else {
            fatalError("built-in support matrix is invalid")
        }
        return m
    }()

    /// The row matching a distribution id (or a long name from a legacy release file): the id starts with one of
    /// the row's prefixes, case-insensitive.
    public func distribution(for id: String) -> Distribution? {
        let lower = id.lowercased()
        let base = lower.split(separator: "-").first.map(String.init) ?? lower
        return distributions.first { row in row.prefixes.contains { base.hasPrefix($0) || lower.hasPrefix($0) } }
    }

    /// True when distribution `id` at `version` is supported for `scope`.
    public func supports(id: String, version: String?, scope: Scope = .installer) -> Bool {
        guard let row = distribution(for: id), let version else { return false }
        let allowed = scope == .installer ? row.versions : (row.extensionVersions ?? row.versions)
        return allowed.contains { Self.versionMatches(allowed: $0, actual: version) }
    }

    /// True when every dot-separated component of `allowed` equals, as an integer, the component of `actual` at
    /// the same position (`7` matches `7.9.2009`; `20.04` needs `20` and `4`; `8` does not match `18.04`).
    public static func versionMatches(allowed: String, actual: String) -> Bool {
        let a = allowed.split(separator: ".")
        let v = actual.split(separator: ".")
        guard a.count <= v.count else { return false }
        for (x, y) in zip(a, v) {
            guard let xi = Int(x), let yi = Int(y.prefix { $0.isNumber }), y.first?.isNumber == true, xi == yi else {
                return false
            }
        }
        return true
    }
}
