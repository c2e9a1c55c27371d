#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The host tree the tool reads and writes: `/` for the live host, or a directory given with `--root`.
///
/// Every path the tool touches goes through here. Paths are host paths (`/etc/os-release`); `resolve` maps them
/// to a real path under the root, following symlinks **inside** the tree: an absolute link target is re-rooted
/// (`/usr/bin/python -> /etc/alternatives/python` stays under the root) and `..` never climbs above the root.
public struct HostRoot: Sendable, Hashable, CustomStringConvertible {
    /// The absolute, symlink-free path of the root directory (`/` for the live host).
    public let path: String

    /// The live host.
    public static let live = HostRoot(uncheckedPath: "/")

    /// A root at `path`; it must exist and be a directory. The path is made absolute and canonical.
    public init(_ path: String) throws(AgentError) {
        guard let real = Self.realpath(path) else {
            throw AgentError(.usage, "root directory \(path) does not exist or is not accessible")
        }
        var st = stat()
        guard stat(real, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw AgentError(.usage, "root \(path) is not a directory")
        }
        self.path = real
    }

    private init(uncheckedPath: String) { path = uncheckedPath }

    /// True for the live host (`/`): only then may the tool run the host's own commands.
    public var isLive: Bool { path == "/" }

    public var description: String { path }

    /// The real path of host path `hostPath` without following symlinks (lexical join, `..` clamped).
    public func lexical(_ hostPath: String) -> String {
        join(Self.normalize(components: hostPath.split(separator: "/").map(String.init)))
    }

    /// The real path of host path `hostPath`, following every symlink inside the tree (at most 40 links).
    /// The last component need not exist. Returns nil when a link loop or too many links are met.
    public func resolve(_ hostPath: String) -> String? {
        resolveComponents(hostPath).map(join)
    }

    /// Like `resolve`, as the host path (the part below the root), e.g. `/etc/alternatives/python3.11`.
    public func resolvedHostPath(_ hostPath: String) -> String? {
        resolveComponents(hostPath).map { "/" + $0.joined(separator: "/") }
    }

    private func resolveComponents(_ hostPath: String) -> [String]? {
        var pending = hostPath.split(separator: "/").map(String.init).reversed() as [String]
        var done: [String] = []
        var links = 0
        while let comp = pending.popLast() {
            if comp == "." || comp.isEmpty { continue }
            if comp == ".." { _ = done.popLast(); continue }
            let candidate = join(done + [comp])
            var st = stat()
            if lstat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK {
                links += 1
                if links > 40 { return nil }
                guard let target = Self.readlink(candidate) else { return nil }
                if target.hasPrefix("/") { done = [] }
                pending.append(contentsOf: target.split(separator: "/").map(String.init).reversed())
            } else {
                done.append(comp)
            }
        }
        return done
    }

    private func join(_ components: [String]) -> String {
        if components.isEmpty { return path }
        return (path == "/" ? "" : path) + "/" + components.joined(separator: "/")
    }

    private static func normalize(components: [String]) -> [String] {
        var out: [String] = []
        for c in components where !c.isEmpty && c != "." {
            if c == ".." { _ = out.popLast() } else { out.append(c) }
        }
        return out
    }

    // MARK: Reading

    /// The contents of the file at host path, following links inside the tree; nil when absent or unreadable.
    public func readFile(_ hostPath: String, limit: Int = 64 << 20) -> [UInt8]? {
        guard let real = resolve(hostPath) else { return nil }
        return FileIO.read(real, limit: limit)
    }

    /// The file as UTF-8 text (invalid bytes replaced); nil when absent.
    public func readText(_ hostPath: String, limit: Int = 64 << 20) -> String? {
        readFile(hostPath, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The kind of object at host path (links followed inside the tree), nil when absent.
    public func kind(_ hostPath: String) -> FileKind? {
        guard let real = resolve(hostPath) else { return nil }
        return FileIO.kind(real, followLinks: false)
    }

    public func exists(_ hostPath: String) -> Bool { kind(hostPath) != nil }
    public func isDirectory(_ hostPath: String) -> Bool { kind(hostPath) == .directory }
    public func isRegularFile(_ hostPath: String) -> Bool { kind(hostPath) == .regular }

    /// True when the object at host path is a regular file with an execute bit.
    public func isExecutable(_ hostPath: String) -> Bool {
        guard let real = resolve(hostPath) else { return false }
        var st = stat()
        return stat(real, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && (st.st_mode & 0o111) != 0
    }

    /// Names in the directory at host path (no `.`/`..`), sorted; empty when absent.
    public func list(_ hostPath: String) -> [String] {
        guard let real = resolve(hostPath) else { return [] }
        return FileIO.list(real)
    }

    /// Searches `PATH`-style directories inside the tree for an executable named `name`; returns its host path.
    public func which(_ name: String, path: [String] = HostRoot.defaultPath) -> String? {
        for dir in path {
            let candidate = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    /// The PATH used for looking up programs inside a tree.
    public static let defaultPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    // MARK: helpers

    static func realpath(_ p: String) -> String? {
        guard let r = Glibc.realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    static func readlink(_ p: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = Glibc.readlink(p, &buf, 4096)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
