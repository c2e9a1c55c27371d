import CAgentOpenSSL

/// An RSA private key held by OpenSSL (`EVP_PKEY`), freed when the last reference goes.
///
/// Immutable after creation, so it may be shared between tasks. Its PEM text is handed out only as a `Secret`.
public final class RSAPrivateKey: @unchecked Sendable {
    let pointer: OpaquePointer

    private init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// Generates a new key of `bits` bits (the agent's certificate key is 2048) with exponent 65537.
    /// - Throws: `AgentError(.certificateGeneration)` (exit 32) when OpenSSL fails.
    public static func generate(bits: Int = 2048) throws(AgentError) -> RSAPrivateKey {
        OpenSSLErrorQueue.reset()
        guard bits >= 1024, let key = cagent_rsa_generate(UInt32(bits)) else {
            throw OpenSSLErrorQueue.error(.certificateGeneration, "cannot generate a \(bits)-bit RSA key")
        }
        return RSAPrivateKey(taking: key)
    }

    /// Reads an unencrypted private key from PEM: traditional PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8
    /// (`BEGIN PRIVATE KEY`). Encrypted keys are refused (no passphrase prompt).
    /// - Throws: `AgentError(code)` naming OpenSSL's reason; `what` names the source in the message.
    public convenience init(pem: [UInt8], what: String = "private key", code: ExitCode = .internalError) throws(AgentError) {
        OpenSSLErrorQueue.reset()
        let bio = try MemoryBIO(reading: pem)
        guard let key = PEM_read_bio_PrivateKey(bio.pointer, nil, refusePassphrase, nil) else {
            throw OpenSSLErrorQueue.error(code, "cannot read \(what) as PEM")
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            EVP_PKEY_free(key)
            throw AgentError(code, "\(what) is not an RSA key")
        }
        self.init(taking: key)
    }

    /// Size of the modulus in bits.
    public var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }

    /// The key as traditional PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), unencrypted, as the agent stores
    /// `oms.key`.
    public func pkcs1PEM() throws(AgentError) -> Secret {
        OpenSSLErrorQueue.reset()
        let bio = try MemoryBIO()
        guard PEM_write_bio_PrivateKey_traditional(bio.pointer, pointer, nil, nil, 0, nil, nil) == 1 else {
            throw OpenSSLErrorQueue.error(.certificateGeneration, "cannot write the private key as PEM")
        }
        return Secret(bytes: bio.contents())
    }

    /// True when `certificate` carries this key's public half.
    public func matches(_ certificate: X509Certificate) -> Bool {
        OpenSSLErrorQueue.reset()
        defer { OpenSSLErrorQueue.reset() }
        return X509_check_private_key(certificate.pointer, pointer) == 1
    }
}

/// PEM passphrase callback that refuses, so reading an encrypted key fails instead of prompting on a terminal.
private let refusePassphrase: @convention(c) (
    UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?
) -> Int32 = { _, _, _, _ in 0 }
