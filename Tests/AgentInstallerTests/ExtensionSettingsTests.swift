import AgentInstaller
import AgentSupport
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Settings files as the guest agent writes them, with protectedSettings encrypted by `openssl cms` at test time.
@Suite struct ExtensionSettingsTests {
    func read(_ f: ExtensionFixture, seq: Int) throws(AgentError) -> ExtensionSettings {
        let reader = ExtensionSettingsReader(root: f.root)
        let handler = try reader.readHandlerSettings(path: f.handlerDirectory + "/config/\(seq).settings")
        return ExtensionSettings(publicSettings: handler.publicSettings, protectedSettings: try reader.decryptProtected(handler))
    }

    func code(_ body: () throws -> Void) -> (ExitCode, String)? {
        do { try body(); return nil } catch let error as AgentError { return (error.code, error.message) } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func decryptsProtectedSettings() async throws {
        let f = try await ExtensionFixture()
        let blob = try await f.encrypt(ExtensionFixture.protectedJSON(proxy: "http://u:\(ExtensionFixture.proxyPassword)@p.example:3128")
                                       .dropLast() + #","vmResourceId":"/subscriptions/s/x","domain":"opinsights.azure.us"}"#)
        try f.writeSettings(seq: 0, publicSettings: #"{"workspaceId":"\#(ExtensionFixture.workspace)","noDigest":true,"stopOnMultipleConnections":"TRUE"}"#,
                            protectedBase64: blob)
        let s = try read(f, seq: 0)
        #expect(try s.validWorkspaceID() == ExtensionFixture.workspace)
        #expect(try s.validWorkspaceKey().reveal() == ExtensionFixture.key)
        #expect(s.proxy?.reveal() == "http://u:\(ExtensionFixture.proxyPassword)@p.example:3128")
        #expect(s.vmResourceId == "/subscriptions/s/x" && s.domain == "opinsights.azure.us")
        #expect(s.noDigest && s.stopOnMultipleConnections && !s.skipDockerProviderInstall)
        #expect(s.warnings.count == 1 && s.warnings[0].contains("stopOnMultipleConnections"))
        // The thumbprint's case does not matter.
        try f.writeSettings(seq: 1, publicSettings: "{}", protectedBase64: blob, thumbprint: f.thumbprint.lowercased())
        #expect(try read(f, seq: 1).workspaceKey?.reveal() == ExtensionFixture.key)
    }

    @Test func emptySettingsFileIs11() async throws {
        let f = try await ExtensionFixture()
        try f.dir.write("var/lib/waagent/Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-1.19.0/config/0.settings", "")
        let result = code { _ = try read(f, seq: 0) }
        #expect(result?.0 == .invalidSettings)
    }

    @Test func badWorkspaceIdAndKeyAre11() async throws {
        let f = try await ExtensionFixture()
        try f.writeSettings(seq: 0, publicSettings: #"{"workspaceId":"not-a-guid"}"#,
                            protectedBase64: try await f.encrypt(#"{"workspaceKey":"abc"}"#))
        let s = try read(f, seq: 0)
        #expect(code { _ = try s.validWorkspaceID() }?.0 == .invalidSettings)
        let keyError = code { _ = try s.validWorkspaceKey() }
        #expect(keyError?.0 == .invalidSettings)
        try f.writeSettings(seq: 1, publicSettings: "{}", protectedBase64: try await f.encrypt("{}"))
        let missing = try read(f, seq: 1)
        #expect(code { _ = try missing.validWorkspaceID() }?.1.contains("missing") == true)
        #expect(code { _ = try missing.validWorkspaceKey() }?.1.contains("missing") == true)
    }

    @Test func wrongThumbprintUndecryptableAndMissingKeyAre1() async throws {
        let f = try await ExtensionFixture()
        let blob = try await f.encrypt(ExtensionFixture.protectedJSON())
        // A thumbprint with no certificate files.
        let other = String(repeating: "AB", count: 20)
        try f.writeSettings(seq: 0, publicSettings: "{}", protectedBase64: blob, thumbprint: other)
        let missing = code { _ = try read(f, seq: 0) }
        #expect(missing?.0 == .generic)
        #expect(missing?.1.hasPrefix("cannot decrypt protectedSettings with \(other).crt/.prv: ") == true)
        #expect(missing?.1.contains("\(other).crt is missing") == true)
        // A certificate file whose SHA-1 is not the thumbprint it is named after.
        try f.dir.write("var/lib/waagent/\(other).crt", try #require(f.dir.read("var/lib/waagent/\(f.thumbprint).crt")))
        try f.dir.write("var/lib/waagent/\(other).prv", try #require(f.dir.read("var/lib/waagent/\(f.thumbprint).prv")))
        #expect(code { _ = try read(f, seq: 0) }?.1.contains("SHA-1 thumbprint is \(f.thumbprint)") == true)
        // Undecryptable: valid Base64, not an envelope.
        try f.writeSettings(seq: 1, publicSettings: "{}", protectedBase64: Base64.encode(Array("garbage".utf8)))
        let garbage = code { _ = try read(f, seq: 1) }
        #expect(garbage?.0 == .generic && garbage?.1.hasPrefix("cannot decrypt protectedSettings with \(f.thumbprint).crt/.prv: ") == true)
        // Missing private key.
        try FileIO.remove(f.dir.url("var/lib/waagent/\(f.thumbprint).prv"))
        try f.writeSettings(seq: 2, publicSettings: "{}", protectedBase64: blob)
        let noKey = code { _ = try read(f, seq: 2) }
        #expect(noKey?.0 == .generic && noKey?.1.contains("\(f.thumbprint).prv is missing") == true)
        // A thumbprint that is a path is refused before any file is read.
        try f.writeSettings(seq: 3, publicSettings: "{}", protectedBase64: blob, thumbprint: "../../etc/passwd")
        #expect(code { _ = try read(f, seq: 3) }?.1.contains("not 40 hexadecimal") == true)
        // No messages quote the key.
        for m in [missing, garbage, noKey] { #expect(m?.1.contains(ExtensionFixture.key) == false) }
    }

    @Test func redactionIsStructural() {
        let doc = JSONValue.object(["runtimeSettings": .array([.object(["handlerSettings": .object([
            "protectedSettings": .string("MIIB...abc"), "protectedSettingsCertThumbprint": .string("AB"),
            "publicSettings": .object(["workspaceId": .string("w")])])])])])
        let text = SettingsRedaction.redact(doc).compactText
        #expect(!text.contains("MIIB") && !text.contains("\"AB\"") && text.contains("\"workspaceId\":\"w\""))
        #expect(text.contains("*** REDACTED ***"))
    }
}
