import AgentSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A bundle file on disk with its parsed header: the starting point of inspect and extract.
public struct BundleFile: Sendable, Equatable {
    /// The path as given.
    public var path: String
    /// The size in bytes.
    public var size: Int
    public var header: BundleHeader

    /// The number of payload bytes (everything after the script).
    public var payloadSize: Int { size - header.payloadOffset }

    /// Opens `path`, reads the beginning and parses the header (never executes it). A missing file, a directory,
    /// or anything that is not a bundle is refused with exit 2.
    public init(path: String) throws(AgentError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AgentError(.usage, "cannot open \(path): \(FileIO.errnoText())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw AgentError(.usage, "\(path) is not a regular file")
        }
        let size = Int(st.st_size)
        let want = min(size, BundleHeader.maximumScriptBytes + 4)
        var prefix = [UInt8](repeating: 0, count: want)
        var got = 0
        while got < want {
            let n = prefix.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, want - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        guard got == want else { throw AgentError(.usage, "cannot read \(path): \(FileIO.errnoText())") }
        guard size > 0 else { throw AgentError(.usage, "\(path) is empty, not an agent bundle") }
        self.path = path
        self.size = size
        header = try BundleHeader.parse(prefix: prefix, fileSize: size, name: path)
    }
}
