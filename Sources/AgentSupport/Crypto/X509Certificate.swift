import CAgentOpenSSL
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One attribute of a distinguished name, e.g. `CN=Microsoft`, in the order it appears (one RDN each).
public struct NameAttribute: Sendable, Equatable, CustomStringConvertible {
    /// OpenSSL's short name of the attribute type: `CN`, `OU`, `O`, `C`…
    public var type: String
    /// The value as UTF-8 text.
    public var value: String

    public init(_ type: String, _ value: String) {
        self.type = type
        self.value = value
    }

    public var description: String { "\(type)=\(value)" }
}

/// An X.509 certificate held by OpenSSL (`X509`), freed when the last reference goes. Immutable, so shareable.
public final class X509Certificate: @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }

    /// Reads the first certificate of a PEM text (`-----BEGIN CERTIFICATE-----`).
    public convenience init(pem: [UInt8], what: String = "certificate", code: ExitCode = .internalError) throws(AgentError) {
        OpenSSLErrorQueue.reset()
        let bio = try MemoryBIO(reading: pem)
        guard let cert = PEM_read_bio_X509(bio.pointer, nil, nil, nil) else {
            throw OpenSSLErrorQueue.error(code, "cannot read \(what) as a PEM certificate")
        }
        self.init(taking: cert)
    }

    /// Reads a DER-encoded certificate.
    public convenience init(der: [UInt8], what: String = "certificate", code: ExitCode = .internalError) throws(AgentError) {
        OpenSSLErrorQueue.reset()
        let cert: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var p: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &p, buffer.count)
        }
        guard let cert else { throw OpenSSLErrorQueue.error(code, "cannot read \(what) as a DER certificate") }
        self.init(taking: cert)
    }

    /// X.509 version as written in text form (3 for a v3 certificate).
    public var version: Int { Int(X509_get_version(pointer)) + 1 }

    /// Subject attributes in certificate order.
    public var subject: [NameAttribute] { Self.attributes(of: X509_get_subject_name(pointer)) }

    /// Issuer attributes in certificate order (equal to `subject` for a self-signed certificate).
    public var issuer: [NameAttribute] { Self.attributes(of: X509_get_issuer_name(pointer)) }

    /// Serial number, when it fits 64 bits.
    public var serial: UInt64? {
        guard let asn1 = X509_get0_serialNumber(pointer) else { return nil }
        var value: UInt64 = 0
        guard ASN1_INTEGER_get_uint64(&value, asn1) == 1 else { OpenSSLErrorQueue.reset(); return nil }
        return value
    }

    /// Start of validity.
    public var notBefore: Date? { Self.date(X509_get0_notBefore(pointer)) }

    /// End of validity.
    public var notAfter: Date? { Self.date(X509_get0_notAfter(pointer)) }

    /// The DER encoding.
    public var der: [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(pointer, &buffer)
        guard length > 0, let buffer else { return [] }
        defer { cagent_openssl_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }

    /// The PEM text (`-----BEGIN CERTIFICATE-----` … `-----END CERTIFICATE-----\n`).
    public var pem: String {
        "-----BEGIN CERTIFICATE-----\n" + pemBody + "\n-----END CERTIFICATE-----\n"
    }

    /// The Base64 lines of the PEM without the BEGIN/END lines, 64 characters a line, joined with `\n`, no trailing
    /// newline (the onboarding request's `AuthenticationCertificate`).
    public var pemBody: String {
        let text = Array(Base64.encode(der))
        var lines: [String] = []
        var i = 0
        while i < text.count {
            lines.append(String(text[i..<min(i + 64, text.count)]))
            i += 64
        }
        return lines.joined(separator: "\n")
    }

    /// SHA-1 fingerprint of the DER encoding, upper-case hex without separators (the waagent `<THUMB>`).
    public var sha1Thumbprint: String { Hex.encode(SHA1.hash(der), uppercase: true) }

    /// Size of the public key in bits.
    public var publicKeyBits: Int {
        guard let key = X509_get0_pubkey(pointer) else { return 0 }
        return Int(EVP_PKEY_get_bits(key))
    }

    static func attributes(of name: OpaquePointer?) -> [NameAttribute] {
        guard let name else { return [] }
        var out: [NameAttribute] = []
        for i in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, i) else { continue }
            let nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry))
            let type = OBJ_nid2sn(nid).map { String(cString: $0) } ?? "UNDEF"
            var utf8: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry))
            var value = ""
            if length >= 0, let utf8 {
                value = String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
                cagent_openssl_free(utf8)
            }
            out.append(NameAttribute(type, value))
        }
        return out
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: Double(timegm(&parts)))
    }
}
