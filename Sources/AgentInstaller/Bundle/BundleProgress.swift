/// One progress report of a bundle operation, for the TTY bar and the JSON-lines progress file.
public struct BundleProgress: Sendable, Codable, Equatable {
    /// What is happening.
    public enum Phase: String, Sendable, Codable {
        case download, extract, verify, done, retry
    }

    public var phase: Phase
    /// Bytes transferred or read so far (for a resumed download, including the bytes already on disk).
    public var bytes: Int64
    /// Total bytes when known.
    public var total: Int64?
    /// A short human note (retry reason, file name); never a secret.
    public var note: String?

    public init(phase: Phase, bytes: Int64, total: Int64? = nil, note: String? = nil) {
        self.phase = phase
        self.bytes = bytes
        self.total = total
        self.note = note
    }
}

/// Receives progress reports; called from the transfer's thread, so it must be thread-safe.
public typealias BundleProgressHandler = @Sendable (BundleProgress) -> Void
