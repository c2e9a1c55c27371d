import CAgentOpenSSL

/// Streaming SHA-256 (OpenSSL EVP): feed bytes with `update`, read the 32-byte digest with `finalize()`.
///
/// A value type: copying a `SHA256` and updating the copy leaves the original untouched (the digest state is
/// copied on write). After `finalize()` the value starts over as a fresh hash.
public struct SHA256: @unchecked Sendable {
    /// Length of a digest in bytes.
    public static let byteCount = 32

    private var state: DigestState

    /// A hash over no bytes yet.
    public init() { state = DigestState(EVP_sha256()) }

    /// Adds `bytes` to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        if !isKnownUniquelyReferenced(&state) { state = state.copy() }
        state.update(bytes)
    }

    /// Adds `bytes` to the hash.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    /// Adds the UTF-8 bytes of `text` to the hash.
    public mutating func update(_ text: String) { update(Array(text.utf8)) }

    /// The digest of everything added so far (32 bytes); the value then starts over.
    public mutating func finalize() -> [UInt8] {
        if !isKnownUniquelyReferenced(&state) { state = state.copy() }
        return state.finalize()
    }

    /// The SHA-256 of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return h.finalize()
    }

    /// The SHA-256 of `bytes` as 64 lower-case hex digits (the form `sha256sum` prints).
    public static func hexDigest(_ bytes: some Sequence<UInt8>) -> String { Hex.encode(hash(bytes)) }
}

/// One EVP digest context, freed with its owner. Used by `SHA256` (copy-on-write) and `SHA1`.
final class DigestState {
    private let context: OpaquePointer
    private let algorithm: OpaquePointer?

    init(_ algorithm: OpaquePointer?) {
        self.algorithm = algorithm
        guard let ctx = EVP_MD_CTX_new() else { fatalError("OpenSSL cannot allocate a digest context") }
        context = ctx
        reinitialise()
    }

    private init(copying other: DigestState) {
        algorithm = other.algorithm
        guard let ctx = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(ctx, other.context) == 1 else {
            fatalError("OpenSSL cannot copy a digest context")
        }
        context = ctx
    }

    deinit { EVP_MD_CTX_free(context) }

    func copy() -> DigestState { DigestState(copying: self) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, EVP_DigestUpdate(context, base, bytes.count) == 1 else { return }
    }

    func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &out, &length) == 1 else { fatalError("OpenSSL digest failed") }
        reinitialise()
        return Array(out.prefix(Int(length)))
    }

    private func reinitialise() {
        guard EVP_DigestInit_ex(context, algorithm, nil) == 1 else { fatalError("OpenSSL digest unavailable") }
    }
}
