import AgentInstaller
import AgentSupport
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The driver against a simulated guest agent. The operations are `RecordingExtensionOperations`, a test
/// conformance that only records calls: these tests check the driver's protocol behaviour (status files, codes,
/// log and redaction, mrseq, update/restore, budgets), not package or onboarding work.
@Suite struct ExtensionHandlerTests {
    static let etcWorkspace = "/etc/opt/microsoft/omsagent/" + ExtensionFixture.workspace
    static let varWorkspace = "/var/opt/microsoft/omsagent/" + ExtensionFixture.workspace

    @Test func lifecycleWithUpgrade() async throws {
        let f = try await ExtensionFixture()
        let proxy = "http://puser:\(ExtensionFixture.proxyPassword)@proxy.example:3128"
        try await f.writeStandardSettings(seq: 0, proxy: proxy)
        let ops = RecordingExtensionOperations()

        // First deployment: install, enable.
        var outcome = await f.handler(sequence: 0).run(.install, operations: ops)
        #expect(outcome.summaryLine == "Install,success,0,Install succeeded")
        #expect(try await f.statusFields(seq: 0) == ["Install", "success", "0", "Install succeeded"])
        outcome = await f.handler(sequence: 0).run(.enable, operations: ops)
        #expect(outcome.code == 0)
        #expect(try await f.statusFields(seq: 0) == ["Enable", "success", "0", "Enable succeeded"])
        #expect(f.dir.read(f.handlerHost.dropFirst() + "/mrseq") == "0")
        // Agent restart: enable again with the same sequence number, which is now seen.
        _ = await f.handler(sequence: 0).run(.enable, operations: ops)
        // New settings.
        try await f.writeStandardSettings(seq: 1, extraPublic: #","skipDockerProviderInstall":true"#, proxy: proxy)
        outcome = await f.handler(sequence: 1).run(.enable, operations: ops)
        #expect(outcome.code == 0 && f.dir.read(f.handlerHost.dropFirst() + "/mrseq") == "1")
        #expect(try await f.statusFields(seq: 1) == ["Enable", "success", "0", "Enable succeeded"])
        #expect(ops.recorded.map(\.operation) == [.install, .enable, .enable, .enable])
        #expect(ops.recorded.map(\.seen) == [false, false, true, false])

        // Disable, then the agent's upgrade sequence to 1.20.0.
        outcome = await f.handler(sequence: 1).run(.disable, operations: ops)
        #expect(outcome.summaryLine == "Disable,success,0,Disable succeeded")
        try f.dir.mkdir(String(Self.etcWorkspace.dropFirst()) + "/conf")
        try f.dir.write(String(Self.etcWorkspace.dropFirst()) + "/conf/omsadmin.conf", "WORKSPACE_ID=\(ExtensionFixture.workspace)\n")
        try f.dir.write(String(Self.varWorkspace.dropFirst()) + "/state/last", "buffered")
        try f.makeHandlerDirectory(version: "1.20.0")
        try await f.writeStandardSettings(seq: 1, proxy: proxy, version: "1.20.0")
        try f.dir.write(String(f.handlerHost.dropFirst()).replacing("1.19.0", with: "1.20.0") + "/mrseq", "1")
        outcome = await f.handler(version: "1.20.0", sequence: 1).run(.update, operations: ops)
        #expect(outcome.code == 0)
        #expect(!f.exists(Self.etcWorkspace) && f.exists("/etc/opt/microsoft/omsagent/state/\(ExtensionFixture.workspace)/conf/omsadmin.conf"))
        #expect(!f.exists(Self.varWorkspace + "/state"))
        // Old uninstall: packages (recorded) and the workspace directories (ETC/<ws> already parked).
        outcome = await f.handler(sequence: 1).run(.uninstall, operations: ops)
        #expect(outcome.code == 0 && !f.exists(Self.varWorkspace))
        // New install restores, new enable skips the restart (seen).
        outcome = await f.handler(version: "1.20.0", sequence: 1).run(.install, operations: ops)
        #expect(outcome.code == 0)
        #expect(f.dir.read(String(Self.etcWorkspace.dropFirst()) + "/conf/omsadmin.conf")?.contains("WORKSPACE_ID") == true)
        #expect(f.dir.read(String(Self.varWorkspace.dropFirst()) + "/state/last") == "buffered")
        #expect(!f.exists("/etc/opt/microsoft/omsagent/state/\(ExtensionFixture.workspace)"))
        outcome = await f.handler(version: "1.20.0", sequence: 1).run(.enable, operations: ops)
        #expect(outcome.code == 0 && ops.recorded.last?.seen == true)
        #expect(try await f.statusFields(seq: 1, version: "1.20.0") == ["Enable", "success", "0", "Enable succeeded"])
        // Final removal.
        outcome = await f.handler(version: "1.20.0", sequence: 1).run(.uninstall, operations: ops)
        #expect(outcome.code == 0 && !f.exists(Self.etcWorkspace) && !f.exists(Self.varWorkspace))
        #expect(ops.recorded.map(\.operation) == [.install, .enable, .enable, .enable, .disable, .update, .uninstall,
                                                 .install, .enable, .uninstall])

        // The log: contract line format, the redacted settings, the proxy shown without its password.
        let log = try #require(FileIO.read(f.extensionLog).map { String(decoding: $0, as: UTF8.self) })
        #expect(log.contains("*** REDACTED ***") && log.contains("puser:***@proxy.example:3128"))
        #expect(log.contains("[Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-1.20.0] "))
        // Secrets appear nowhere in the tree except the test's own settings inputs (encrypted) and nowhere in clear.
        #expect(try await !f.treeContains(ExtensionFixture.key))
        #expect(try await !f.treeContains(ExtensionFixture.proxyPassword))
        let blob = try await f.encrypt(ExtensionFixture.protectedJSON())
        try f.writeSettings(seq: 7, publicSettings: "{}", protectedBase64: blob)
        _ = await f.handler(sequence: 7).run(.disable, operations: ops)
        let logNow = try #require(FileIO.read(f.extensionLog).map { String(decoding: $0, as: UTF8.self) })
        #expect(!logNow.contains(String(blob.prefix(40))) && !logNow.contains(f.thumbprint))
    }

    @Test(arguments: [
        ("missing key", #"{"workspaceId":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}"#, "{}", Int32(11)),
        ("non-GUID id", #"{"workspaceId":"contoso"}"#, nil, 11),
        ("bad key", #"{"workspaceId":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}"#, #"{"workspaceKey":"a b"}"#, 11),
        ("no public settings", nil, nil, 11),
    ] as [(String, String?, String?, Int32)])
    func badSettingsGetTheirCode(_ name: String, _ publicSettings: String?, _ protected: String?, _ expected: Int32) async throws {
        let f = try await ExtensionFixture()
        let blob = try await f.encrypt(protected ?? ExtensionFixture.protectedJSON())
        try f.writeSettings(seq: 3, publicSettings: publicSettings, protectedBase64: blob)
        let outcome = await f.handler(sequence: 3).run(.enable, operations: RecordingExtensionOperations())
        #expect(outcome.code == expected, "\(name): \(outcome.message)")
        let fields = try await f.statusFields(seq: 3)
        #expect(fields[0] == "Enable" && fields[1] == "error" && fields[2] == String(expected))
    }

    @Test func emptySettingsUndecryptableAndWrongThumbprint() async throws {
        let f = try await ExtensionFixture()
        try f.dir.write(String(f.handlerHost.dropFirst()) + "/config/0.settings", "")
        var outcome = await f.handler(sequence: 0).run(.install, operations: RecordingExtensionOperations())
        #expect(outcome.code == 11 && outcome.status == .error)
        #expect(try await f.statusFields(seq: 0)[1] == "error")
        try f.writeSettings(seq: 1, publicSettings: #"{"workspaceId":"\#(ExtensionFixture.workspace)"}"#,
                            protectedBase64: Base64.encode(Array("not an envelope".utf8)))
        outcome = await f.handler(sequence: 1).run(.enable, operations: RecordingExtensionOperations())
        #expect(outcome.code == 1 && outcome.message.hasPrefix("cannot decrypt protectedSettings with \(f.thumbprint).crt/.prv"))
        try f.writeSettings(seq: 2, publicSettings: #"{"workspaceId":"\#(ExtensionFixture.workspace)"}"#,
                            protectedBase64: try await f.encrypt("{}"), thumbprint: String(repeating: "0", count: 40))
        outcome = await f.handler(sequence: 2).run(.enable, operations: RecordingExtensionOperations())
        #expect(outcome.code == 1 && outcome.summaryLine.hasPrefix("Enable,error,1,cannot decrypt protectedSettings with 0000"))
        // Disable goes on without the settings it does not need.
        outcome = await f.handler(sequence: 2).run(.disable, operations: RecordingExtensionOperations())
        #expect(outcome.code == 0)
    }

    @Test func unsupportedOSAndMissingEnvironment() async throws {
        let f = try await ExtensionFixture(os: ("debian", "12"))
        try await f.writeStandardSettings(seq: 0)
        let ops = RecordingExtensionOperations()
        var outcome = await f.handler(sequence: 0).run(.install, operations: ops)
        #expect(outcome.summaryLine == "Install,error,51,Unsupported operating system: debian 12")
        outcome = await f.handler(sequence: 0).run(.disable, operations: ops)
        #expect(outcome.code == 0)
        try FileIO.remove(f.handlerDirectory + "/HandlerEnvironment.json")
        outcome = await f.handler(sequence: 0).run(.disable, operations: ops)
        #expect(outcome.code == 1)
        #expect(f.dir.read("var/log/waagent.log")?.contains("HandlerEnvironment.json") == true)
        #expect(ops.recorded.map(\.operation) == [.disable])
    }

    @Test func multipleConnectionsIs10() async throws {
        let f = try await ExtensionFixture()
        try await f.writeStandardSettings(seq: 0, extraPublic: #","stopOnMultipleConnections":true"#)
        try f.dir.mkdir("etc/opt/microsoft/omsagent/11111111-2222-3333-4444-555555555555/conf")
        let ops = RecordingExtensionOperations()
        var outcome = await f.handler(sequence: 0).run(.install, operations: ops)
        #expect(outcome.code == 10 && outcome.message.contains(MultipleConnectionCheck.tag))
        #expect(ops.recorded.isEmpty)
        // SCOM's directory alone is another connection too.
        try FileIO.removeTree(f.dir.url("etc/opt/microsoft/omsagent/11111111-2222-3333-4444-555555555555"))
        try f.dir.mkdir("etc/opt/microsoft/omsagent/scom")
        outcome = await f.handler(sequence: 0).run(.install, operations: ops)
        #expect(outcome.code == 10 && outcome.message.contains("scom"))
        // The target workspace's own directory (any case) allows the install.
        try f.dir.mkdir("etc/opt/microsoft/omsagent/" + ExtensionFixture.workspace.uppercased())
        outcome = await f.handler(sequence: 0).run(.install, operations: ops)
        #expect(outcome.code == 0 && ops.recorded.count == 1)
        try FileIO.removeTree(f.dir.url("etc/opt/microsoft/omsagent/" + ExtensionFixture.workspace.uppercased()))
        try FileIO.removeTree(f.dir.url("etc/opt/microsoft/omsagent/scom"))
        // SCOM detected from OMI's port 1270 and an SCX certificate (made by openssl with the SCX issuer form).
        try f.dir.write("etc/opt/omi/conf/omiserver.conf", "httpport=0\nhttpsport=0,1270\n")
        try f.dir.mkdir("etc/opt/microsoft/scx/ssl")
        _ = try await Oracle.output(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                     "-subj", "/DC=contoso/CN=SCX-Certificate/title=SCX11111111-2222-3333-4444-555555555555",
                                     "-keyout", f.dir.url("scx.key"), "-out", f.dir.url("etc/opt/microsoft/scx/ssl/scx.pem")])
        outcome = await f.handler(sequence: 0).run(.install, operations: ops)
        #expect(outcome.code == 10 && outcome.message.contains("Operations Manager"))
        try f.dir.write("etc/opt/omi/conf/omiserver.conf", "httpsport=0\n")
        outcome = await f.handler(sequence: 0).run(.install, operations: ops)
        #expect(outcome.code == 0 && ops.recorded.count == 2)
        // Without the flag another workspace is no obstacle.
        try f.dir.mkdir("etc/opt/microsoft/omsagent/11111111-2222-3333-4444-555555555555")
        try await f.writeStandardSettings(seq: 1)
        outcome = await f.handler(sequence: 1).run(.install, operations: ops)
        #expect(outcome.code == 0)
    }

    @Test func engineErrorsAndBudget() async throws {
        let f = try await ExtensionFixture()
        try await f.writeStandardSettings(seq: 0)
        let failing = RecordingExtensionOperations(failure: ExitRemapping.error(step: "bundle", rc: 17, output: "dpkg: error processing package x"))
        var outcome = await f.handler(sequence: 0).run(.install, operations: failing)
        #expect(outcome.code == 52 && outcome.message.contains("see extension.log"))
        #expect(try await f.statusFields(seq: 0)[1] == "error")
        // An engine that overruns the (shortened) limit: the driver reports it and writes a terminal status.
        let slow = RecordingExtensionOperations(stall: .seconds(30))
        let clock = ContinuousClock()
        let started = clock.now
        outcome = await f.handler(sequence: 0, timeLimit: .seconds(2)).run(.enable, operations: slow)
        #expect(clock.now - started < .seconds(10))
        #expect(outcome.code == 1 && outcome.message.contains("did not finish"))
        #expect(try await f.statusFields(seq: 0)[0...2] == ["Enable", "error", "1"])
        #expect(f.dir.read(f.handlerHost.dropFirst() + "/mrseq") == nil)
    }

    @Test func lowDiskIs52ExceptForDisableAndUninstall() async throws {
        let f = try await ExtensionFixture()
        try await f.writeStandardSettings(seq: 0)
        let ops = RecordingExtensionOperations()
        for operation in [HandlerOperation.install, .enable, .update] {
            let outcome = await f.handler(sequence: 0, minimumFreeBytes: .max).run(operation, operations: ops)
            #expect(outcome.code == 52 && outcome.message.hasPrefix("\(operation.displayName) failed due to low disk space"))
        }
        for operation in [HandlerOperation.disable, .uninstall] {
            #expect(await f.handler(sequence: 0, minimumFreeBytes: .max).run(operation, operations: ops).code == 0)
        }
        #expect(ops.recorded.map(\.operation) == [.disable, .uninstall])
    }

    @Test func updateWithoutWorkspaceStateIsANoOp() async throws {
        let f = try await ExtensionFixture()
        try await f.writeStandardSettings(seq: 0)
        let outcome = await f.handler(sequence: 0).run(.update, operations: RecordingExtensionOperations())
        #expect(outcome.code == 0 && !f.exists("/etc/opt/microsoft/omsagent/state/\(ExtensionFixture.workspace)"))
    }
}

extension ExtensionFixture {
    func exists(_ hostPath: String) -> Bool { FileIO.kind(root.lexical(hostPath), followLinks: false) != nil }
}
