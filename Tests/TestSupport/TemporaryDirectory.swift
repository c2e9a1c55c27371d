import AgentSupport

#if canImport(Glibc)
import Glibc
#endif

/// A private temporary directory, removed when the value is released. Every test works inside its own.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(prefix: String = "agent-installer-test") {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: p!)
    }

    deinit { try? FileIO.removeTree(path) }

    /// The real path of `relative` inside the directory.
    public func url(_ relative: String) -> String { path + "/" + relative }

    /// Writes `text` at `relative`, creating parent directories.
    public func write(_ relative: String, _ text: String, mode: mode_t = 0o644) throws {
        try write(relative, bytes: Array(text.utf8), mode: mode)
    }

    public func write(_ relative: String, bytes: [UInt8], mode: mode_t = 0o644) throws {
        let full = url(relative)
        try FileIO.makeDirectories(String(full[..<full.lastIndex(of: "/")!]))
        try AtomicFile.write(full, bytes, mode: mode)
    }

    /// Creates a symbolic link at `relative` pointing to `target` (verbatim).
    public func symlink(_ relative: String, to target: String) throws {
        let full = url(relative)
        try FileIO.makeDirectories(String(full[..<full.lastIndex(of: "/")!]))
        guard Glibc.symlink(target, full) == 0 else {
            throw AgentError(.internalError, "symlink \(full): \(FileIO.errnoText())")
        }
    }

    public func mkdir(_ relative: String) throws { try FileIO.makeDirectories(url(relative)) }

    public func read(_ relative: String) -> String? {
        FileIO.read(url(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    public func exists(_ relative: String) -> Bool { FileIO.kind(url(relative), followLinks: false) != nil }
}
