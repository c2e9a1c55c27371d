#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a download's bytes go, in order, as they arrive (so a caller can hash or tee while streaming).
///
/// `write` receives each chunk and returns false to stop the transfer (classified `.aborted`). `restart` is called
/// when the bytes start over at offset 0 (a server ignored a resume request, or the resource changed): the sink
/// must forget everything written so far (truncate, reset a hash) and return false when it cannot. Both run on
/// the transfer's own thread, one call at a time.
public struct HTTPSink: Sendable {
    public var write: @Sendable (UnsafeRawBufferPointer) -> Bool
    public var restart: @Sendable () -> Bool

    public init(write: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool,
                restart: @escaping @Sendable () -> Bool) {
        self.write = write
        self.restart = restart
    }

    /// Writes to an open file descriptor starting at its current offset; `restart` truncates back to that offset
    /// (so the descriptor must be a seekable file for a restart). The descriptor stays open and owned by the caller.
    public static func fileDescriptor(_ fd: Int32) -> HTTPSink {
        let start = lseek(fd, 0, SEEK_CUR)
        return HTTPSink(
            write: { chunk in
                var done = 0
                while done < chunk.count {
                    let n = Glibc.write(fd, chunk.baseAddress! + done, chunk.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return false
                    }
                    done += n
                }
                return true
            },
            restart: {
                guard start >= 0 else { return false }
                return ftruncate(fd, start) == 0 && lseek(fd, start, SEEK_SET) == start
            })
    }
}
