import CAgentOpenSSL

/// Decrypts CMS / PKCS#7 EnvelopedData (the VM extension's `protectedSettings`) in process with OpenSSL.
///
/// Accepts DER, or PEM labelled `CMS`, `PKCS7` or `PKCS #7`; `CMS_decrypt` reads both CMS and PKCS#7 and
/// handles AES and DES-EDE3 content encryption. The plaintext is returned as a `Secret`.
public enum CMSEnvelope {
    /// PEM labels accepted around the DER.
    static let pemLabels = ["CMS", "PKCS7", "PKCS #7"]

    /// Decrypts `envelope` for the recipient `certificate` with its private `key`.
    ///
    /// - Parameters:
    ///   - what: names the input in the error ("protectedSettings").
    ///   - code: the exit code of the error; the default is 1, the extension's code for undecryptable settings.
    /// - Throws: `AgentError(code, "cannot decrypt <what>: <OpenSSL reason>")`, one line, never any plaintext.
    public static func decrypt(
        _ envelope: [UInt8], certificate: X509Certificate, key: RSAPrivateKey,
        what: String = "the enveloped data", code: ExitCode = .generic
    ) throws(AgentError) -> Secret {
        OpenSSLErrorQueue.reset()
        let der = try derBytes(envelope, what: what, code: code)
        let input = try MemoryBIO(reading: der)
        guard let cms = d2i_CMS_bio(input.pointer, nil) else {
            throw OpenSSLErrorQueue.error(code, "cannot decrypt \(what): not CMS or PKCS#7 data")
        }
        defer { CMS_ContentInfo_free(cms) }
        guard OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_enveloped else {
            throw AgentError(code, "cannot decrypt \(what): not EnvelopedData")
        }
        // OpenSSL 3 fails without a queued reason in these two cases, so name them first.
        guard key.matches(certificate) else {
            throw AgentError(code, "cannot decrypt \(what): the private key does not belong to the certificate")
        }
        guard hasRecipient(cms, matching: certificate) else {
            throw AgentError(code, "cannot decrypt \(what): it is not encrypted for certificate \(certificate.sha1Thumbprint)")
        }
        let output = try MemoryBIO()
        guard CMS_decrypt(cms, key.pointer, certificate.pointer, nil, output.pointer, UInt32(CMS_BINARY)) == 1 else {
            throw OpenSSLErrorQueue.error(code, "cannot decrypt \(what)")
        }
        return Secret(bytes: output.contents())
    }

    /// True when one of the key-transport recipients names `certificate` (issuer and serial, or key identifier).
    static func hasRecipient(_ cms: OpaquePointer, matching certificate: X509Certificate) -> Bool {
        guard let infos = CMS_get0_RecipientInfos(cms) else { return false }
        for i in 0..<OPENSSL_sk_num(infos) {
            guard let info = OPENSSL_sk_value(infos, i) else { continue }
            let recipient = OpaquePointer(info)
            if CMS_RecipientInfo_type(recipient) == CMS_RECIPINFO_TRANS,
               CMS_RecipientInfo_ktri_cert_cmp(recipient, certificate.pointer) == 0 {
                return true
            }
        }
        OpenSSLErrorQueue.reset()
        return false
    }

    /// DER as given, or the Base64 body of a PEM block.
    static func derBytes(_ input: [UInt8], what: String, code: ExitCode) throws(AgentError) -> [UInt8] {
        let begin = Array("-----BEGIN ".utf8)
        var start = 0
        while start < input.count, [0x20, 0x09, 0x0a, 0x0d].contains(input[start]) { start += 1 }
        guard input.count - start >= begin.count, Array(input[start..<start + begin.count]) == begin else {
            return input
        }
        let text = String(decoding: input[start...], as: UTF8.self)
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
        guard let first = lines.first, let label = pemLabel(first, prefix: "-----BEGIN "), pemLabels.contains(label),
              let endIndex = lines.firstIndex(of: "-----END \(label)-----")
        else {
            throw AgentError(code, "cannot decrypt \(what): PEM input is not a CMS or PKCS7 block")
        }
        let body = lines[1..<endIndex].joined()
        return try Base64.decodeLenient(body, what: "\(what) PEM body", code: code)
    }

    private static func pemLabel(_ line: String, prefix: String) -> String? {
        guard line.hasPrefix(prefix), line.hasSuffix("-----") else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(5))
    }
}
