import CAgentOpenSSL

/// HMAC-SHA256 (RFC 2104 / RFC 4231), as used to sign the onboarding request.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // OpenSSL needs a non-null key pointer even for a zero-length key.
        let keyBytes = key.isEmpty ? [0] : key
        let ok = keyBytes.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                HMAC(EVP_sha256(), k.baseAddress, Int32(key.count),
                     m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count, &out, &length) != nil
            }
        }
        precondition(ok && length == 32, "OpenSSL HMAC-SHA256 failed")
        return Array(out.prefix(Int(length)))
    }

    /// The authentication code of `message` under a secret key (the decoded workspace key).
    public static func authenticationCode(key: Secret, message: [UInt8]) -> [UInt8] {
        key.withBytes { authenticationCode(key: $0, message: message) }
    }
}
