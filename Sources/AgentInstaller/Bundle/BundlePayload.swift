import AgentSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a bundle's gzip'd tar payload with `ArchiveExtractor` (libarchive, every entry validated) while hashing
/// every byte of the input (script and payload) with SHA-256: one pass over the bytes for listing, verifying
/// and extracting.
enum BundlePayload {
    /// The running hash fed by the extractor's byte observer.
    final class Hasher: @unchecked Sendable {
        private var sha = SHA256()
        private(set) var bytes: Int64 = 0
        func observe(_ chunk: UnsafeRawBufferPointer) {
            sha.update(chunk)
            bytes += Int64(chunk.count)
        }
        func hex() -> String { Hex.encode(sha.finalize()) }

        /// Reads `fd` to its end into the hash (after the archive reader stopped early).
        func drain(_ fd: Int32) {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                buffer.withUnsafeBytes { observe(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
        }
    }

    static let extractor = ArchiveExtractor(allowedTopLevel: BundleExtraction.allowedTopLevel,
                                            maximumExtractedBytes: BundleExtraction.maximumExtractedBytes)

    /// Lists the payload of `file`; returns the entries (with refusal reasons) and the file's SHA-256.
    static func list(file: BundleFile, expected: BundleDigest?) throws(AgentError) -> ([ArchiveEntryInfo], String) {
        let fd = try open(file.path)
        defer { close(fd) }
        let hasher = Hasher()
        do {
            let entries = try extractor.list(from: fd, skipping: Int64(file.header.payloadOffset),
                                             observer: { _, chunk in hasher.observe(chunk) })
            hasher.drain(fd)
            return (entries, hasher.hex())
        } catch {
            throw failure(error, fd: fd, hasher: hasher, expected: expected, name: file.path)
        }
    }

    /// Extracts the payload of `file` into the existing empty directory `directory`; returns the result and
    /// the file's SHA-256 (checked against `expected` before returning: exit 80 on a mismatch).
    static func extract(file: BundleFile, into directory: String,
                        expected: BundleDigest?) throws(AgentError) -> (ArchiveExtractionResult, String) {
        let fd = try open(file.path)
        defer { close(fd) }
        return try extract(fd: fd, offset: Int64(file.header.payloadOffset), into: directory, name: file.path,
                           hasher: Hasher(), expected: expected)
    }

    /// Extracts from a file descriptor (a file or a pipe) whose first `offset` bytes are the script; `hasher`
    /// sees every byte.
    static func extract(fd: Int32, offset: Int64, into directory: String, name: String, hasher: Hasher,
                        expected: BundleDigest?) throws(AgentError) -> (ArchiveExtractionResult, String) {
        do {
            let result = try extractor.extract(from: fd, skipping: offset, into: directory,
                                               observer: { _, chunk in hasher.observe(chunk) })
            hasher.drain(fd)
            let digest = hasher.hex()
            if let expected { try expected.check(digest, what: name) }
            return (result, digest)
        } catch {
            throw failure(error, fd: fd, hasher: hasher, expected: expected, name: name)
        }
    }

    static func open(_ path: String) throws(AgentError) -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AgentError(.usage, "cannot open \(path): \(FileIO.errnoText())") }
        return fd
    }

    /// When reading stopped early, the rest of the input is still hashed: a checksum mismatch is reported as
    /// such (exit 80), whatever broke the archive. A refused entry keeps exit 80; a payload that cannot be read
    /// as gzip'd tar (truncated, corrupt) without a checksum to blame is a malformed bundle (exit 2).
    static func failure(_ error: AgentError, fd: Int32, hasher: Hasher, expected: BundleDigest?,
                        name: String) -> AgentError {
        if error.message.hasPrefix("archive entry") || error.code != .integrity { return error }
        if error.message.contains("does not match its checksum") { return error }
        hasher.drain(fd)
        if let expected, expected.hex != hasher.hex() {
            return AgentError(.integrity, "\(name) does not match its checksum from \(expected.source) (its payload is also unreadable: \(error.message))",
                              hint: "download the bundle again; nothing was extracted")
        }
        return AgentError(.usage, "\(name): the payload is truncated or corrupt (\(error.message))")
    }
}
