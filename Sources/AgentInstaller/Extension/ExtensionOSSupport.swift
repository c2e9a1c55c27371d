import AgentSupport
import Preflight

/// The extension's supported-OS rule (§11), applied by install and enable (exit 51): a view of the pre-flight
/// support matrix (`data/support-matrix.json`, embedded as `SupportMatrix.defaultJSON`) through its
/// `extensionVersions` lists, so the installer and the handler read one source of data.
public struct ExtensionOSSupport: Sendable {
    /// The matrix whose `extensionVersions` (else `versions`) lists this view uses.
    public var matrix: SupportMatrix

    /// The contract's table: the built-in matrix's extension scope.
    public static let contract = ExtensionOSSupport(matrix: .default)

    /// A view of `matrix` (tests and overrides).
    public init(matrix: SupportMatrix) { self.matrix = matrix }

    /// True when `distribution` starts with a row's prefix (case-insensitive) and `version` matches one of the row's
    /// extension versions: every component of the allowed version equals, as an integer, the VM's component at the
    /// same position.
    public func supports(distribution: String, version: String) -> Bool {
        matrix.supports(id: distribution, version: version, scope: .extensionHandler)
    }

    /// Reads `ID` (text before the first `-`, quotes removed) and `VERSION_ID` from `etc/os-release` (else
    /// `usr/lib/os-release`) under the root and checks them.
    /// - Throws: exit 51 "Unsupported operating system: <ID> <VERSION_ID>" or "Indeterminate operating system".
    public func check(root: HostRoot) throws(AgentError) -> (distribution: String, version: String) {
        guard let text = root.readText("/etc/os-release", limit: 1 << 16) ?? root.readText("/usr/lib/os-release", limit: 1 << 16)
        else { throw AgentError(.unsupportedOS, "Indeterminate operating system: no /etc/os-release") }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: eq)...].trimmingPrefix(" ")
            value.removeAll { $0 == "\"" || $0 == "'" }
            fields[String(line[..<eq])] = String(value)
        }
        guard let id = fields["ID"].flatMap({ $0.split(separator: "-").first.map(String.init) }), !id.isEmpty,
              let version = fields["VERSION_ID"], !version.isEmpty
        else { throw AgentError(.unsupportedOS, "Indeterminate operating system: ID or VERSION_ID missing in os-release") }
        guard supports(distribution: id, version: version) else {
            throw AgentError(.unsupportedOS, "Unsupported operating system: \(ExtensionSettings.printable(id)) \(ExtensionSettings.printable(version))")
        }
        return (id, version)
    }
}
