import AgentSupport
import Testing
import TestSupport

/// Decrypting protectedSettings-style envelopes made at test time by `openssl cms` and `openssl smime`.
@Suite struct CMSEnvelopeTests {
    struct Recipient {
        let dir: TemporaryDirectory
        let cert: X509Certificate
        let key: RSAPrivateKey
        let plaintext: [UInt8]
    }

    /// A recipient certificate and key made by `openssl req -x509`, and a JSON plaintext in `settings.json`.
    static func recipient() async throws -> Recipient {
        let dir = TemporaryDirectory()
        _ = try await Oracle.output(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=waagent-test",
                                 "-days", "2", "-keyout", dir.url("THUMB.prv"), "-out", dir.url("THUMB.crt")])
        let plaintext = Array(#"{"workspaceKey":"c2VjcmV0LWtleS1mb3ItdGVzdHM=","note":"line\r\nbreak"}"#.utf8)
            + (try SecureRandom.bytes(300)).map { 0x20 + $0 % 90 }
        try dir.write("settings.json", bytes: plaintext)
        let cert = try X509Certificate(pem: try #require(FileIO.read(dir.url("THUMB.crt"))))
        let key = try RSAPrivateKey(pem: try #require(FileIO.read(dir.url("THUMB.prv"))))
        return Recipient(dir: dir, cert: cert, key: key, plaintext: plaintext)
    }

    static let encryptions: [[String]] = [
        ["openssl", "cms", "-encrypt", "-binary", "-outform", "DER", "-aes256"],
        ["openssl", "cms", "-encrypt", "-binary", "-outform", "DER", "-des3"],
        ["openssl", "cms", "-encrypt", "-binary", "-outform", "PEM", "-aes-128-cbc"],
        ["openssl", "smime", "-encrypt", "-binary", "-outform", "DER", "-aes256"],
        ["openssl", "smime", "-encrypt", "-binary", "-outform", "DER", "-des3"],
        ["openssl", "smime", "-encrypt", "-binary", "-outform", "PEM", "-aes256"],
    ]

    @Test(arguments: encryptions) func decryptsWhatOpenSSLEncrypted(_ command: [String]) async throws {
        let r = try await Self.recipient()
        _ = try await Oracle.output(command + ["-in", r.dir.url("settings.json"), "-out", r.dir.url("envelope"),
                                           r.dir.url("THUMB.crt")])
        let envelope = try #require(FileIO.read(r.dir.url("envelope")))
        if command.contains("PEM") {
            #expect(envelope.starts(with: Array("-----BEGIN".utf8)))
        }
        let plain = try CMSEnvelope.decrypt(envelope, certificate: r.cert, key: r.key, what: "protectedSettings")
        #expect(plain.withBytes { $0 } == r.plaintext)
        // The oracle agrees on the plaintext.
        let inform = command.contains("PEM") ? "PEM" : "DER"
        let opensslPlain = try await Oracle.output(["openssl", "cms", "-decrypt", "-inform", inform, "-binary", "-in",
                                                    r.dir.url("envelope"), "-recip", r.dir.url("THUMB.crt"),
                                                    "-inkey", r.dir.url("THUMB.prv")])
        #expect(Array(opensslPlain.utf8) == r.plaintext)
        // The certificate's thumbprint names the waagent files.
        let fingerprint = try await Oracle.output(["openssl", "x509", "-in", r.dir.url("THUMB.crt"), "-noout", "-fingerprint", "-sha1"])
        #expect(r.cert.sha1Thumbprint == String(fingerprint.trimmingSpaces.split(separator: "=")[1].filter { $0 != ":" }))
    }

    @Test func base64OfDERAsInProtectedSettingsDecrypts() async throws {
        let r = try await Self.recipient()
        _ = try await Oracle.output(["openssl", "cms", "-encrypt", "-binary", "-outform", "DER", "-aes256", "-in",
                                 r.dir.url("settings.json"), "-out", r.dir.url("envelope.der"), r.dir.url("THUMB.crt")])
        let base64 = try await Oracle.output(["python3", "-c", "import base64,sys; print(base64.b64encode(open(sys.argv[1],'rb').read()).decode())",
                                              r.dir.url("envelope.der")])
        let der = try Base64.decodeStrict(base64.trimmingSpaces, what: "protectedSettings", code: .generic)
        #expect(try CMSEnvelope.decrypt(der, certificate: r.cert, key: r.key).withBytes { $0 } == r.plaintext)
    }

    @Test func wrongRecipientFailsWithOneLineReasonAndNoPlaintext() async throws {
        let r = try await Self.recipient()
        let other = try await Self.recipient()
        _ = try await Oracle.output(["openssl", "cms", "-encrypt", "-binary", "-outform", "DER", "-aes256", "-in",
                                 r.dir.url("settings.json"), "-out", r.dir.url("envelope"), r.dir.url("THUMB.crt")])
        let envelope = try #require(FileIO.read(r.dir.url("envelope")))
        // Another recipient's certificate and key: no matching recipient.
        do {
            _ = try CMSEnvelope.decrypt(envelope, certificate: other.cert, key: other.key, what: "protectedSettings")
            Issue.record("decrypted with the wrong certificate")
        } catch {
            #expect(error.code == .generic)
            #expect(error.message.hasPrefix("cannot decrypt protectedSettings: "))
            #expect(error.message.count > "cannot decrypt protectedSettings: ".count)
            #expect(!error.message.contains("\n"))
            #expect(!error.message.contains("workspaceKey"))
            #expect(error.message.contains("not encrypted for certificate \(other.cert.sha1Thumbprint)"))
        }
        // The right certificate with the wrong key: the content key cannot be recovered.
        let wrongKey = #expect(throws: AgentError.self) {
            try CMSEnvelope.decrypt(envelope, certificate: r.cert, key: other.key)
        }
        #expect(wrongKey?.message.contains("private key does not belong") == true)
        // Garbage and a PEM block of the wrong kind.
        #expect(throws: AgentError.self) { try CMSEnvelope.decrypt([0x30, 0x03, 0x02, 0x01, 0x00], certificate: r.cert, key: r.key) }
        #expect(throws: AgentError.self) {
            try CMSEnvelope.decrypt(Array(r.cert.pem.utf8), certificate: r.cert, key: r.key)
        }
    }
}
