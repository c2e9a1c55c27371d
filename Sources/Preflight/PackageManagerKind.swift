import AgentSupport

/// The package format of a host (agent contract §5).
public enum PackageManagerKind: String, Sendable, Codable {
    case dpkg, rpm

    /// The contract's selection rule, first match wins: `etc/debian_version` → dpkg; `etc/redhat-release` → rpm;
    /// os-release `PRETTY_NAME` containing `suse` → rpm; `dpkg` on PATH → dpkg; `rpm` on PATH → rpm; else nil.
    public static func detect(root: HostRoot, osRelease: OSRelease?) -> PackageManagerKind? {
        if root.exists("/etc/debian_version") { return .dpkg }
        if root.exists("/etc/redhat-release") { return .rpm }
        if let pretty = osRelease?["PRETTY_NAME"], pretty.lowercased().contains("suse") { return .rpm }
        if root.which("dpkg") != nil { return .dpkg }
        if root.which("rpm") != nil { return .rpm }
        return nil
    }

    /// The lock files this package manager takes (host paths).
    public var lockFiles: [String] {
        switch self {
        case .dpkg: PackageLock.dpkgFiles
        case .rpm: PackageLock.rpmFiles
        }
    }
}
