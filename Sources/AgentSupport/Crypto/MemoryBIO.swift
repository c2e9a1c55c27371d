import CAgentOpenSSL

/// A short-lived OpenSSL memory BIO: reading from given bytes, or collecting written bytes.
final class MemoryBIO {
    let pointer: OpaquePointer
    private let retained: [UInt8]

    /// A writable, empty BIO.
    init() throws(AgentError) {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw OpenSSLErrorQueue.error(.internalError, "cannot allocate an OpenSSL buffer")
        }
        pointer = bio
        retained = []
    }

    /// A read-only BIO over a private copy of `bytes`.
    init(reading bytes: [UInt8]) throws(AgentError) {
        retained = bytes.isEmpty ? [0] : bytes
        let bio = retained.withUnsafeBytes { BIO_new_mem_buf($0.baseAddress, Int32(bytes.count)) }
        guard let bio else { throw OpenSSLErrorQueue.error(.internalError, "cannot allocate an OpenSSL buffer") }
        pointer = bio
    }

    deinit { BIO_free(pointer) }

    /// Everything written so far.
    func contents() -> [UInt8] {
        var data: UnsafeMutablePointer<CChar>?
        let length = cagent_bio_mem_data(pointer, &data)
        guard length > 0, let data else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }
}
