import AgentSupport

/// The SHA-256 a bundle must have, and where that expectation came from (`--sha256`, a sums file, or the
/// `<bundle>.sha256sums` found next to the bundle).
public struct BundleDigest: Sendable, Equatable, Codable {
    /// 64 lower-case hex digits.
    public var hex: String
    /// Where the value came from, for messages (`--sha256`, a path or URL).
    public var source: String

    public init(hex: String, source: String) {
        self.hex = hex
        self.source = source
    }

    /// The digest listed for `bundleName` in a sums file's text (or its only line, when it lists one file).
    public init(sumsText: String, source: String, bundleName: String) throws(AgentError) {
        let sums = try SHA256Sums(text: sumsText, source: source)
        guard let hex = sums.digest(for: bundleName) ?? sums.onlyDigest else {
            throw AgentError(.integrity, "\(source) lists no checksum for \(bundleName)")
        }
        self.init(hex: hex, source: source)
    }

    /// The expectation for a local bundle: `--sha256` wins, then `--sha256sums FILE`, then `<path>.sha256sums`
    /// next to it; nil when there is none.
    public static func forLocalBundle(path: String, sha256: String?, sumsFile: String?) throws(AgentError) -> BundleDigest? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let sha256 { return BundleDigest(hex: try SHA256Sums.normalizedDigest(sha256), source: "--sha256") }
        if let sumsFile {
            guard let bytes = FileIO.read(sumsFile, limit: 1 << 20) else {
                throw AgentError(.usage, "cannot read checksum file \(sumsFile)")
            }
            return try BundleDigest(sumsText: String(decoding: bytes, as: UTF8.self), source: sumsFile, bundleName: name)
        }
        let nextTo = path + ".sha256sums"
        guard let bytes = FileIO.read(nextTo, limit: 1 << 20) else { return nil }
        return try BundleDigest(sumsText: String(decoding: bytes, as: UTF8.self), source: nextTo, bundleName: name)
    }

    /// Throws exit 80 when `actual` differs.
    public func check(_ actual: String, what: String) throws(AgentError) {
        guard actual == hex else {
            throw AgentError(.integrity, "\(what) does not match its checksum from \(source): SHA-256 is \(actual), expected \(hex)",
                             hint: "download the bundle again; nothing was extracted")
        }
    }
}
