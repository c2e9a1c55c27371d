import AgentSupport
import Testing
import TestSupport

@testable import AgentInstaller

@Suite("Agent identity and proxy.conf")
struct AgentIdentityTests {
    static let ws = "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"

    @Test("new identity: openssl sees v3, RSA-2048, sha256, subject order, serial, 365 days, extensions; PKCS#1 key")
    func newCertificate() async throws {
        let r = try OnboardingRoot()
        let id = try AgentIdentity.prepare(root: r.root, workspace: AgentPaths.Workspace(Self.ws), workspaceID: Self.ws)
        #expect(!id.reused)
        #expect(FileIO.attributes(id.keyPath)?.mode == 0o600)
        let text = try await Oracle.output(["openssl", "x509", "-noout", "-text", "-in", id.certificatePath])
        #expect(text.contains("Version: 3 (0x2)"))
        #expect(text.contains("Public-Key: (2048 bit)"))
        #expect(text.contains("Signature Algorithm: sha256WithRSAEncryption"))
        let subject = "CN = \(Self.ws), CN = \(id.guid.value), OU = Linux Monitoring Agent, O = Microsoft"
        #expect(text.contains("Subject: \(subject)") && text.contains("Issuer: \(subject)"))
        #expect(text.contains("X509v3 Subject Key Identifier: \n") && text.contains("X509v3 Authority Key Identifier: \n"))
        #expect(text.contains("X509v3 Basic Constraints: \n                CA:TRUE"))
        #expect(!text.contains("critical"))
        let serialText = try await Oracle.output(["openssl", "x509", "-noout", "-serial", "-in", id.certificatePath])
        let serial = try #require(Int(String(serialText.dropFirst("serial=".count)).trimmingWhitespace(), radix: 16))
        #expect((1...65534).contains(serial))
        let dates = try await Oracle.output(["openssl", "x509", "-noout", "-startdate", "-enddate", "-in", id.certificatePath])
        let lines = dates.split(separator: "\n").map { $0.split(separator: "=")[1] }
        let start = try #require(RequestDate.parseHTTPDate(Self.http(lines[0])))
        let end = try #require(RequestDate.parseHTTPDate(Self.http(lines[1])))
        #expect(end - start == 365 * 86400)
        let key = try #require(FileIO.read(id.keyPath))
        #expect(String(decoding: key, as: UTF8.self).hasPrefix("-----BEGIN RSA PRIVATE KEY-----\n"))
        let check = try await Oracle.run(["openssl", "rsa", "-check", "-noout", "-in", id.keyPath])
        #expect(check.succeeded && check.standardOutput.contains("RSA key ok"))
        // The body is the PEM without BEGIN/END lines.
        let pem = String(decoding: try #require(FileIO.read(id.certificatePath)), as: UTF8.self)
        #expect(pem == "-----BEGIN CERTIFICATE-----\n\(id.certificateBody)\n-----END CERTIFICATE-----\n")
    }

    /// `Nov 21 18:00:00 2026 GMT` → `Sat, 21 Nov 2026 18:00:00 GMT` shape for the parser (weekday ignored).
    static func http(_ s: Substring) -> String {
        let f = s.split(separator: " ")
        return "Xxx, \(f[1]) \(f[0]) \(f[3]) \(f[2]) GMT"
    }

    @Test("reuse needs key, cert and a non-empty omsadmin.conf; staging is removed with the identity")
    func reuseRule() throws {
        let r = try OnboardingRoot()
        let w = AgentPaths.Workspace(Self.ws)
        var staged = ""
        do {
            let fresh = try AgentIdentity.prepare(root: r.root, workspace: w, workspaceID: Self.ws)
            staged = fresh.keyPath
            try r.dir.write(String(w.key.dropFirst()), bytes: fresh.newMaterial!.keyPEM, mode: 0o640)
            try r.dir.write(String(w.cert.dropFirst()), bytes: fresh.newMaterial!.certificatePEM, mode: 0o640)
            try r.dir.write(String(w.omsadminConf.dropFirst()), "WORKSPACE_ID=\(Self.ws)\nAGENT_GUID=\(fresh.guid.value)\n")
            let again = try AgentIdentity.prepare(root: r.root, workspace: w, workspaceID: Self.ws)
            #expect(again.reused && again.guid == fresh.guid && again.certificateBody == fresh.certificateBody)
            #expect(again.newMaterial == nil)
            try r.dir.write(String(w.omsadminConf.dropFirst()), "")
            let blank = try AgentIdentity.prepare(root: r.root, workspace: w, workspaceID: Self.ws)
            #expect(!blank.reused && blank.guid != fresh.guid && blank.certificateBody != fresh.certificateBody)
        }
        #expect(FileIO.kind(staged, followLinks: false) == nil)
    }

    @Test("proxy.conf: 0600, omsagent:omiusers, no trailing newline; clear removes the legacy file too")
    func proxyFile() throws {
        let r = try OnboardingRoot()
        try r.dir.mkdir("etc/opt/microsoft/omsagent/conf")
        try ProxyConfigurationFile.write(try ProxyConfiguration.parse(" http://u:p%40ss:x@proxy.example:3128/\n"), root: r.root)
        let a = try #require(r.attributes(AgentPaths.proxyConf))
        #expect(a.mode == 0o600 && a.uid == OnboardingRoot.uid && a.gid == OnboardingRoot.gid)
        #expect(r.dir.read("etc/opt/microsoft/omsagent/proxy.conf") == "http://u:p%40ss:x@proxy.example:3128")
        #expect(try ProxyConfigurationFile.read(root: r.root)?.password?.reveal() == "p%40ss:x")
        try r.dir.write("etc/opt/microsoft/omsagent/conf/proxy.conf", "legacy:3128")
        #expect(try ProxyConfigurationFile.clear(root: r.root).count == 2)
        #expect(try ProxyConfigurationFile.read(root: r.root) == nil)
        // A value the daemon cannot parse is reported, not silently used.
        try r.dir.write("etc/opt/microsoft/omsagent/proxy.conf", "[::1]:8080")
        #expect(throws: AgentError.self) { try ProxyConfigurationFile.read(root: r.root) }
    }
}
