import CAgentOpenSSL
import FoundationEssentials

extension X509Certificate {
    /// Creates a self-signed X.509 v3 certificate for `key`, signed with sha256WithRSAEncryption.
    ///
    /// Issuer = subject, attributes added in the given order, one RDN each (for the agent: `CN=<ws>`, `CN=<guid>`,
    /// `OU=Linux Monitoring Agent`, `O=Microsoft`). Extensions, all non-critical: subjectKeyIdentifier=hash,
    /// authorityKeyIdentifier=keyid:always, basicConstraints=CA:TRUE.
    /// - Throws: `AgentError(.certificateGeneration)` (exit 32) naming OpenSSL's reason.
    public static func selfSigned(
        subject: [NameAttribute], serial: UInt64, notBefore: Date, notAfter: Date, key: RSAPrivateKey
    ) throws(AgentError) -> X509Certificate {
        OpenSSLErrorQueue.reset()
        func fail(_ what: String) -> AgentError {
            OpenSSLErrorQueue.error(.certificateGeneration, "cannot create the certificate: \(what)")
        }
        guard !subject.isEmpty else { throw AgentError(.certificateGeneration, "cannot create a certificate with an empty subject") }
        guard let cert = X509_new() else { throw fail("out of memory") }
        let certificate = X509Certificate(taking: cert) // frees `cert` on every path from here

        guard X509_set_version(cert, 2) == 1 else { throw fail("version") }
        guard let serialNumber = ASN1_INTEGER_new() else { throw fail("serial") }
        defer { ASN1_INTEGER_free(serialNumber) }
        guard ASN1_INTEGER_set_uint64(serialNumber, serial) == 1, X509_set_serialNumber(cert, serialNumber) == 1 else {
            throw fail("serial")
        }

        guard let name = X509_NAME_new() else { throw fail("name") }
        defer { X509_NAME_free(name) }
        for attribute in subject {
            let added = attribute.value.withCString { value in
                X509_NAME_add_entry_by_txt(name, attribute.type, MBSTRING_UTF8, value, -1, -1, 0)
            }
            guard added == 1 else { throw fail("subject attribute \(attribute.type)") }
        }
        guard X509_set_subject_name(cert, name) == 1, X509_set_issuer_name(cert, name) == 1 else {
            throw fail("subject")
        }

        guard let start = ASN1_TIME_set(nil, time_t(notBefore.timeIntervalSince1970.rounded(.down))) else {
            throw fail("notBefore")
        }
        defer { ASN1_TIME_free(start) }
        guard let end = ASN1_TIME_set(nil, time_t(notAfter.timeIntervalSince1970.rounded(.down))) else {
            throw fail("notAfter")
        }
        defer { ASN1_TIME_free(end) }
        guard X509_set1_notBefore(cert, start) == 1, X509_set1_notAfter(cert, end) == 1 else { throw fail("validity") }

        guard X509_set_pubkey(cert, key.pointer) == 1 else { throw fail("public key") }

        var context = X509V3_CTX()
        X509V3_set_ctx(&context, cert, cert, nil, nil, 0)
        // The subject key identifier must exist before the authority key identifier can copy it.
        for (nid, value) in [(NID_subject_key_identifier, "hash"),
                             (NID_authority_key_identifier, "keyid:always"),
                             (NID_basic_constraints, "CA:TRUE")] {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else { throw fail("extension \(value)") }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(cert, ext, -1) == 1 else { throw fail("extension \(value)") }
        }

        guard X509_sign(cert, key.pointer, EVP_sha256()) > 0 else { throw fail("signature") }
        return certificate
    }
}
