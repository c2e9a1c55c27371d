import AgentInstaller
import AgentSupport
import Synchronization
import Testing
import TestSupport

/// TEST OBSERVER ONLY: delegates every operation to the real `ExtensionEngine` and, before delegating, records the
/// status the driver has written for the run (`transitioning` is expected while the engine works).
final class StatusObservingOperations: ExtensionOperations {
    let engine: ExtensionEngine
    private let seen = Mutex<[String]>([])
    init(_ engine: ExtensionEngine) { self.engine = engine }

    /// `<operation>:<status>` as read from `<seq>.status` when each engine call began.
    var observed: [String] { seen.withLock { $0 } }

    private func observe(_ request: ExtensionRequest) {
        let path = request.root.lexical(request.environment.statusFolder) + "/\(request.sequenceNumber).status"
        let text = FileIO.read(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let status = JSONValue.parse(Array(text.utf8))?.arrayValue?.first?["status"]?["status"]?.stringValue ?? "missing"
        seen.withLock { $0.append("\(request.operation.displayName):\(status)") }
    }

    func install(_ r: ExtensionRequest) async throws(AgentError) { observe(r); try await engine.install(r) }
    func enable(_ r: ExtensionRequest) async throws(AgentError) { observe(r); try await engine.enable(r) }
    func disable(_ r: ExtensionRequest) async throws(AgentError) { observe(r); try await engine.disable(r) }
    func uninstall(_ r: ExtensionRequest) async throws(AgentError) { observe(r); try await engine.uninstall(r) }
    func update(_ r: ExtensionRequest) async throws(AgentError) { observe(r); try await engine.update(r) }
}

extension ExtensionEndToEndTests {
    /// `<package> <version>` lines of the fixture root's dpkg database, from dpkg-query (an independent oracle).
    func installedPackages(_ f: ExtensionFixture) async throws -> [String] {
        let out = try await Oracle.output(["dpkg-query", "--admindir=\(f.dir.path)/var/lib/dpkg", "-W",
                                           "-f=${Package} ${Version} ${db:Status-Abbrev}\n"])
        return out.split(separator: "\n").filter { $0.hasSuffix("ii ") || $0.hasSuffix("ii") }
            .map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
    }

    /// SHA-256 of a file under the root, by `sha256sum` (an independent oracle).
    func sha256(_ f: ExtensionFixture, _ hostPath: String) async throws -> String {
        String(try await Oracle.output(["sha256sum", f.root.lexical(hostPath)]).prefix(64))
    }

    /// The whole life of the extension with the real engines, as the guest agent drives it (contract §1.3, §10):
    /// install → enable → the same enable again (agent restart) → a new sequence with identical settings → a new
    /// sequence with a changed resource id → disable (the old handler's, in the upgrade) → copy of mrseq and status
    /// → new update → old uninstall → new install → new enable → uninstall.
    @Test func fullLifecycleWithUpgrade() async throws {
        let f = try await Self.fixture()
        let ws = Self.env("AGENT_TEST_WORKSPACE_ID"), key = Self.env("AGENT_TEST_WORKSPACE_KEY")
        let r1 = "/subscriptions/sub-1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1"
        let r2 = "/subscriptions/sub-1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm2"
        let ops = StatusObservingOperations(engine())
        var blobs: [String] = []
        func settings(seq: Int, resource: String, version: String? = nil) async throws {
            let blob = try await f.encrypt(String(ExtensionFixture.protectedJSON(key: key).dropLast()) + #","vmResourceId":"\#(resource)"}"#)
            blobs.append(blob)
            try f.writeSettings(seq: seq, publicSettings: #"{"workspaceId":"\#(ws)","noDigest":"true"}"#,
                                protectedBase64: blob, version: version)
        }
        func status(_ seq: Int, _ version: String = "1.19.0") async throws -> [String] {
            Array(try await f.statusFields(seq: seq, version: version).prefix(3))
        }
        let conf = "\(Self.etc)/\(ws)/conf"
        let varState = "/var/opt/microsoft/omsagent/\(ws)/state"

        // Enable before install: 52, reported as an error.
        try await settings(seq: 0, resource: r1)
        var outcome = await f.handler(sequence: 0).run(.enable, operations: ops)
        #expect(outcome.code == 52 && outcome.message == "Enable cannot be called before install", "\(outcome.message)")
        #expect(try await status(0) == ["Enable", "error", "52"])

        // First deployment.
        outcome = await f.handler(sequence: 0).run(.install, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await status(0) == ["Install", "success", "0"])
        #expect(try await installedPackages(f).contains("omsagent 1.14.19-0"))
        outcome = await f.handler(sequence: 0).run(.enable, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await status(0) == ["Enable", "success", "0"])
        let guid = try #require(agentGUID(f, ws))
        let certificate = try await sha256(f, "\(Self.etc)/\(ws)/certs/oms.crt")
        #expect(serviceRequests(agent: guid) == 1)
        let marker = try #require(f.root.readText("\(conf)/\(ExtensionMarker.name)").flatMap(ExtensionMarker.parse))
        #expect(marker.handlerVersion == "1.19.0")
        #expect(f.dir.read(f.handlerHost.dropFirst() + "/mrseq") == "0")

        // The agent restarts: the same enable again is a no-op that does not contact the service.
        outcome = await f.handler(sequence: 0).run(.enable, operations: ops)
        #expect(outcome.code == 0 && serviceRequests(agent: guid) == 1)
        // A new sequence number with identical settings: no onboarding, but the sequence is recorded.
        try await settings(seq: 1, resource: r1)
        outcome = await f.handler(sequence: 1).run(.enable, operations: ops)
        #expect(outcome.code == 0 && serviceRequests(agent: guid) == 1, "identical settings do not re-onboard")
        #expect(f.dir.read(f.handlerHost.dropFirst() + "/mrseq") == "1")
        #expect(try await status(1) == ["Enable", "success", "0"])
        // A changed resource id re-onboards, keeping the agent's identity.
        try await settings(seq: 2, resource: r2)
        outcome = await f.handler(sequence: 2).run(.enable, operations: ops)
        #expect(outcome.code == 0 && serviceRequests(agent: guid) == 2, "a changed setting re-onboards")
        #expect(agentGUID(f, ws) == guid)
        #expect(f.root.readText("\(conf)/omsadmin.conf")?.contains("AZURE_RESOURCE_ID=\(r2)\n") == true)
        #expect(try await sha256(f, "\(Self.etc)/\(ws)/certs/oms.crt") == certificate)

        // Upgrade to handler 1.20.0 with bundle 1.14.20-0 (§10): the agent sets up the new EXT with the settings.
        try f.makeHandlerDirectory(version: "1.20.0")
        let newExt = f.root.lexical("/var/lib/waagent/Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-1.20.0")
        try FileIO.makeDirectories(newExt + "/packages")
        _ = try await Fixtures.bundle(in: newExt + "/packages", version: "1.14.20-0")
        try await settings(seq: 2, resource: r2, version: "1.20.0")
        try f.dir.write(String(varState.dropFirst()) + "/buffered.state", "position=42\n")
        // Old disable.
        outcome = await f.handler(sequence: 2).run(.disable, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await status(2) == ["Disable", "success", "0"])
        #expect(f.root.isRegularFile("\(conf)/omsadmin.conf"), "disable is non-destructive")
        // The agent copies mrseq and status/*.
        #expect(try await Oracle.run(["cp", "-a", f.handlerDirectory + "/mrseq", newExt + "/mrseq"]).succeeded)
        #expect(try await Oracle.run(["sh", "-c", "cp -a \"$0\"/status/. \"$1\"/status/", f.handlerDirectory, newExt]).succeeded)
        // New update parks ETC/<ws> and VAR/<ws>/state.
        outcome = await f.handler(version: "1.20.0", sequence: 2).run(.update, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await status(2, "1.20.0") == ["Update", "success", "0"])
        #expect(!f.root.exists("\(Self.etc)/\(ws)") && f.root.isRegularFile("\(Self.etc)/state/\(ws)/conf/omsadmin.conf"))
        #expect(!f.root.exists(varState))
        // Old uninstall removes the packages and VAR/<ws>; the parked state survives.
        outcome = await f.handler(sequence: 2).run(.uninstall, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await status(2) == ["Uninstall", "success", "0"])
        #expect(try await !installedPackages(f).contains { $0.hasPrefix("omsagent ") })
        #expect(!f.root.exists("/var/opt/microsoft/omsagent/\(ws)"))
        #expect(try await Oracle.run(["rm", "-rf", f.handlerDirectory]).succeeded, "the agent deletes the old EXT")
        // New install restores the parked state and installs the newer bundle.
        outcome = await f.handler(version: "1.20.0", sequence: 2).run(.install, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await status(2, "1.20.0") == ["Install", "success", "0"])
        #expect(try await installedPackages(f).contains("omsagent 1.14.20-0"))
        #expect(f.root.readText("\(varState)/buffered.state") == "position=42\n")
        #expect(!f.root.exists("\(Self.etc)/state/\(ws)"))
        // New enable: the handler version changed, so it re-onboards with the same GUID and certificate; the
        // sequence number was seen (mrseq copied), so no restart.
        outcome = await f.handler(version: "1.20.0", sequence: 2).run(.enable, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await status(2, "1.20.0") == ["Enable", "success", "0"])
        #expect(serviceRequests(agent: guid) == 3)
        #expect(agentGUID(f, ws) == guid)
        #expect(try await sha256(f, "\(Self.etc)/\(ws)/certs/oms.crt") == certificate)
        #expect(f.root.readText("\(conf)/\(ExtensionMarker.name)").flatMap(ExtensionMarker.parse)?.handlerVersion == "1.20.0")
        // Removal.
        outcome = await f.handler(version: "1.20.0", sequence: 2).run(.uninstall, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await status(2, "1.20.0") == ["Uninstall", "success", "0"])
        #expect(try await !installedPackages(f).contains { $0.hasPrefix("omsagent ") })
        #expect(!f.root.exists("\(Self.etc)/\(ws)") && !f.root.exists("/var/opt/microsoft/omsagent/\(ws)"))

        // Every engine call saw `transitioning` first; no status file ever says `failed`.
        #expect(ops.observed.count == 12 && ops.observed.allSatisfy { $0.hasSuffix(":transitioning") }, "\(ops.observed)")
        #expect(try await Oracle.run(["grep", "-r", "-l", "\"failed\"", newExt + "/status"]).status == 1)

        // The log: both handler versions, the decisions, redaction; no secret anywhere in the tree.
        let log = try #require(FileIO.read(f.extensionLog).map { String(decoding: $0, as: UTF8.self) })
        for needle in ["[Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-1.19.0] ",
                       "[Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux-1.20.0] ",
                       "Handler initiating onboarding.", "already onboarded with these settings",
                       "settings changed since the last enable", "handler version changed from 1.19.0 to 1.20.0",
                       "sequence number 0 was already seen: restart skipped",
                       "sequence number 1 is new: would run on the live host: /opt/microsoft/omsagent/bin/service_control restart \(ws)",
                       "sequence number 2 was already seen: restart skipped", "*** REDACTED ***",
                       "Enable,success,0,Enable succeeded", "Enable,error,52,Enable cannot be called before install",
                       "noDigest is the string"] {
            #expect(log.contains(needle), "extension.log lacks: \(needle)")
        }
        #expect(!log.contains(f.thumbprint))
        for blob in blobs { #expect(!log.contains(String(blob.prefix(32)))) }
        #expect(try await !f.treeContains(key))
    }
}
