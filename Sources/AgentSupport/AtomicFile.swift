#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a file so that readers see either the old content or the complete new one, never a partial file.
///
/// A temporary file is created next to the target with the **final mode from the first byte** (`open` with
/// `O_EXCL` and the mode, then `fchmod` to undo the umask), owned as asked, written, `fsync`ed, renamed over the
/// target, and the directory is `fsync`ed. Temporaries that an earlier writer of the same target left when it was
/// killed (`.<name>.tmp-<pid>-…` of a process that has ended) are removed first.
public enum AtomicFile {
    /// Writes `bytes` to real path `path` with `mode`, and `owner` (uid, gid) when given.
    public static func write(
        _ path: String, _ bytes: some Collection<UInt8>, mode: mode_t, owner: (uid: UInt32, gid: UInt32)? = nil
    ) throws(AgentError) {
        let dir = parentDirectory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        StaleTemporaries.removeEnded(in: dir, prefix: ".\(base).tmp-", separator: "-")
        var tmp = ""
        var fd: Int32 = -1
        for attempt in 0..<16 {
            let rnd = UInt64.random(in: 0...UInt64.max)
            tmp = "\(dir)/.\(base).tmp-\(getpid())-\(String(rnd, radix: 36))"
            fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
            if fd >= 0 || errno != EEXIST || attempt == 15 { break }
        }
        guard fd >= 0 else {
            throw AgentError(.systemProblem, "cannot create a file in \(dir): \(FileIO.errnoText())")
        }
        var ok = false
        defer {
            if fd >= 0 { close(fd) }
            if !ok { unlink(tmp) }
        }
        guard fchmod(fd, mode) == 0 else {
            throw AgentError(.systemProblem, "cannot set mode of \(path): \(FileIO.errnoText())")
        }
        if let owner, fchown(fd, owner.uid, owner.gid) != 0 {
            throw AgentError(.systemProblem, "cannot set owner of \(path): \(FileIO.errnoText())")
        }
        let data = Array(bytes)
        var offset = 0
        while offset < data.count {
            let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, data.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AgentError(.systemProblem, "cannot write \(path): \(FileIO.errnoText())")
            }
            offset += n
        }
        guard fsync(fd) == 0 else {
            throw AgentError(.systemProblem, "cannot flush \(path): \(FileIO.errnoText())")
        }
        close(fd)
        fd = -1
        guard rename(tmp, path) == 0 else {
            throw AgentError(.systemProblem, "cannot replace \(path): \(FileIO.errnoText())")
        }
        ok = true
        syncDirectory(dir)
    }

    /// Writes UTF-8 text.
    public static func write(
        _ path: String, text: String, mode: mode_t, owner: (uid: UInt32, gid: UInt32)? = nil
    ) throws(AgentError) {
        try write(path, Array(text.utf8), mode: mode, owner: owner)
    }

    /// `fsync` on a directory so a rename in it is durable.
    public static func syncDirectory(_ dir: String) {
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }
}
