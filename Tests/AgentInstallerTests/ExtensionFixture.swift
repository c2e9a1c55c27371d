import AgentInstaller
import AgentSupport
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A simulated guest agent's tree in a temporary root: the handler directory with `HandlerEnvironment.json`,
/// `config/` and `status/`, `etc/os-release`, and a recipient certificate `<THUMB>.crt/.prv` made by
/// `openssl req -x509` under `var/lib/waagent`. Settings are written the way the agent writes them, with
/// protectedSettings encrypted by `openssl cms -encrypt`.
final class ExtensionFixture: @unchecked Sendable {
    let dir = TemporaryDirectory(prefix: "extension-test")
    let root: HostRoot
    let version: String
    let thumbprint: String
    static let workspace = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    static let key = "c2VjcmV0LWtleS1mb3ItdGhlLWV4dGVuc2lvbi10ZXN0cy0wMTIzNDU2Nzg5YWJjZGVm"
    static let proxyPassword = "pr0xy-Pa55:word"

    var handlerHost: String { "/var/lib/waagent/Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-\(version)" }
    var handlerDirectory: String { root.lexical(handlerHost) }
    var logFolderHost: String { "/var/log/azure/Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux" }
    var extensionLog: String { root.lexical(logFolderHost + "/extension.log") }

    init(version: String = "1.19.0", os: (String, String) = ("ubuntu", "22.04")) async throws {
        root = try HostRoot(dir.path)
        self.version = version
        try dir.write("etc/os-release", "NAME=\"Test\"\nID=\(os.0)\nVERSION_ID=\"\(os.1)\"\n")
        try dir.mkdir("var/lib/waagent")
        _ = try await Oracle.output(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=waagent-test",
                                     "-days", "2", "-keyout", dir.url("var/lib/waagent/new.prv"),
                                     "-out", dir.url("var/lib/waagent/new.crt")])
        let fingerprint = try await Oracle.output(["openssl", "x509", "-in", dir.url("var/lib/waagent/new.crt"), "-noout",
                                                   "-fingerprint", "-sha1"])
        thumbprint = String(fingerprint.split(separator: "=")[1].filter { $0.isHexDigit })
        #expect(rename(dir.url("var/lib/waagent/new.crt"), dir.url("var/lib/waagent/\(thumbprint).crt")) == 0)
        #expect(rename(dir.url("var/lib/waagent/new.prv"), dir.url("var/lib/waagent/\(thumbprint).prv")) == 0)
        try makeHandlerDirectory(version: version)
    }

    /// Creates `EXT` for `version` the way the agent does (HandlerEnvironment.json, config/, status/).
    func makeHandlerDirectory(version: String) throws {
        let ext = "var/lib/waagent/Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-\(version)"
        let host = "/" + ext
        try dir.mkdir(ext + "/config")
        try dir.mkdir(ext + "/status")
        try dir.write(ext + "/HandlerEnvironment.json", """
            [{"name":"Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux","version":1.0,"handlerEnvironment":{\
            "logFolder":"\(logFolderHost)","configFolder":"\(host)/config","statusFolder":"\(host)/status",\
            "heartbeatFile":"\(host)/heartbeat.log","eventsFolder":"\(logFolderHost)/events"}}]
            """)
    }

    /// The protectedSettings plaintext of a normal deployment.
    static func protectedJSON(key: String = ExtensionFixture.key, proxy: String? = nil) -> String {
        var s = #"{"workspaceKey":"\#(key)""#
        if let proxy { s += #","proxy":"\#(proxy)""# }
        return s + "}"
    }

    /// Base64 of `openssl cms -encrypt -binary -outform DER -aes256` of `plaintext` for the fixture's certificate.
    func encrypt(_ plaintext: String) async throws -> String {
        try dir.write("plain.json", plaintext, mode: 0o600)
        _ = try await Oracle.output(["openssl", "cms", "-encrypt", "-binary", "-outform", "DER", "-aes256",
                                     "-in", dir.url("plain.json"), "-out", dir.url("envelope.der"),
                                     dir.url("var/lib/waagent/\(thumbprint).crt")])
        try FileIO.remove(dir.url("plain.json"))
        return Base64.encode(try #require(FileIO.read(dir.url("envelope.der"))))
    }

    /// Writes `config/<seq>.settings` in the agent's format.
    @discardableResult
    func writeSettings(seq: Int, publicSettings: String?, protectedBase64: String?, thumbprint thumb: String? = nil,
                       version v: String? = nil) throws -> String {
        let pub = publicSettings ?? "null"
        let prot = protectedBase64.map { "\"\($0)\"" } ?? "null"
        let th = protectedBase64 == nil ? "null" : "\"\(thumb ?? thumbprint)\""
        let path = "var/lib/waagent/Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-\(v ?? version)/config/\(seq).settings"
        try dir.write(path, """
            {"runtimeSettings":[{"handlerSettings":{"publicSettings":\(pub),"protectedSettings":\(prot),\
            "protectedSettingsCertThumbprint":\(th)}}]}
            """)
        return dir.url(path)
    }

    /// A standard deployment's settings at `seq`.
    func writeStandardSettings(seq: Int, extraPublic: String = "", proxy: String? = nil, version v: String? = nil) async throws {
        let blob = try await encrypt(Self.protectedJSON(proxy: proxy))
        try writeSettings(seq: seq, publicSettings: #"{"workspaceId":"\#(Self.workspace)"\#(extraPublic)}"#,
                          protectedBase64: blob, version: v)
    }

    func handler(version v: String? = nil, sequence: Int? = nil, timeLimit: Duration? = nil,
                 minimumFreeBytes: UInt64 = 1) -> ExtensionHandler {
        var env: [String: String] = [:]
        if let sequence { env["ConfigSequenceNumber"] = String(sequence) }
        var configuration = ExtensionHandler.Configuration(
            root: root, handlerDirectory: root.lexical("/var/lib/waagent/Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-\(v ?? version)"),
            processEnvironment: env)
        configuration.minimumFreeBytes = minimumFreeBytes
        configuration.timeLimit = timeLimit
        if timeLimit != nil { configuration.finalStatusMargin = .milliseconds(100) }
        return ExtensionHandler(configuration: configuration)
    }

    /// The status file's first element, parsed by python3's json module (an independent oracle).
    func statusFields(seq: Int, version v: String? = nil) async throws -> [String] {
        let path = root.lexical("/var/lib/waagent/Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-\(v ?? version)/status/\(seq).status")
        let script = """
            import json,sys
            d=json.load(open(sys.argv[1]))
            assert isinstance(d,list) and len(d)==1
            e=d[0]; s=e["status"]
            assert isinstance(s["code"],str)
            assert e["version"]=="1.0" and s["name"]=="Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux"
            assert s["formattedMessage"]["lang"]=="en-US"
            import re; assert re.fullmatch(r"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ", e["timestampUTC"])
            print(s["operation"]); print(s["status"]); print(s["code"]); print(s["formattedMessage"]["message"])
            """
        return try await Oracle.output(["python3", "-c", script, path]).split(separator: "\n").map(String.init)
    }

    /// True when `needle` occurs in any file under the temporary root (`grep -r`, an independent oracle).
    func treeContains(_ needle: String) async throws -> Bool {
        let out = try await Oracle.run(["grep", "-r", "-l", "-F", "--", needle, dir.path])
        return out.status == 0
    }
}

/// TEST CONFORMANCE ONLY, not an engine: records which operation the driver called and with what request, and
/// fails or stalls when told to, so the driver's protocol behaviour (status files, codes, log, budgets) can be
/// tested. It changes nothing on the host tree.
final class RecordingExtensionOperations: ExtensionOperations {
    struct Call: Sendable { var operation: HandlerOperation; var sequence: UInt64; var seen: Bool; var workspaceId: String? }
    private let calls = Mutex<[Call]>([])
    let failure: AgentError?
    let stall: Duration?

    init(failure: AgentError? = nil, stall: Duration? = nil) {
        self.failure = failure
        self.stall = stall
    }

    var recorded: [Call] { calls.withLock { $0 } }

    private func record(_ request: ExtensionRequest) async throws(AgentError) {
        calls.withLock { $0.append(Call(operation: request.operation, sequence: request.sequenceNumber,
                                        seen: request.sequenceAlreadySeen, workspaceId: request.settings.workspaceId)) }
        if let stall { try? await Task.sleep(for: stall) }
        if let failure { throw failure }
    }

    func install(_ request: ExtensionRequest) async throws(AgentError) { try await record(request) }
    func enable(_ request: ExtensionRequest) async throws(AgentError) { try await record(request) }
    func disable(_ request: ExtensionRequest) async throws(AgentError) { try await record(request) }
    func uninstall(_ request: ExtensionRequest) async throws(AgentError) { try await record(request) }
    func update(_ request: ExtensionRequest) async throws(AgentError) { try await record(request) }
}
