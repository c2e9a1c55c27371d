/// Decides, entry by entry and before anything is written, whether an archive entry may be extracted.
///
/// Refused: names that are absolute, contain `..` or are not UTF-8; names outside the allowed top-level names;
/// device nodes, FIFOs, sockets; setuid/setgid/sticky bits; symlinks that are absolute or climb above the
/// destination (targets must be `../`* followed by plain names); hardlinks to anything but a regular file
/// extracted earlier from the same archive; any entry whose path goes through, or replaces, a symlink extracted
/// earlier; a link that would replace an existing entry. The state is the archive order.
struct ArchiveEntryPolicy {
    /// Top-level names allowed, nil for any.
    let allowedTopLevel: Set<String>?
    /// Whether symlinks and hardlinks are allowed at all.
    let allowsLinks: Bool

    private var symlinks: Set<String> = []
    private var regularFiles: Set<String> = []
    private var seen: Set<String> = []

    init(allowedTopLevel: Set<String>?, allowsLinks: Bool) {
        self.allowedTopLevel = allowedTopLevel
        self.allowsLinks = allowsLinks
    }

    /// What to do with an acceptable entry.
    enum Decision: Equatable {
        /// Extract under this normalized relative name (no `.` parts, no empty parts, no trailing `/`).
        case extract(String, hardlinkTarget: String?)
        /// The archive's root directory (`./`): nothing to create.
        case skipRoot
    }

    /// Checks `entry` and records it; throws `AgentError(.integrity)` naming the entry and the reason.
    mutating func admit(_ entry: ArchiveEntryInfo) throws(AgentError) -> Decision {
        do {
            return try decide(entry)
        } catch let reason {
            throw AgentError(.integrity, "archive entry '\(entry.name)' refused: \(reason.text)")
        }
    }

    /// The refusal reason of `entry`, or nil; records it when accepted (listing).
    mutating func refusal(of entry: ArchiveEntryInfo) -> String? {
        do {
            _ = try decide(entry)
            return nil
        } catch {
            return error.text
        }
    }

    struct Reason: Error { let text: String; init(_ text: String) { self.text = text } }

    private mutating func decide(_ entry: ArchiveEntryInfo) throws(Reason) -> Decision {
        let parts = try Self.components(entry.name)
        guard !parts.isEmpty else {
            if entry.kind == .directory { return .skipRoot }
            throw Reason("empty name")
        }
        let path = parts.joined(separator: "/")
        if let allowed = allowedTopLevel, !allowed.contains(parts[0]) {
            throw Reason("'\(parts[0])' is not an allowed top-level name (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        guard entry.mode & 0o7000 == 0 else {
            throw Reason("has setuid, setgid or sticky bits (mode \(String(entry.mode, radix: 8)))")
        }
        for i in 1..<parts.count {
            let prefix = parts[0..<i].joined(separator: "/")
            if symlinks.contains(prefix) { throw Reason("would be written through the symlink '\(prefix)'") }
        }
        if symlinks.contains(path) { throw Reason("would replace the symlink '\(path)' extracted earlier") }

        var hardlinkTarget: String?
        switch entry.kind {
        case .file, .directory:
            break
        case .symlink:
            guard allowsLinks else { throw Reason("symlinks are not allowed here") }
            guard !seen.contains(path) else { throw Reason("a symlink would replace an entry extracted earlier") }
            try Self.checkSymlinkTarget(entry.linkTarget ?? "", depth: parts.count - 1)
        case .hardlink:
            guard allowsLinks else { throw Reason("hardlinks are not allowed here") }
            guard !seen.contains(path) else { throw Reason("a hardlink would replace an entry extracted earlier") }
            let raw = entry.linkTarget ?? ""
            let target: String
            do { target = try Self.components(raw).joined(separator: "/") } catch {
                throw Reason("hardlink target '\(raw)': \(error.text)")
            }
            guard regularFiles.contains(target) else {
                throw Reason("hardlink target '\(raw)' is not a regular file extracted earlier from this archive")
            }
            hardlinkTarget = target
        case .characterDevice, .blockDevice, .fifo, .socket, .unknown:
            throw Reason("is a \(entry.kind.rawValue); only files, directories and links are allowed")
        }

        seen.insert(path)
        switch entry.kind {
        case .symlink: symlinks.insert(path)
        case .file, .hardlink: regularFiles.insert(path)
        default: regularFiles.remove(path)
        }
        return .extract(path, hardlinkTarget: hardlinkTarget)
    }

    /// The name's parts without empty and `.` parts; refuses absolute names and `..`.
    static func components(_ name: String) throws(Reason) -> [String] {
        guard !name.hasPrefix("/") else { throw Reason("absolute name") }
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        guard !parts.contains("..") else { throw Reason("'..' in the name") }
        return parts
    }

    /// A symlink at directory depth `depth` may point only to `../`* (at most `depth` of them) then plain names,
    /// so it stays inside the destination whatever else the archive contains.
    static func checkSymlinkTarget(_ target: String, depth: Int) throws(Reason) {
        guard !target.isEmpty else { throw Reason("symlink with an empty target") }
        guard !target.hasPrefix("/") else { throw Reason("symlink to the absolute path '\(target)'") }
        let parts = target.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let ups = parts.prefix { $0 == ".." }.count
        guard !parts.dropFirst(ups).contains("..") else {
            throw Reason("symlink target '\(target)' has '..' after a name")
        }
        guard ups <= depth else { throw Reason("symlink target '\(target)' leaves the destination") }
    }
}
