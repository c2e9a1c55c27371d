import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// The extension handler with the real engines (`ExtensionEngine`): the fixture bundle installed with the real dpkg
/// into the extension fixture's root, onboarding against the stand-in workspace service (nginx +
/// workspace_service.py, started by `scripts/test`), and the built binary for the stdout checks.
@Suite("Extension handler end to end", .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil))
struct ExtensionEndToEndTests {
    static func env(_ n: String) -> String { TestEnvironment.value(n) ?? "" }
    static let binary = Repository.binary
    static let etc = "/etc/opt/microsoft/omsagent"

    /// An extension fixture whose root is also a dpkg root with the omsagent user, and whose `packages/` holds the
    /// fixture bundle with its sums (the host files are the Debian 12 pre-flight tree) plus an older stray bundle without sums (which must not be chosen).
    static func fixture() async throws -> ExtensionFixture {
        let f = try await ExtensionFixture()
        let trees = TemporaryDirectory(prefix: "extension-trees")
        #expect(try await Oracle.run([Fixtures.directory + "/make-host-trees", trees.url("t")]).succeeded)
        #expect(try await Oracle.run(["cp", "-a", trees.url("t/debian-12") + "/.", f.dir.path]).succeeded)
        for d in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "var/log"] { try f.dir.mkdir(d) }
        try f.dir.write("var/lib/dpkg/status", "")
        try f.dir.write("var/lib/dpkg/available", "")
        try f.dir.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nomsagent:x:4998:4997::/var/opt/microsoft/omsagent/run:/bin/bash\n")
        try f.dir.write("etc/group", "root:x:0:\nomiusers:x:4997:omsagent\nomsagent:x:4996:\n")
        try f.dir.write("etc/hostname", "testhost\n")
        try f.dir.write("etc/debian_version", "bookworm/sid\n")
        try f.dir.write("etc/os-release", "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n")  // §11 lists no Debian 12
        let packages = f.handlerDirectory + "/packages"
        try FileIO.makeDirectories(packages)
        _ = try await Fixtures.bundle(in: packages, version: "1.14.19-0")
        try f.dir.write(String((packages + "/omsagent-1.13.0-0.universal.x64.sh").dropFirst(f.dir.path.count + 1)),
                        "not a bundle\n", mode: 0o755)
        return f
    }

    func engine() -> ExtensionEngine {
        ExtensionEngine(endpoint: Self.env("AGENT_TEST_WORKSPACE_URL"), caFile: Self.env("AGENT_TEST_CA"), metadataURL: nil)
    }

    func writeSettings(_ f: ExtensionFixture, seq: Int, key: String, resourceID: String? = nil) async throws {
        var plain = ExtensionFixture.protectedJSON(key: key)
        if let resourceID { plain = String(plain.dropLast()) + #","vmResourceId":"\#(resourceID)"}"# }
        let blob = try await f.encrypt(plain)
        try f.writeSettings(seq: seq, publicSettings: #"{"workspaceId":"\#(Self.env("AGENT_TEST_WORKSPACE_ID"))"}"#,
                            protectedBase64: blob)
    }

    /// `AGENT_GUID` of the workspace's omsadmin.conf.
    func agentGUID(_ f: ExtensionFixture, _ ws: String) -> String? {
        guard let text = f.root.readText("\(Self.etc)/\(ws)/conf/omsadmin.conf") else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("AGENT_GUID=") }.map { String($0.dropFirst(11)) }
    }

    /// Lines of the stand-in service's request log (one per request).
    /// Topology requests the stand-in service logged whose body names `agent` (the EntityTypeId): other tests
    /// onboard against the same service in parallel, so only this agent's requests are counted.
    func serviceRequests(agent: String) -> Int {
        let log = FileIO.read(Self.env("AGENT_TEST_WORKSPACE_LOG")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return log.split(separator: "\n").filter { line in
            // A JSON line: ..."body": "<base64>"... ; the value is the second piece after the "body" key.
            let pieces = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard let key = pieces.firstIndex(of: "body"), key + 2 < pieces.count,
                  let body = try? Base64.decodeLenient(String(pieces[key + 2]))
            else { return false }
            return String(decoding: body, as: UTF8.self).contains("<EntityTypeId>\(agent)</EntityTypeId>")
        }.count
    }

    @Test func installEnableReenableDisableUninstall() async throws {
        let f = try await Self.fixture()
        let ws = Self.env("AGENT_TEST_WORKSPACE_ID"), key = Self.env("AGENT_TEST_WORKSPACE_KEY")
        let resource = "/subscriptions/sub-1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1"
        try await writeSettings(f, seq: 0, key: key, resourceID: resource)
        let ops = engine()

        var outcome = await f.handler(sequence: 0).run(.install, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await f.statusFields(seq: 0).prefix(3) == ["Install", "success", "0"])
        #expect(f.root.exists("/opt/microsoft/omsagent/bin/omsadmin.sh"))
        let dpkg = try await Oracle.output(["dpkg-query", "--admindir=\(f.dir.path)/var/lib/dpkg", "-W", "-f=${Package} ${db:Status-Abbrev}\n"])
        #expect(dpkg.split(separator: "\n").contains { $0.hasPrefix("omsagent ii") }, "\(dpkg)")
        #expect(!f.root.exists("\(Self.etc)/\(ws)/conf/omsadmin.conf"), "install never onboards")

        // A workspace an earlier extension onboarded (marker) and one onboarded by hand (no marker).
        let previous = "11111111-2222-4333-8444-555555555555", manual = "66666666-7777-4888-8999-aaaaaaaaaaaa"
        for id in [previous, manual] {
            try f.dir.write("etc/opt/microsoft/omsagent/\(id)/conf/omsadmin.conf", "WORKSPACE_ID=\(id)\nAGENT_GUID=\(id)\n")
            try f.dir.mkdir("var/opt/microsoft/omsagent/\(id)/state")
        }
        try f.dir.write("etc/opt/microsoft/omsagent/\(previous)/conf/\(ExtensionEngine.markerName)", "")

        outcome = await f.handler(sequence: 0).run(.enable, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await f.statusFields(seq: 0).prefix(3) == ["Enable", "success", "0"])
        let guid = try #require(agentGUID(f, ws))
        #expect(WorkspaceID.isGUID(guid))
        #expect(f.root.readText("\(Self.etc)/\(ws)/conf/omsadmin.conf")?.contains("AZURE_RESOURCE_ID=\(resource)\n") == true)
        #expect(f.root.isRegularFile("\(Self.etc)/\(ws)/conf/\(ExtensionEngine.markerName)"))
        #expect(serviceRequests(agent: guid) == 1, "enable sent one topology request for this agent")
        #expect(!f.root.exists("\(Self.etc)/\(previous)"), "the previous extension workspace is removed")
        #expect(!f.root.exists("/var/opt/microsoft/omsagent/\(previous)"))
        #expect(f.root.exists("\(Self.etc)/\(manual)/conf/omsadmin.conf"), "a workspace without the marker stays")

        #expect(try await !f.treeContains(key), "the onboarded tree and extension.log never hold the key")

        outcome = await f.handler(sequence: 0).run(.enable, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(agentGUID(f, ws) == guid)
        #expect(serviceRequests(agent: guid) == 1, "the same sequence does not onboard again")

        outcome = await f.handler(sequence: 0).run(.disable, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await f.statusFields(seq: 0).prefix(3) == ["Disable", "success", "0"])
        #expect(f.root.exists("\(Self.etc)/\(ws)/conf/omsadmin.conf"), "disable is non-destructive")

        outcome = await f.handler(sequence: 0).run(.uninstall, operations: ops)
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await f.statusFields(seq: 0).prefix(3) == ["Uninstall", "success", "0"])
        let after = try await Oracle.output(["dpkg-query", "--admindir=\(f.dir.path)/var/lib/dpkg", "-W", "-f=${Package} ${db:Status-Abbrev}\n"])
        #expect(!after.split(separator: "\n").contains { $0.hasPrefix("omsagent ii") }, "\(after)")
        #expect(!f.root.exists("\(Self.etc)/\(ws)"))
        #expect(try await !f.treeContains(key))
    }

    @Test func wrongKeyIs53AndTheKeyNeverShows() async throws {
        let f = try await Self.fixture()
        let ws = Self.env("AGENT_TEST_WORKSPACE_ID")
        let wrong = ExtensionFixture.key
        #expect(wrong != Self.env("AGENT_TEST_WORKSPACE_KEY"))
        try await writeSettings(f, seq: 0, key: wrong)
        #expect(await f.handler(sequence: 0).run(.install, operations: engine()).code == 0)

        let out = try await Oracle.run(
            [Self.binary, "extension", "--root", f.dir.path, "--handler-dir", f.handlerDirectory,
             "--endpoint", Self.env("AGENT_TEST_WORKSPACE_URL"), "--cacert", Self.env("AGENT_TEST_CA"),
             "--metadata-url", "http://127.0.0.1:9/metadata/instance", "--retry-interval", "0.05", "-enable"],
            environment: ["ConfigSequenceNumber": "0"])
        #expect(out.status == 53, "\(out.standardOutput) \(out.standardError)")
        #expect(out.standardOutput.hasPrefix("Enable,error,53,"), "\(out.standardOutput)")
        let fields = try await f.statusFields(seq: 0)
        #expect(fields.prefix(3) == ["Enable", "error", "53"])
        #expect(fields.last?.contains("403") == true, "\(fields)")
        #expect(!f.root.exists("\(Self.etc)/\(ws)/conf/\(ExtensionEngine.markerName)"))
        #expect(!out.standardOutput.contains(wrong) && !out.standardError.contains(wrong))
        let log = FileIO.read(f.extensionLog).map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(log.contains("instance metadata not available"), "no vmResourceId: IMDS was asked (and unreachable)")
        #expect(log.contains("onboarding attempt 4/5 failed (exit 5)") && log.contains("onboarding attempt 5/5 failed (exit 5)"),
                "rc 5 is retried up to 5 attempts (§8.3 step 7)")
        #expect(!log.contains("attempt 6/5"))
        #expect(try await !f.treeContains(wrong))
    }

    @Test func sumsMismatchIsExit1() async throws {
        let f = try await Self.fixture()
        try await writeSettings(f, seq: 0, key: Self.env("AGENT_TEST_WORKSPACE_KEY"))
        let sums = f.handlerDirectory + "/packages/omsagent-1.14.19-0.universal.x64.sh.sha256sums"
        let text = String(decoding: try #require(FileIO.read(sums)), as: UTF8.self)
        let flipped = (text.first == "0" ? "1" : "0") + text.dropFirst()
        try AtomicFile.write(sums, Array(flipped.utf8), mode: 0o644)
        let outcome = await f.handler(sequence: 0).run(.install, operations: engine())
        #expect(outcome.code == 1, "\(outcome.message)")
        #expect(!f.root.exists("/opt/microsoft/omsagent/bin/omsadmin.sh"), "nothing installed")
    }
}
