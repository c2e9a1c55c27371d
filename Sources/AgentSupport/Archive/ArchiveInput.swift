import CAgentArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sees every byte read from an archive's input, in order, e.g. to hash a bundle while it is extracted.
public typealias ArchiveByteObserver = (ArchiveStreamPart, UnsafeRawBufferPointer) -> Void

/// Reads an archive's bytes from a file descriptor (a file or a pipe) for libarchive, showing each chunk to an
/// observer and counting bytes. The prefix is skipped by reading, never by seeking, so pipes work.
final class ArchiveInput {
    private let fd: Int32
    private let observer: ArchiveByteObserver?
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var prefixBytes: Int64 = 0
    private(set) var payloadBytes: Int64 = 0
    /// The errno of a failed read, reported instead of libarchive's generic message.
    private(set) var readErrno: Int32?

    init(fd: Int32, observer: ArchiveByteObserver?) {
        self.fd = fd
        self.observer = observer
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Reads and discards `offset` bytes (shown to the observer as `.prefix`).
    func skipPrefix(_ offset: Int64) throws(AgentError) {
        var left = offset
        while left > 0 {
            let n = readChunk(max: Int(min(left, Int64(buffer.count))))
            if n < 0 { throw AgentError(.systemProblem, "cannot read the archive input: \(FileIO.errnoText(readErrno ?? EIO))") }
            if n == 0 { throw AgentError(.integrity, "the input ends after \(offset - left) bytes, before the archive offset \(offset)") }
            observer?(.prefix, UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            prefixBytes += Int64(n)
            left -= Int64(n)
        }
    }

    /// The next chunk of payload for libarchive: its length (0 at the end, -1 on error) and where it is.
    func nextPayload() -> (Int, UnsafeRawPointer?) {
        let n = readChunk(max: buffer.count)
        guard n > 0 else { return (n, nil) }
        observer?(.payload, UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        payloadBytes += Int64(n)
        return (n, UnsafeRawPointer(buffer.baseAddress))
    }

    /// Reads the rest of the input after the archive's end (padding, trailer), so the observer sees all of it.
    func drain() throws(AgentError) {
        while true {
            let (n, _) = nextPayload()
            if n == 0 { return }
            if n < 0 { throw AgentError(.systemProblem, "cannot read the archive input: \(FileIO.errnoText(readErrno ?? EIO))") }
        }
    }

    private func readChunk(max: Int) -> Int {
        while true {
            let n = read(fd, buffer.baseAddress, max)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { readErrno = errno }
            return n
        }
    }
}

/// libarchive's read callback: hands out the next chunk of the `ArchiveInput` passed as client data.
let archiveInputRead: @convention(c) (
    OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafeRawPointer?>?
) -> la_ssize_t = { _, clientData, bufferOut in
    guard let clientData, let bufferOut else { return -1 }
    let input = Unmanaged<ArchiveInput>.fromOpaque(clientData).takeUnretainedValue()
    let (n, pointer) = input.nextPayload()
    bufferOut.pointee = pointer
    return la_ssize_t(n)
}
