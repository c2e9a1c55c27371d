/// The kind of an archive entry, as far as extraction cares.
public enum ArchiveEntryKind: String, Sendable, Codable, Equatable {
    case file, directory, symlink, hardlink
    case characterDevice = "character-device", blockDevice = "block-device", fifo, socket, unknown
}

/// One entry of a tar archive as listed (`bundle inspect`) or extracted.
public struct ArchiveEntryInfo: Sendable, Codable, Equatable {
    /// The name as stored in the archive.
    public var name: String
    public var kind: ArchiveEntryKind
    /// Size of the entry's data in bytes (0 for links and directories).
    public var size: Int64
    /// Permission bits including setuid/setgid/sticky (`0o7777` part of the mode).
    public var mode: UInt32
    /// Target of a symlink or hardlink, as stored.
    public var linkTarget: String?
    /// Why extraction refuses this entry, nil when it is acceptable (listing only; extraction throws instead).
    public var refusal: String?

    public init(name: String, kind: ArchiveEntryKind, size: Int64, mode: UInt32, linkTarget: String? = nil,
                refusal: String? = nil) {
        self.name = name
        self.kind = kind
        self.size = size
        self.mode = mode
        self.linkTarget = linkTarget
        self.refusal = refusal
    }
}

/// What an extraction did.
public struct ArchiveExtractionResult: Sendable, Equatable {
    /// The entries written, in archive order (the root entry `./` is skipped).
    public var entries: [ArchiveEntryInfo]
    /// Bytes read and discarded before the archive (the `offset`).
    public var prefixBytes: Int64
    /// Bytes read from the archive's start to the end of the input.
    public var payloadBytes: Int64
}

/// Which part of the input a chunk handed to a byte observer belongs to.
public enum ArchiveStreamPart: Sendable, Equatable {
    /// Bytes before the archive (skipped by offset).
    case prefix
    /// Bytes of the archive itself, up to the end of the input.
    case payload
}
