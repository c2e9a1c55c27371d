#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The kinds of file-system object the tool distinguishes.
public enum FileKind: String, Sendable, Codable {
    case regular, directory, symlink, other
}

/// Small, explicit POSIX file operations on real paths (no Foundation, no NSS), used by `HostRoot` and `AtomicFile`.
public enum FileIO {
    /// Reads a whole file; nil when absent, unreadable, or larger than `limit` bytes.
    public static func read(_ path: String, limit: Int = 64 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
            if out.count > limit { return nil }
        }
        return out
    }

    /// The kind of object at a real path, nil when absent.
    public static func kind(_ path: String, followLinks: Bool) -> FileKind? {
        var st = stat()
        let rc = followLinks ? stat(path, &st) : lstat(path, &st)
        guard rc == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// Sorted entry names of a directory (no `.`/`..`); empty when absent.
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Mode bits (permission part) and owner of a real path, without following a final symlink.
    public static func attributes(_ path: String) -> (mode: UInt32, uid: UInt32, gid: UInt32, size: Int64)? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return (UInt32(st.st_mode) & 0o7777, st.st_uid, st.st_gid, Int64(st.st_size))
    }

    /// Creates a directory and its missing parents with `mode` (parents get 0755). Existing ones are kept.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(AgentError) {
        var current = path.hasPrefix("/") ? "" : "."
        let parts = path.split(separator: "/")
        for (i, part) in parts.enumerated() {
            current += "/" + part
            if kind(current, followLinks: true) == .directory { continue }
            let m: mode_t = i == parts.count - 1 ? mode : 0o755
            if mkdir(current, m) != 0 && errno != EEXIST {
                throw AgentError(.systemProblem, "cannot create directory \(current): \(errnoText())")
            }
        }
    }

    /// Removes a file or an empty directory; absent is fine.
    public static func remove(_ path: String) throws(AgentError) {
        if unlink(path) == 0 || errno == ENOENT { return }
        if errno == EISDIR || errno == EPERM, rmdir(path) == 0 { return }
        throw AgentError(.systemProblem, "cannot remove \(path): \(errnoText())")
    }

    /// Removes a tree (no symlink is followed); absent is fine.
    public static func removeTree(_ path: String) throws(AgentError) {
        guard let k = kind(path, followLinks: false) else { return }
        if k == .directory {
            for name in list(path) { try removeTree(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT {
                throw AgentError(.systemProblem, "cannot remove directory \(path): \(errnoText())")
            }
        } else {
            try remove(path)
        }
    }

    /// The text of the current `errno`.
    public static func errnoText(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
