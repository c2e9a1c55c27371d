import AgentSupport

/// The extension's supported-OS rule (§11), applied by install and enable (exit 51).
///
/// NOTE: this table duplicates part of the pre-flight support matrix (`data/support-matrix.json` on the
/// `preflight` branch); once that lands, load these rows from it so both use one source of data.
public struct ExtensionOSSupport: Sendable {
    /// One row: distribution name prefixes (case-insensitive) and the allowed versions.
    public struct Row: Sendable {
        public var prefixes: [String]
        public var versions: [String]
    }

    public var rows: [Row]

    /// The contract's table.
    public static let contract = ExtensionOSSupport(rows: [
        Row(prefixes: ["redhat", "red hat", "rhel"], versions: ["7", "8", "9"]),
        Row(prefixes: ["centos"], versions: ["7", "8"]),
        Row(prefixes: ["oracle", "ol"], versions: ["7", "8"]),
        Row(prefixes: ["debian"], versions: ["8", "9", "10", "11"]),
        Row(prefixes: ["ubuntu"], versions: ["14.04", "16.04", "18.04", "20.04", "22.04"]),
        Row(prefixes: ["suse", "sles"], versions: ["12", "15"]),
        Row(prefixes: ["opensuse"], versions: ["15"]),
        Row(prefixes: ["rocky"], versions: ["8", "9"]),
        Row(prefixes: ["alma"], versions: ["8", "9"]),
        Row(prefixes: ["amzn"], versions: ["2"]),
    ])

    public init(rows: [Row]) { self.rows = rows }

    /// True when `distribution` starts with a row's prefix and `version` matches one of its versions: every
    /// component of the allowed version equals, as an integer, the VM's component at the same position.
    public func supports(distribution: String, version: String) -> Bool {
        let dist = distribution.lowercased()
        let vm = version.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        for row in rows where row.prefixes.contains(where: { dist.hasPrefix($0) }) {
            for allowed in row.versions {
                let parts = allowed.split(separator: ".").map { Int($0) }
                guard parts.count <= vm.count else { continue }
                if parts.indices.allSatisfy({ parts[$0] != nil && parts[$0] == vm[$0] }) { return true }
            }
        }
        return false
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
