import AgentSupport

/// `bundle extract`: unpacks a bundle's payload into a fresh staging directory next to the destination, and
/// moves it there only when every entry was accepted and the checksum (when expected) matched.
public struct BundleExtraction: Sendable, Codable, Equatable {
    /// The destination directory (absolute).
    public var destination: String
    public var version: String?
    public var sha256: String
    public var verifiedAgainst: String?
    public var entries: Int
    public var payloadBytes: Int64
    public var manifest: BundleManifest

    /// The top-level names a payload may have (contract §2); anything else is refused (exit 80).
    public static let allowedTopLevel: Set<String> = ["100", "110", "300", "oss-kits", "bundles"]

    /// The most bytes a payload may unpack to (vendor bundles unpack to a few hundred MB); a larger payload (a
    /// decompression bomb) is refused with exit 80 before it fills the disk.
    public static let maximumExtractedBytes: Int64 = 8 << 30

    /// Extracts the local bundle at `path` into `destination` in one read of the file.
    public static func extract(path: String, destination: String, expected: BundleDigest?) throws(AgentError) -> BundleExtraction {
        let file = try BundleFile(path: path)
        let staging = try BundleStaging(destination: destination)
        defer { staging.discard() }
        let (result, digest) = try BundlePayload.extract(file: file, into: staging.path, expected: expected)
        try staging.commit()
        return BundleExtraction(
            destination: staging.destination, version: file.header.version, sha256: digest,
            verifiedAgainst: expected?.source, entries: result.entries.count, payloadBytes: result.payloadBytes,
            manifest: BundleManifest(entryPaths: result.entries.map(\.name)))
    }
}
