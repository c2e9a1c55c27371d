import AgentSupport

/// What `bundle inspect` reports: the header, version, checksum and manifest of a bundle file.
public struct BundleInspection: Sendable, Codable, Equatable {
    public var file: String
    public var size: Int
    public var header: BundleHeader
    /// `a.b.c.d` from `OMS_PKG`, nil for a bare payload.
    public var version: String?
    /// The SHA-256 of the whole file.
    public var sha256: String
    /// Where the checksum the file was verified against came from; nil when none was available.
    public var verifiedAgainst: String?
    public var manifest: BundleManifest
    /// Entries that extraction would refuse, with the reason (`name: reason`).
    public var refusedEntries: [String]

    /// Lists the payload of the bundle at `path` in one read of the file, hashing it on the way, and checks the
    /// checksum when one is expected (mismatch: exit 80). A file that is not a bundle, or whose payload is
    /// truncated or not a tar.gz, is refused with exit 2.
    public static func inspect(path: String, expected: BundleDigest?) throws(AgentError) -> BundleInspection {
        let file = try BundleFile(path: path)
        let (entries, digest) = try BundlePayload.list(file: file, expected: expected)
        if let expected { try expected.check(digest, what: path) }
        let names = entries.map(\.name)
        return BundleInspection(
            file: path, size: file.size, header: file.header, version: file.header.version, sha256: digest,
            verifiedAgainst: expected?.source, manifest: BundleManifest(entryPaths: names),
            refusedEntries: entries.compactMap { e in e.refusal.map { "\(e.name): \($0)" } })
    }
}
