import CAgentOpenSSL

/// SHA-1, only for certificate thumbprints (the waagent `<THUMB>` file names); never for integrity.
public enum SHA1 {
    /// Length of a digest in bytes.
    public static let byteCount = 20

    /// The SHA-1 of `bytes` (20 bytes).
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        let state = DigestState(EVP_sha1())
        let array = Array(bytes)
        array.withUnsafeBytes { state.update($0) }
        return state.finalize()
    }
}
