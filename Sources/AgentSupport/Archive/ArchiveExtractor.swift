import CAgentArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Extracts or lists a gzip-compressed tar stream (the bundle payload) read from a file descriptor, with every
/// entry checked by `ArchiveEntryPolicy` before anything is written.
///
/// The input may be a pipe: the first `offset` bytes are skipped by reading. An observer sees every byte read
/// (prefix and payload, to the end of the input), so the caller can hash the bundle while it is extracted.
/// Only gzip + tar (ustar, GNU, pax) is accepted. Extraction goes into the `realpath` of the destination on a
/// thread whose working directory is that directory, with libarchive's SECURE_NODOTDOT, SECURE_SYMLINKS and
/// SECURE_NOABSOLUTEPATHS (never UNLINK); owners are not restored, permissions are (without setuid/setgid/sticky).
///
/// On a refusal the entries written so far stay: extract into a fresh private directory and remove it on error.
public struct ArchiveExtractor: Sendable {
    /// Top-level names an entry may start with (e.g. `100`, `110`, `300`, `oss-kits`, `bundles`); nil for any.
    public var allowedTopLevel: Set<String>?
    /// Whether symlinks and hardlinks (checked to stay inside) are accepted.
    public var allowsLinks: Bool
    /// Upper bound on the bytes extraction writes (a guard against decompression bombs); nil for none.
    public var maximumExtractedBytes: Int64?

    public init(allowedTopLevel: Set<String>? = nil, allowsLinks: Bool = true, maximumExtractedBytes: Int64? = nil) {
        self.allowedTopLevel = allowedTopLevel
        self.allowsLinks = allowsLinks
        self.maximumExtractedBytes = maximumExtractedBytes
    }

    /// Extracts the archive that starts `offset` bytes into `fd` into the existing directory `destination`.
    /// - Throws: `AgentError(.integrity)` (80) for a refused entry ("archive entry '<name>' refused: <why>") or a
    ///   corrupt or non-gzip-tar stream; `.systemProblem` for I/O failures.
    public func extract(
        from fd: Int32, skipping offset: Int64 = 0, into destination: String, observer: ArchiveByteObserver? = nil
    ) throws(AgentError) -> ArchiveExtractionResult {
        guard let resolved = realpath(destination, nil) else {
            throw AgentError(.systemProblem, "cannot resolve the extraction directory \(destination): \(FileIO.errnoText())")
        }
        let root = String(cString: resolved)
        free(resolved)
        let dirfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else {
            throw AgentError(.systemProblem, "cannot open the extraction directory \(root): \(FileIO.errnoText())")
        }
        defer { close(dirfd) }
        let policy = ArchiveEntryPolicy(allowedTopLevel: allowedTopLevel, allowsLinks: allowsLinks)
        let job = ExtractionJob(fd: fd, offset: offset, observer: observer, policy: policy,
                                limit: maximumExtractedBytes ?? Int64.max)
        return try PrivateDirectoryThread.run(in: dirfd) { () throws(AgentError) in try job.run() }
    }

    /// Opens the file at `path` and extracts the archive that starts `offset` bytes into it.
    public func extract(
        file path: String, skipping offset: Int64 = 0, into destination: String, observer: ArchiveByteObserver? = nil
    ) throws(AgentError) -> ArchiveExtractionResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AgentError(.systemProblem, "cannot open \(path): \(FileIO.errnoText())") }
        defer { close(fd) }
        return try extract(from: fd, skipping: offset, into: destination, observer: observer)
    }

    /// Lists the entries without writing anything, each with the reason extraction would refuse it (if any).
    /// - Throws: `AgentError(.integrity)` when the stream is not a readable gzip-compressed tar.
    public func list(
        from fd: Int32, skipping offset: Int64 = 0, observer: ArchiveByteObserver? = nil
    ) throws(AgentError) -> [ArchiveEntryInfo] {
        var policy = ArchiveEntryPolicy(allowedTopLevel: allowedTopLevel, allowsLinks: allowsLinks)
        let reader = try ArchiveReader(fd: fd, offset: offset, observer: observer)
        var entries: [ArchiveEntryInfo] = []
        while let (entry, info) = try reader.next() {
            var listed = info
            listed.refusal = info.name.isEmpty && archive_entry_pathname(entry) != nil
                ? "name is not UTF-8" : policy.refusal(of: info)
            entries.append(listed)
            archive_read_data_skip(reader.archive)
        }
        try reader.finish()
        return entries
    }
}

/// One extraction, run on the private-directory thread (relative names resolve inside the destination).
private final class ExtractionJob: @unchecked Sendable {
    let fd: Int32
    let offset: Int64
    let observer: ArchiveByteObserver?
    var policy: ArchiveEntryPolicy
    let limit: Int64
    private var extractedBytes: Int64 = 0

    init(fd: Int32, offset: Int64, observer: ArchiveByteObserver?, policy: ArchiveEntryPolicy, limit: Int64) {
        self.limit = limit
        self.fd = fd
        self.offset = offset
        self.observer = observer
        self.policy = policy
    }

    func run() throws(AgentError) -> ArchiveExtractionResult {
        let reader = try ArchiveReader(fd: fd, offset: offset, observer: observer)
        guard let disk = archive_write_disk_new() else { throw AgentError(.internalError, "libarchive: out of memory") }
        defer { archive_write_free(disk) }
        archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME
            | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS
            | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)
        var written: [ArchiveEntryInfo] = []
        while let (entry, info) = try reader.next() {
            guard !info.name.isEmpty || archive_entry_pathname(entry) == nil else {
                throw AgentError(.integrity, "archive entry refused: name is not UTF-8")
            }
            switch try policy.admit(info) {
            case .skipRoot:
                archive_read_data_skip(reader.archive)
            case .extract(let path, let hardlinkTarget):
                try checkOnDisk(path, info)
                archive_entry_copy_pathname(entry, path)
                if let hardlinkTarget { archive_entry_copy_hardlink(entry, hardlinkTarget) }
                archive_entry_set_perm(entry, mode_t(info.mode & 0o777))
                try write(entry, info, reader: reader, disk: disk)
                written.append(info)
            }
        }
        try reader.finish()
        guard archive_write_close(disk) >= ARCHIVE_WARN else {
            throw AgentError(.systemProblem, "cannot finish extraction: \(Self.message(disk))")
        }
        return ArchiveExtractionResult(entries: written, prefixBytes: reader.input.prefixBytes,
                                       payloadBytes: reader.input.payloadBytes)
    }

    /// Refuses paths that go through, or would replace, a symlink already on disk (a non-empty destination).
    private func checkOnDisk(_ path: String, _ info: ArchiveEntryInfo) throws(AgentError) {
        let parts = path.split(separator: "/")
        var prefix = ""
        for (i, part) in parts.enumerated() {
            prefix += (prefix.isEmpty ? "" : "/") + part
            let kind = FileIO.kind(prefix, followLinks: false)
            if kind == .symlink {
                let why = i == parts.count - 1 ? "would replace the symlink" : "would be written through the symlink"
                throw AgentError(.integrity, "archive entry '\(info.name)' refused: \(why) '\(prefix)' on disk")
            }
            if i == parts.count - 1, kind != nil, info.kind == .symlink || info.kind == .hardlink {
                throw AgentError(.integrity, "archive entry '\(info.name)' refused: a link would replace '\(prefix)' on disk")
            }
        }
    }

    private func write(_ entry: OpaquePointer, _ info: ArchiveEntryInfo, reader: ArchiveReader,
                       disk: OpaquePointer) throws(AgentError) {
        guard archive_write_header(disk, entry) >= ARCHIVE_WARN else {
            throw AgentError(.integrity, "archive entry '\(info.name)' refused: \(Self.message(disk))")
        }
        if archive_entry_size(entry) > 0 {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            while true {
                let r = archive_read_data_block(reader.archive, &block, &size, &offset)
                if r == ARCHIVE_EOF { break }
                guard r >= ARCHIVE_WARN else {
                    throw AgentError(.integrity, "cannot read archive entry '\(info.name)': \(Self.message(reader.archive))")
                }
                extractedBytes += Int64(size)
                guard extractedBytes <= limit else {
                    throw AgentError(.integrity, "archive entry '\(info.name)' refused: the archive expands beyond \(limit) bytes")
                }
                guard archive_write_data_block(disk, block, size, offset) >= ARCHIVE_WARN else {
                    throw AgentError(.systemProblem, "cannot write archive entry '\(info.name)': \(Self.message(disk))")
                }
            }
        }
        guard archive_write_finish_entry(disk) >= ARCHIVE_WARN else {
            throw AgentError(.systemProblem, "cannot finish archive entry '\(info.name)': \(Self.message(disk))")
        }
    }

    static func message(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "libarchive error \(archive_errno(archive))"
    }
}
