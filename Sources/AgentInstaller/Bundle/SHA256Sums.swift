import AgentSupport

/// A `sha256sum` output file (`<bundle>.sha256sums`): lines of 64 lower-case hex digits, two separator
/// characters (two spaces, or a space and `*`), and a file name.
public struct SHA256Sums: Sendable, Equatable {
    /// File name → lower-case hex digest.
    public var digests: [String: String]

    /// Parses the text; any line that does not match the format refuses the whole file (exit 80: the bundle
    /// cannot be verified). Blank lines are ignored.
    public init(text: String, source: String = "checksum file") throws(AgentError) {
        var digests: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            let bytes = Array(line.utf8)
            guard bytes.count > 66, bytes[0..<64].allSatisfy(Self.isLowerHex),
                  bytes[64] == UInt8(ascii: " "), bytes[65] == UInt8(ascii: " ") || bytes[65] == UInt8(ascii: "*")
            else {
                throw AgentError(.integrity, "\(source) line \(number + 1) is not '<64 lower-case hex>  <file name>'")
            }
            let name = String(decoding: bytes[66...], as: UTF8.self)
            let digest = String(decoding: bytes[0..<64], as: UTF8.self)
            if let previous = digests[name], previous != digest {
                throw AgentError(.integrity, "\(source) lists \(name) twice with different digests")
            }
            digests[name] = digest
        }
        guard !digests.isEmpty else { throw AgentError(.integrity, "\(source) lists no file") }
        self.digests = digests
    }

    /// The digest listed for `fileName` (compared by its last path component).
    public func digest(for fileName: String) -> String? {
        let base = fileName.split(separator: "/").last.map(String.init) ?? fileName
        return digests[base] ?? digests["./" + base]
    }

    /// The single digest when the file lists exactly one.
    public var onlyDigest: String? { digests.count == 1 ? digests.first!.value : nil }

    /// Validates a digest given on the command line (`--sha256 HEX`): 64 hex digits, any case; returns it in
    /// lower case. A malformed value is a usage error (exit 2).
    public static func normalizedDigest(_ text: String) throws(AgentError) -> String {
        let lower = text.lowercased()
        guard lower.utf8.count == 64, lower.utf8.allSatisfy(isLowerHex) else {
            throw AgentError(.usage, "--sha256 needs 64 hexadecimal digits")
        }
        return lower
    }

    static func isLowerHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) }
}
