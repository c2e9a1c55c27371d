import CAgentArchive

/// A libarchive reader for gzip-compressed tar only, fed by an `ArchiveInput`.
final class ArchiveReader {
    let archive: OpaquePointer
    let input: ArchiveInput
    private var checkedFilter = false

    init(fd: Int32, offset: Int64, observer: ArchiveByteObserver?) throws(AgentError) {
        input = ArchiveInput(fd: fd, observer: observer)
        guard let a = archive_read_new() else { throw AgentError(.internalError, "libarchive: out of memory") }
        archive = a
        archive_read_support_filter_gzip(a)
        archive_read_support_format_tar(a)
        try input.skipPrefix(offset)
        let opened = archive_read_open(a, Unmanaged.passUnretained(input).toOpaque(), nil, archiveInputRead, nil)
        guard opened == ARCHIVE_OK else { throw failure("cannot open the archive") }
    }

    deinit { archive_read_free(archive) }

    /// The next entry and its description (`name` empty when the stored name is not UTF-8), nil at the end.
    func next() throws(AgentError) -> (OpaquePointer, ArchiveEntryInfo)? {
        var entry: OpaquePointer?
        let r = archive_read_next_header(archive, &entry)
        if r == ARCHIVE_EOF { return nil }
        guard r >= ARCHIVE_WARN, let entry else { throw failure("cannot read the archive") }
        if !checkedFilter {
            checkedFilter = true
            guard archive_filter_code(archive, 0) == ARCHIVE_FILTER_GZIP else {
                throw AgentError(.integrity, "the archive is not gzip-compressed")
            }
        }
        return (entry, Self.describe(entry))
    }

    /// Reads the rest of the input so the observer has seen every byte.
    func finish() throws(AgentError) { try input.drain() }

    private func failure(_ what: String) -> AgentError {
        if let e = input.readErrno { return AgentError(.systemProblem, "\(what): \(FileIO.errnoText(e))") }
        let text = archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
        return AgentError(.integrity, "\(what): \(text)")
    }

    static func describe(_ entry: OpaquePointer) -> ArchiveEntryInfo {
        let name = archive_entry_pathname(entry).flatMap { String(validatingCString: $0) } ?? ""
        let type = UInt32(archive_entry_filetype(entry))
        let kind: ArchiveEntryKind
        var target: String?
        if let link = archive_entry_hardlink(entry) {
            kind = .hardlink
            target = String(cString: link)
        } else {
            switch type {
            case cagent_ae_ifreg(): kind = .file
            case cagent_ae_ifdir(): kind = .directory
            case cagent_ae_iflnk(): kind = .symlink; target = archive_entry_symlink(entry).map { String(cString: $0) }
            case cagent_ae_ifchr(): kind = .characterDevice
            case cagent_ae_ifblk(): kind = .blockDevice
            case cagent_ae_ififo(): kind = .fifo
            case cagent_ae_ifsock(): kind = .socket
            default: kind = .unknown
            }
        }
        let size = kind == .file ? Int64(archive_entry_size(entry)) : 0
        return ArchiveEntryInfo(name: name, kind: kind, size: size, mode: UInt32(archive_entry_perm(entry)) & 0o7777,
                                linkTarget: target)
    }
}
