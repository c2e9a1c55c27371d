/// The OpenSSL build of the agent packages to install (the bundle's payload directory), chosen from the system
/// OpenSSL library (agent contract §4, improved: decided by the library's soname, not the `openssl` CLI).
public enum OpenSSLFlavour: String, Sendable, Codable, CaseIterable {
    case v100 = "100"
    case v110 = "110"
    case v300 = "300"
}

/// One row of the flavour mapping: a library soname, the flavour it selects, and the versions accepted for it.
public struct OpenSSLFlavourRule: Sendable, Codable, Equatable {
    /// The `libssl` soname, e.g. `libssl.so.3`.
    public var soname: String
    /// The payload directory it selects.
    public var flavour: OpenSSLFlavour
    /// Version prefixes accepted for this soname (`["1.0.1", "1.0.2"]`); empty means any version.
    public var versionPrefixes: [String]
    /// Version prefixes inside upstream's tested range; a version outside them is accepted with a warning.
    public var testedPrefixes: [String]
}

extension OpenSSLFlavourRule {
    /// The mapping, in order of preference (a host with several libraries gets the first that applies).
    public static let table: [OpenSSLFlavourRule] = [
        OpenSSLFlavourRule(soname: "libssl.so.3", flavour: .v300, versionPrefixes: ["3."], testedPrefixes: ["3.0."]),
        OpenSSLFlavourRule(soname: "libssl.so.1.1", flavour: .v110, versionPrefixes: ["1.1."], testedPrefixes: ["1.1."]),
        OpenSSLFlavourRule(soname: "libssl.so.1.0.2", flavour: .v100, versionPrefixes: ["1.0.1", "1.0.2"],
                           testedPrefixes: ["1.0.1", "1.0.2"]),
        OpenSSLFlavourRule(soname: "libssl.so.1.0.0", flavour: .v100, versionPrefixes: ["1.0.1", "1.0.2"],
                           testedPrefixes: ["1.0.1", "1.0.2"]),
        OpenSSLFlavourRule(soname: "libssl.so.10", flavour: .v100, versionPrefixes: ["1.0.1", "1.0.2"],
                           testedPrefixes: ["1.0.1", "1.0.2"]),
    ]

    /// True when `version` (nil = unknown) is acceptable for this rule. An unknown version is accepted only
    /// when the rule accepts any version of its soname.
    public func accepts(version: String?) -> Bool {
        guard let version else { return !flavour.needsVersion }
        return versionPrefixes.isEmpty || versionPrefixes.contains { version.hasPrefix($0) }
    }

    /// True when `version` lies inside upstream's tested range.
    public func isTested(version: String?) -> Bool {
        guard let version else { return false }
        return testedPrefixes.contains { version.hasPrefix($0) }
    }

    /// The rule for a version alone (when only the `openssl` CLI or a package version is known).
    public static func rule(forVersion version: String) -> OpenSSLFlavourRule? {
        table.first { $0.versionPrefixes.contains { version.hasPrefix($0) } }
    }
}

extension OpenSSLFlavour {
    /// 1.0.x sonames cover unsupported versions too (1.0.0, 0.9.8 compat), so their version must be known.
    var needsVersion: Bool { self == .v100 }
}
