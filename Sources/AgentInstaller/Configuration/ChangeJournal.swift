#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport

/// Applies file-system changes under a host root and remembers how to undo each one, so that a failed onboarding
/// leaves earlier configuration exactly as it was (contract §10.7 "stage, then commit; roll back on failure").
///
/// Replaced files are kept as backups next to the original until `commit()`; `rollback()` restores contents,
/// modes, owners and link targets in reverse order and removes what was created. The backups of a run that was
/// killed before either are settled the first time a later journal touches their directory (`settle`).
public final class ChangeJournal: @unchecked Sendable {
    private enum Undo {
        case remove(String)                // created file or link
        case removeDirectory(String)       // created directory
        case restore(backup: String, path: String)
        case attributes(String, mode: UInt32, uid: UInt32, gid: UInt32)
        case move(from: String, back: String)   // moved object: rename it back
    }

    public let root: HostRoot
    private var undo: [Undo] = []
    private var backups: [String] = []
    /// Directories whose stale backups were settled already.
    private var settled: Set<String> = []
    /// Host paths changed, in order (for the report).
    public private(set) var changed: [String] = []

    public init(root: HostRoot) { self.root = root }

    /// The real path of host path `p`: parents resolved inside the root, the last component not followed.
    public func real(_ p: String) -> String {
        let slash = p.lastIndex(of: "/")!
        let parent = String(p[..<slash])
        let base = root.resolve(parent.isEmpty ? "/" : parent) ?? root.lexical(parent)
        return (base == "/" ? "" : base) + "/" + p[p.index(after: slash)...]
    }

    /// Creates the directory (and missing parents with 0755 root-owned) or re-applies mode and owner to it.
    public func directory(_ hostPath: String, mode: mode_t, owner: (uid: UInt32, gid: UInt32)?) throws(AgentError) {
        let path = real(hostPath)
        if let k = FileIO.kind(path, followLinks: false) {
            guard k == .directory else {
                throw AgentError(.systemProblem, "\(hostPath) exists and is not a directory")
            }
            try setAttributes(path, hostPath, mode: mode, owner: owner)
            return
        }
        let parent = hostPath[..<hostPath.lastIndex(of: "/")!]
        if !parent.isEmpty, FileIO.kind(real(String(parent)), followLinks: true) == nil {
            try directory(String(parent), mode: 0o755, owner: nil)
        }
        guard mkdir(path, mode) == 0 else {
            throw AgentError(.systemProblem, "cannot create directory \(hostPath): \(FileIO.errnoText())")
        }
        undo.append(.removeDirectory(path))
        changed.append(hostPath)
        chmod(path, mode)
        if let owner, chown(path, owner.uid, owner.gid) != 0 {
            throw AgentError(.systemProblem, "cannot set the owner of \(hostPath): \(FileIO.errnoText())")
        }
    }

    /// Re-applies mode and owner to an existing file (not following a final link); undone on rollback.
    public func permissions(_ hostPath: String, mode: mode_t, owner: (uid: UInt32, gid: UInt32)?) throws(AgentError) {
        let path = real(hostPath)
        guard FileIO.kind(path, followLinks: false) == .regular else { return }
        try setAttributes(path, hostPath, mode: mode, owner: owner)
    }

    private func setAttributes(_ path: String, _ hostPath: String, mode: mode_t, owner: (uid: UInt32, gid: UInt32)?)
        throws(AgentError)
    {
        guard let old = FileIO.attributes(path) else { return }
        let wantUID = owner?.uid ?? old.uid, wantGID = owner?.gid ?? old.gid
        guard old.mode != UInt32(mode) || old.uid != wantUID || old.gid != wantGID else { return }
        undo.append(.attributes(path, mode: old.mode, uid: old.uid, gid: old.gid))
        guard chmod(path, mode) == 0, chown(path, wantUID, wantGID) == 0 else {
            throw AgentError(.systemProblem, "cannot set mode/owner of \(hostPath): \(FileIO.errnoText())")
        }
        changed.append(hostPath)
    }

    /// Settles the backups a killed run left in the directory of `path` (`<name>.agent-installer-backup-<pid>-<n>`
    /// of a process that no longer exists): where `<name>` is gone (the run had moved or removed it) the backup is
    /// put back; where `<name>` exists (the run had rewritten it, or put a link or new file there) the backup is
    /// deleted. Nothing of the host is lost, and no backup outlives the next run that works in that directory.
    func settle(_ path: String) {
        let dir = String(path[..<path.lastIndex(of: "/")!])
        guard settled.insert(dir).inserted else { return }
        let marker = ".agent-installer-backup-"
        for entry in FileIO.list(dir.isEmpty ? "/" : dir) {
            guard let range = entry.firstRange(of: marker) else { continue }
            let rest = entry[range.upperBound...]
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0 else { continue }
            let serial = rest[rest.index(after: dash)...]
            guard !serial.isEmpty, serial.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !StaleTemporaries.processExists(pid) else { continue }
            let backup = dir + "/" + entry, original = dir + "/" + entry[..<range.lowerBound]
            if FileIO.kind(original, followLinks: false) == nil {
                rename(backup, original)
            } else {
                try? FileIO.removeTree(backup)
            }
        }
    }

    /// Moves an existing object at `path` aside (kept until commit) and records how to put it back.
    @discardableResult
    private func backUp(_ path: String) throws(AgentError) -> Bool {
        guard FileIO.kind(path, followLinks: false) != nil else { return false }
        let backup = "\(path).agent-installer-backup-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(path, backup) == 0 else {
            throw AgentError(.systemProblem, "cannot set aside \(path): \(FileIO.errnoText())")
        }
        undo.append(.restore(backup: backup, path: path))
        backups.append(backup)
        return true
    }

    /// Writes a file atomically with its final mode and owner; the previous file is restored on rollback. A file
    /// that already has these bytes is left in place (only its mode and owner are re-applied).
    public func write(_ hostPath: String, _ bytes: [UInt8], mode: mode_t, owner: (uid: UInt32, gid: UInt32)?)
        throws(AgentError)
    {
        let path = real(hostPath)
        settle(path)
        if FileIO.kind(path, followLinks: false) == .directory {
            throw AgentError(.systemProblem, "\(hostPath) is a directory; expected a file")
        }
        if FileIO.kind(path, followLinks: false) == .regular, let old = FileIO.read(path), old == bytes {
            // Same contents: only mode and owner may need re-applying.
            try setAttributes(path, hostPath, mode: mode, owner: owner)
            return
        }
        if FileIO.kind(path, followLinks: false) == .regular, let old = FileIO.read(path) {
            // Keep a copy instead of moving: readers must never see the file missing.
            let copy = "\(path).agent-installer-backup-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let attrs = FileIO.attributes(path)!
            try AtomicFile.write(copy, old, mode: mode_t(attrs.mode), owner: (attrs.uid, attrs.gid))
            backups.append(copy)
            undo.append(.restore(backup: copy, path: path))
        } else if FileIO.kind(path, followLinks: false) != nil {
            try backUp(path)
        } else {
            undo.append(.remove(path))
        }
        try AtomicFile.write(path, bytes, mode: mode, owner: owner)
        changed.append(hostPath)
    }

    /// Points a symbolic link at `target`, replacing a link, file or real directory there (kept until commit).
    public func symlink(_ hostPath: String, to target: String) throws(AgentError) {
        let path = real(hostPath)
        settle(path)
        if FileIO.kind(path, followLinks: false) == .symlink, HostRootLink.read(path) == target { return }
        if try !backUp(path) { undo.append(.remove(path)) }
        guard Glibc.symlink(target, path) == 0 else {
            throw AgentError(.systemProblem, "cannot create link \(hostPath): \(FileIO.errnoText())")
        }
        changed.append(hostPath)
    }

    /// Renames a file, link or tree to a path that does not exist yet (same file system); undone by renaming back.
    public func move(_ hostPath: String, to destination: String) throws(AgentError) {
        let from = real(hostPath), to = real(destination)
        settle(from)
        settle(to)
        guard FileIO.kind(from, followLinks: false) != nil else { return }
        guard FileIO.kind(to, followLinks: false) == nil else {
            throw AgentError(.systemProblem, "cannot move \(hostPath): \(destination) already exists")
        }
        guard rename(from, to) == 0 else {
            throw AgentError(.systemProblem, "cannot move \(hostPath) to \(destination): \(FileIO.errnoText())")
        }
        undo.append(.move(from: to, back: from))
        changed.append(destination)
    }

    /// Removes a file, link or tree (kept until commit).
    public func remove(_ hostPath: String) throws(AgentError) {
        let path = real(hostPath)
        settle(path)
        guard FileIO.kind(path, followLinks: false) != nil else { return }
        try backUp(path)
        changed.append(hostPath)
    }

    /// Undoes every change, newest first. Best effort: continues past individual failures.
    public func rollback() {
        for step in undo.reversed() {
            switch step {
            case .remove(let p): try? FileIO.removeTree(p)
            case .removeDirectory(let p): try? FileIO.removeTree(p)
            case .restore(let backup, let p):
                try? FileIO.removeTree(p)
                rename(backup, p)
            case .attributes(let p, let mode, let uid, let gid):
                chown(p, uid, gid)
                chmod(p, mode_t(mode))
            case .move(let from, let back):
                rename(from, back)
            }
        }
        undo = []
        backups = []
    }

    /// Keeps the changes and deletes the backups.
    public func commit() {
        for b in backups { try? FileIO.removeTree(b) }
        undo = []
        backups = []
    }
}

/// `readlink` on a real path.
enum HostRootLink {
    static func read(_ p: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = readlink(p, &buf, 4096)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
