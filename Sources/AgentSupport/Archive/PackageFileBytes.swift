#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Random access to a package file's bytes for the in-process package readers: `read(offset, count)` returns
/// `count` bytes, fewer only at the end of the input.
typealias PackageFileRead = (Int64, Int) throws(AgentError) -> [UInt8]

enum PackageFileBytes {
    /// Opens `path` read-only and hands `body` a reader over it (pread, EINTR retried).
    static func withFile<T>(_ path: String, _ body: (PackageFileRead) throws(AgentError) -> T) throws(AgentError) -> T {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AgentError(.systemProblem, "cannot open \(path): \(FileIO.errnoText())") }
        defer { close(fd) }
        return try body { offset, count throws(AgentError) in
            var bytes = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(offset) + off_t(got)) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw AgentError(.systemProblem, "cannot read \(path): \(FileIO.errnoText())") }
                if n == 0 { break }
                got += n
            }
            bytes.removeSubrange(got...)
            return bytes
        }
    }

    /// A reader over bytes in memory.
    static func memory(_ bytes: [UInt8]) -> PackageFileRead {
        { offset, count throws(AgentError) in
            guard offset >= 0, offset <= Int64(bytes.count), count >= 0 else { return [] }
            let start = Int(offset)
            return Array(bytes[start..<(start + min(count, bytes.count - start))])
        }
    }
}
