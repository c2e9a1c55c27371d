import AgentSupport
import FoundationEssentials
import Testing
import TestSupport

/// The agent's key and self-signed certificate (agent contract §10.4), inspected with the `openssl` command.
@Suite struct CertificateTests {
    static let workspace = "0b5e5c49-2b6a-4d1e-9f0a-3c2d1e0f4a5b"

    struct Made {
        let dir: TemporaryDirectory
        let key: RSAPrivateKey
        let cert: X509Certificate
        let guid: String
        let serial: UInt64
        let now: Date
    }

    static func make() throws -> Made {
        let dir = TemporaryDirectory()
        let key = try RSAPrivateKey.generate(bits: 2048)
        let guid = try SecureRandom.uuidV4()
        let serial = try SecureRandom.integer(in: 1...65534)
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let cert = try X509Certificate.selfSigned(
            subject: [NameAttribute("CN", workspace), NameAttribute("CN", guid),
                      NameAttribute("OU", "Linux Monitoring Agent"), NameAttribute("O", "Microsoft")],
            serial: serial, notBefore: now, notAfter: now.addingTimeInterval(365 * 86400), key: key)
        try key.pkcs1PEM().withBytes { try dir.write("oms.key", bytes: $0, mode: 0o600) }
        try dir.write("oms.crt", cert.pem)
        return Made(dir: dir, key: key, cert: cert, guid: guid, serial: serial, now: now)
    }

    @Test func certificateHasTheContractedShapeAccordingToOpenSSL() async throws {
        let m = try Self.make()
        let crt = m.dir.url("oms.crt")
        let text = try await Oracle.output(["openssl", "x509", "-in", crt, "-noout", "-text"])
        #expect(text.contains("Version: 3 (0x2)"))
        #expect(text.contains("Signature Algorithm: sha256WithRSAEncryption"))
        #expect(text.contains("Public-Key: (2048 bit)"))
        #expect(text.contains("X509v3 Subject Key Identifier: \n"))
        #expect(text.contains("X509v3 Authority Key Identifier: \n"))
        #expect(text.contains("X509v3 Basic Constraints: \n"))
        #expect(!text.contains("critical"))
        #expect(text.contains("CA:TRUE"))
        // The authority key identifier repeats the subject key identifier (self-signed, keyid:always).
        let lines = text.split(separator: "\n").map { String($0).trimmingSpaces }
        let ski = lines[try #require(lines.firstIndex(of: "X509v3 Subject Key Identifier:")) + 1]
        let aki = lines[try #require(lines.firstIndex(of: "X509v3 Authority Key Identifier:")) + 1]
        #expect(aki.hasSuffix(ski))

        let subject = try await Oracle.output(["openssl", "x509", "-in", crt, "-noout", "-subject", "-nameopt", "RFC2253"])
        // RFC 2253 prints the RDNs last-first.
        #expect(subject.trimmingSpaces == "subject=O=Microsoft,OU=Linux Monitoring Agent,CN=\(m.guid),CN=\(Self.workspace)")
        let issuer = try await Oracle.output(["openssl", "x509", "-in", crt, "-noout", "-issuer", "-nameopt", "RFC2253"])
        #expect(issuer.trimmingSpaces == "issuer=O=Microsoft,OU=Linux Monitoring Agent,CN=\(m.guid),CN=\(Self.workspace)")
        let serial = try await Oracle.output(["openssl", "x509", "-in", crt, "-noout", "-serial"])
        #expect(UInt64(serial.trimmingSpaces.dropFirst("serial=".count), radix: 16) == m.serial)

        let dates = try await Oracle.output(["openssl", "x509", "-in", crt, "-noout", "-startdate", "-enddate", "-dateopt", "iso_8601"])
        let parsed = try await Oracle.output(
            ["python3", "-c", "import sys,datetime\nfor l in sys.stdin: print(int(datetime.datetime.strptime(l.split('=')[1].strip(), '%Y-%m-%d %H:%M:%SZ').replace(tzinfo=datetime.timezone.utc).timestamp()))"],
            input: Array(dates.utf8))
        let epochs = parsed.split(separator: "\n").compactMap { Double($0) }
        #expect(epochs == [m.now.timeIntervalSince1970, m.now.timeIntervalSince1970 + 365 * 86400])
        #expect(m.cert.notBefore == m.now)
        #expect(m.cert.notAfter == m.now.addingTimeInterval(365 * 86400))
    }

    @Test func keyIsTraditionalPKCS1AndValid() async throws {
        let m = try Self.make()
        let pem = try #require(m.dir.read("oms.key"))
        #expect(pem.hasPrefix("-----BEGIN RSA PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END RSA PRIVATE KEY-----\n"))
        let check = try await Oracle.output(["openssl", "rsa", "-in", m.dir.url("oms.key"), "-check", "-noout"])
        #expect(check.contains("RSA key ok"))
        #expect(m.key.bits == 2048)
        // The certificate carries this key: same modulus.
        let keyModulus = try await Oracle.output(["openssl", "rsa", "-in", m.dir.url("oms.key"), "-noout", "-modulus"])
        let certModulus = try await Oracle.output(["openssl", "x509", "-in", m.dir.url("oms.crt"), "-noout", "-modulus"])
        #expect(keyModulus == certModulus)
        #expect(m.key.matches(m.cert))
        #expect(!(try RSAPrivateKey.generate(bits: 2048)).matches(m.cert))
    }

    @Test func accessorsAgreeWithOpenSSL() async throws {
        let m = try Self.make()
        let crt = m.dir.url("oms.crt")
        #expect(m.cert.subject.map(\.description)
                == ["CN=\(Self.workspace)", "CN=\(m.guid)", "OU=Linux Monitoring Agent", "O=Microsoft"])
        #expect(m.cert.issuer == m.cert.subject)
        #expect(m.cert.serial == m.serial)
        #expect(m.cert.version == 3)
        #expect(m.cert.publicKeyBits == 2048)
        let fingerprint = try await Oracle.output(["openssl", "x509", "-in", crt, "-noout", "-fingerprint", "-sha1"])
        let expected = fingerprint.trimmingSpaces.split(separator: "=")[1].filter { $0 != ":" }
        #expect(m.cert.sha1Thumbprint == String(expected))
        let der = try await Oracle.output(["python3", "-c", "import ssl,sys; print(ssl.PEM_cert_to_DER_cert(open(sys.argv[1]).read()).hex())", crt])
        #expect(Hex.encode(m.cert.der) == der.trimmingSpaces)
        // The PEM body is the PEM without its BEGIN/END lines and without a trailing newline.
        let pemLines = try #require(m.dir.read("oms.crt")).split(separator: "\n")
        #expect(m.cert.pemBody == pemLines.dropFirst().dropLast().joined(separator: "\n"))
        // Reading back from PEM and DER gives the same certificate.
        #expect(try X509Certificate(pem: Array(m.cert.pem.utf8)).der == m.cert.der)
        #expect(try X509Certificate(der: m.cert.der).sha1Thumbprint == m.cert.sha1Thumbprint)
    }

    @Test func readsPKCS1AndPKCS8KeysAndRefusesEncryptedOnes() async throws {
        let dir = TemporaryDirectory()
        try await Oracle.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                              "-out", dir.url("pkcs8.pem")])
        try await Oracle.run(["openssl", "rsa", "-in", dir.url("pkcs8.pem"), "-traditional", "-out", dir.url("pkcs1.pem")])
        try await Oracle.run(["openssl", "rsa", "-in", dir.url("pkcs8.pem"), "-aes256", "-passout", "pass:secret",
                              "-out", dir.url("encrypted.pem")])
        #expect(try #require(dir.read("pkcs8.pem")).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let pkcs8 = try RSAPrivateKey(pem: try #require(FileIO.read(dir.url("pkcs8.pem"))))
        let pkcs1 = try RSAPrivateKey(pem: try #require(FileIO.read(dir.url("pkcs1.pem"))))
        #expect(pkcs8.bits == 2048)
        #expect(try pkcs8.pkcs1PEM() == pkcs1.pkcs1PEM())
        #expect(try pkcs1.pkcs1PEM().reveal() == dir.read("pkcs1.pem"))
        #expect(throws: AgentError.self) { try RSAPrivateKey(pem: try #require(FileIO.read(dir.url("encrypted.pem")))) }
        #expect(throws: AgentError.self) { try RSAPrivateKey(pem: Array("not a key".utf8)) }
        #expect(throws: AgentError.self) { try X509Certificate(pem: Array("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8)) }
    }
}
