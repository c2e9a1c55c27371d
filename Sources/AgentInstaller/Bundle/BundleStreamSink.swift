import AgentSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The byte sink of a one-pass fetch + verify + extract: every byte of the download is hashed; the script header
/// is collected and parsed (never executed) until the payload offset is known; from there the payload is written
/// into a pipe that the extractor reads. Runs on the transfer's thread, one call at a time.
final class BundleStreamSink: @unchecked Sendable {
    private let pipeWrite: Int32
    private let name: String
    private var sha = SHA256()
    private var prefix: [UInt8] = []
    private(set) var header: BundleHeader?
    /// The parse error that stopped the transfer, if any.
    private(set) var headerError: AgentError?
    private(set) var bytes: Int64 = 0
    private var forwarded: Int64 = 0
    private let stopped = Atomic<Bool>(false)

    init(pipeWrite: Int32, name: String) {
        self.pipeWrite = pipeWrite
        self.name = name
    }

    /// Tells the sink to refuse further data (the extractor gave up).
    func stop() { stopped.store(true, ordering: .relaxed) }

    var sinkValue: HTTPSink {
        HTTPSink(write: { [self] chunk in self.write(chunk) }, restart: { [self] in self.restart() })
    }

    func write(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if stopped.load(ordering: .relaxed) { return false }
        sha.update(chunk)
        bytes += Int64(chunk.count)
        if header != nil { return forward(chunk) }
        prefix.append(contentsOf: chunk)
        guard let parsed = tryParse(final: false) else { return headerError == nil }
        header = parsed
        let payload = prefix[parsed.payloadOffset...]
        let ok = Array(payload).withUnsafeBytes { forward($0) }
        prefix = []
        return ok
    }

    /// The transfer started over from byte 0: possible only while nothing reached the extractor.
    func restart() -> Bool {
        guard forwarded == 0 else { return false }
        sha = SHA256()
        bytes = 0
        prefix = []
        header = nil
        return true
    }

    /// Called after the transfer ended: parses a header still pending (a short or truncated download).
    func finish() throws(AgentError) {
        if let headerError { throw headerError }
        if header == nil {
            if let parsed = tryParse(final: true) { header = parsed; _ = Array(prefix[parsed.payloadOffset...]).withUnsafeBytes { forward($0) } }
            if let headerError { throw headerError }
        }
    }

    /// The SHA-256 of every byte received.
    func digest() -> String { Hex.encode(sha.finalize()) }

    /// Parses the collected prefix once it holds the declared script and 3 payload bytes (or at the end, or
    /// as soon as it cannot be a bundle).
    private func tryParse(final: Bool) -> BundleHeader? {
        if final { return parse(final: true) }
        if prefix.count < 3 { return nil }
        if prefix.starts(with: BundleHeader.gzipMagic) || !prefix.starts(with: Array("#!".utf8))
            || prefix.count > BundleHeader.maximumScriptBytes + 4 {
            return parse(final: false)
        }
        guard let length = declaredLength() else { return nil }
        var newlines = 0
        var end = -1
        for (i, b) in prefix.enumerated() where b == 0x0a {
            newlines += 1
            if newlines == length { end = i + 1; break }
        }
        guard end >= 0, prefix.count >= end + 3 else { return nil }
        return parse(final: false)
    }

    private func parse(final: Bool) -> BundleHeader? {
        do {
            return try BundleHeader.parse(prefix: prefix, fileSize: final ? prefix.count : nil, name: name)
        } catch {
            headerError = error
            return nil
        }
    }

    /// The value of a complete `SCRIPT_LEN=` line in the prefix.
    private func declaredLength() -> Int? {
        let key = Array("\nSCRIPT_LEN=".utf8)
        guard prefix.count > key.count else { return nil }
        var i = 0
        while i + key.count <= prefix.count {
            if prefix[i] == 0x0a, Array(prefix[i..<i + key.count]) == key {
                let start = i + key.count
                guard let end = prefix[start...].firstIndex(of: 0x0a) else { return nil }
                return Int(String(decoding: prefix[start..<end], as: UTF8.self))
            }
            i += 1
        }
        return nil
    }

    private func forward(_ chunk: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < chunk.count {
            let n = Glibc.write(pipeWrite, chunk.baseAddress! + done, chunk.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        forwarded += Int64(chunk.count)
        return true
    }
}
