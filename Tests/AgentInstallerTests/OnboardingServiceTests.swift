import AgentSupport
import Testing
import TestSupport

@testable import AgentInstaller

/// Onboarding against the stand-in workspace service (nginx + workspace_service.py) and squid, started by
/// `scripts/test`.
@Suite("Onboarding against the stand-in service", .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil))
struct OnboardingServiceTests {
    static func env(_ n: String) -> String { TestEnvironment.value(n) ?? "" }
    static var ws: String { env("AGENT_TEST_WORKSPACE_ID") }
    static var key: String { env("AGENT_TEST_WORKSPACE_KEY") }

    static func options(ws: String = ws, key: String = key, marker: String? = nil, proxy: ProxyConfiguration? = nil,
                        endpoint: String? = nil) throws -> OnboardingOptions {
        try OnboardingOptions(workspace: try WorkspaceID(ws), key: try WorkspaceKey(Secret(key)), proxy: proxy,
                              multihomingMarker: marker, endpoint: endpoint ?? env("AGENT_TEST_WORKSPACE_URL"),
                              caFile: env("AGENT_TEST_CA"))
    }

    static func onboard(_ r: OnboardingRoot, _ o: OnboardingOptions) async throws(AgentError) -> OnboardingReport {
        try await Onboarding.execute(o, context: InstallContext(root: r.root), transport: HTTPTopologyTransport())
    }

    /// The service's log record of the request that carried `guid`.
    static func record(for guid: String) async throws -> String {
        let script = """
            import base64, json, sys
            guid = sys.argv[1]
            for line in open(sys.argv[2]):
                d = json.loads(line)
                if guid.encode() in base64.b64decode(d["body"]):
                    print(line.strip())
            """
        let out = try await Oracle.output(["python3", "-c", script, guid, env("AGENT_TEST_WORKSPACE_LOG")])
        return String(out.split(separator: "\n").last ?? "")
    }

    /// Python recomputes hash and HMAC of a logged request with the workspace key (given on stdin).
    static let verifier = """
        import base64, hashlib, hmac, json, sys
        key, line = sys.stdin.read().split("\\n", 1)
        d = json.loads(line)
        h = d["headers"]
        body = base64.b64decode(d["body"])
        ch = base64.b64encode(hashlib.sha256(body).digest()).decode()
        sig = base64.b64encode(hmac.new(base64.b64decode(key), (h["x-ms-Date"] + "\\n" + ch + "\\n").encode(), hashlib.sha256).digest()).decode()
        assert h["x-ms-SHA256_Content"] == ch and len(ch) == 44, "hash"
        ws = sys.argv[1]
        assert h["Authorization"] == ws + "; " + sig, "authorization"
        assert h["x-ms-version"] == "August, 2014" and h["Accept-Language"] == "en-US", "headers"
        assert h["User-Agent"] == "LinuxMonitoringAgent/1.19.0-0", h["User-Agent"]
        assert h["Content-Type"] == "application/x-www-form-urlencoded", "content type"
        assert d["protocol"] == "HTTP/1.1", "protocol"
        assert body.startswith(b'<?xml version="1.0"?>\\n<AgentTopologyRequest ') and not body.endswith(b"\\n"), "body"
        print("ok")
        """

    @Test("onboard directly: 200, signed request verified independently, files written; re-onboard keeps identity")
    func direct() async throws {
        let r = try OnboardingRoot()
        let report = try await Self.onboard(r, try Self.options())
        #expect(report.primary && !report.reusedIdentity && report.syslogPort == 25224)
        let line = try await Self.record(for: report.agentGUID)
        #expect(line.contains("\"status\": 200"))
        let ok = try await Oracle.output(["python3", "-c", Self.verifier, Self.ws], input: Array("\(Self.key)\n\(line)".utf8))
        #expect(ok == "ok\n")
        let w = AgentPaths.Workspace(Self.ws)
        let conf = try #require(r.dir.read(String(w.omsadminConf.dropFirst())))
        let parsed = try #require(OmsAdminConf.parse(conf))
        #expect(parsed.agentGUID == report.agentGUID && parsed.workspaceID == Self.ws)
        #expect(parsed.dscEndpoint.hasSuffix("/Nodes(AgentId='\(report.agentGUID)')"))
        #expect(conf.contains("/Nodes\\(AgentId='\(report.agentGUID)'\\)\n"))
        for p in [w.key, w.cert] {
            let a = try #require(r.attributes(p))
            #expect(a.mode == 0o640 && a.uid == OnboardingRoot.uid && a.gid == OnboardingRoot.gid)
        }
        let key1 = r.dir.read(String(w.key.dropFirst())), cert1 = r.dir.read(String(w.cert.dropFirst()))

        // Re-onboarding keeps the GUID and the pair byte for byte.
        let again = try await Self.onboard(r, try Self.options())
        #expect(again.reusedIdentity && again.agentGUID == report.agentGUID)
        #expect(r.dir.read(String(w.key.dropFirst())) == key1 && r.dir.read(String(w.cert.dropFirst())) == cert1)
        #expect(again.syslogPort == report.syslogPort)

        // A wrong key: 403 with the service's reason, exit 5, every file exactly as before.
        let before = r.snapshot()
        let wrongKey = Base64.encode((0..<64).map { _ in UInt8.random(in: 0...255) })
        do {
            _ = try await Self.onboard(r, try Self.options(key: wrongKey))
            Issue.record("a wrong key was accepted")
        } catch let error as AgentError {
            #expect(error.code == .notRootOrForbidden)
            #expect(error.message.contains("InvalidWorkspaceKey"))
            #expect(error.hint?.contains("clock") == true)
            #expect(!error.message.contains(wrongKey) && !(error.hint ?? "").contains(wrongKey))
        }
        #expect(r.snapshot() == before)

        // A blank omsadmin.conf forces a new GUID and a new pair.
        try r.dir.write(String(w.omsadminConf.dropFirst()), "")
        let fresh = try await Self.onboard(r, try Self.options())
        #expect(!fresh.reusedIdentity && fresh.agentGUID != report.agentGUID)
        #expect(r.dir.read(String(w.cert.dropFirst())) != cert1)
    }

    @Test("a failed first onboarding leaves nothing behind; HTTP 500 → 6; unresolvable host → 7")
    func failures() async throws {
        let r = try OnboardingRoot()
        let before = r.snapshot()
        do {
            _ = try await Self.onboard(r, try Self.options(ws: Self.env("AGENT_TEST_WORKSPACE_ID_500"),
                                                           key: Self.env("AGENT_TEST_WORKSPACE_KEY_500")))
            Issue.record("HTTP 500 accepted")
        } catch let error as AgentError {
            #expect(error.code == .httpStatus && error.message.contains("500"))
        }
        #expect(r.snapshot() == before)
        do {
            _ = try await Self.onboard(r, try Self.options(endpoint: "https://no-such-host.invalid"))
            Issue.record("unresolvable host accepted")
        } catch let error as AgentError {
            #expect(error.code == .hostUnresolvable)
        }
        do {
            let proxy = try ProxyConfiguration.parse("http://no-such-proxy.invalid:3128")
            _ = try await Self.onboard(r, try Self.options(proxy: proxy))
            Issue.record("unresolvable proxy accepted")
        } catch let error as AgentError {
            #expect(error.code == .proxyOrFormatMismatch)
        }
        do {
            var o = try Self.options()
            o.caFile = nil  // the system store does not trust the test CA: verification must fail, not downgrade
            _ = try await Self.onboard(r, o)
            Issue.record("unverified server accepted")
        } catch let error as AgentError {
            #expect(error.code == .transport)
            #expect(error.hint?.contains("--cacert") == true)
        }
        #expect(r.snapshot() == before)
    }

    @Test("a 200 whose body is not XML: onboarded with both endpoint keys present and empty, and a warning")
    func unreadableResponse() async throws {
        let r = try OnboardingRoot()
        let ws = Self.env("AGENT_TEST_WORKSPACE_ID_BADXML")
        let report = try await Self.onboard(r, try Self.options(ws: ws, key: Self.env("AGENT_TEST_WORKSPACE_KEY_BADXML")))
        #expect(report.warnings.contains { $0.contains("not XML") && $0.contains("DSC registration is skipped") })
        let conf = try #require(r.dir.read(String(AgentPaths.Workspace(ws).omsadminConf.dropFirst())))
        #expect(conf.contains("\nCERTIFICATE_UPDATE_ENDPOINT=\n") && conf.contains("\nDSC_ENDPOINT=\n"))
        #expect(conf.split(separator: "\n").count == 10)
    }

    @Test("second workspace with a marker is secondary; list shows both")
    func secondary() async throws {
        let r = try OnboardingRoot()
        let first = try await Self.onboard(r, try Self.options())
        let links = r.snapshot(AgentPaths.etc + "/conf")
        let ws2 = Self.env("AGENT_TEST_WORKSPACE_ID2")
        let second = try await Self.onboard(r, try Self.options(ws: ws2, key: Self.env("AGENT_TEST_WORKSPACE_KEY2"),
                                                                marker: "mh-2"))
        #expect(!second.primary && second.agentGUID != first.agentGUID && second.syslogPort == 25225)
        #expect(r.snapshot(AgentPaths.etc + "/conf") == links)
        let list = await WorkspaceInventory.read(context: InstallContext(root: r.root)).text
        #expect(list == """
            Primary Workspace: \(Self.ws)    Status: Warning(OMSAgent Registered, Not Running)
            Workspace(mh-2): \(ws2)    Status: Warning(OMSAgent Registered, Not Running)

            """)
    }

    @Test("through squid with Basic auth: CONNECT tunnel, proxy.conf written; wrong password → 4",
          .enabled(if: TestEnvironment.value("AGENT_TEST_PROXY_ONBOARD_USER") != nil))
    func throughProxy() async throws {
        let r = try OnboardingRoot()
        let port = Self.env("AGENT_TEST_PROXY_PORT")
        let user = Self.env("AGENT_TEST_PROXY_ONBOARD_USER"), password = Self.env("AGENT_TEST_PROXY_ONBOARD_PASSWORD")
        let proxy = try ProxyConfiguration.parse("http://\(user):\(password)@127.0.0.1:\(port)/")
        let report = try await Self.onboard(r, try Self.options(proxy: proxy))
        #expect(report.primary)
        #expect(r.dir.read("etc/opt/microsoft/omsagent/proxy.conf") == "http://\(user):\(password)@127.0.0.1:\(port)")
        #expect(r.attributes(AgentPaths.proxyConf)?.mode == 0o600)
        let endpointPort = Self.env("AGENT_TEST_WORKSPACE_URL").split(separator: ":").last.map(String.init) ?? ""
        var logged = false
        for _ in 0..<50 where !logged {
            logged = FileIO.read(Self.env("AGENT_TEST_PROXY_ACCESS_LOG")).map { String(decoding: $0, as: UTF8.self) }?
                .split(separator: "\n").contains { $0.contains("CONNECT 127.0.0.1:\(endpointPort)") && $0.contains(user) } ?? false
            if !logged { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(logged, "squid logged the CONNECT tunnel")

        let bad = try ProxyConfiguration.parse("http://\(user):wrong@127.0.0.1:\(port)")
        let other = try OnboardingRoot()
        do {
            _ = try await Self.onboard(other, try Self.options(proxy: bad))
            Issue.record("wrong proxy password accepted")
        } catch let error as AgentError {
            #expect(error.code == .proxyOrFormatMismatch)
            #expect(!error.message.contains("wrong"))
        }
    }

    @Test("the CLI never prints the key; -s warns")
    func cliKeyNeverShown() async throws {
        let r = try OnboardingRoot()
        let args = [Repository.binary, "onboard", "-w", Self.ws, "--key-stdin", "--root", r.dir.path,
                    "--endpoint", Self.env("AGENT_TEST_WORKSPACE_URL"), "--cacert", Self.env("AGENT_TEST_CA")]
        let out = try await Oracle.run(args, input: Array(Self.key.utf8))
        #expect(out.status == 0, "\(out.standardError)")
        #expect(!out.standardOutput.contains(Self.key) && !out.standardError.contains(Self.key))
        let wrong = Base64.encode((0..<64).map { _ in UInt8.random(in: 0...255) })
        let bad = try await Oracle.run([Repository.binary, "onboard", "-w", Self.ws, "-s", wrong, "--root", r.dir.path,
                                        "--endpoint", Self.env("AGENT_TEST_WORKSPACE_URL"), "--cacert", Self.env("AGENT_TEST_CA")])
        #expect(bad.status == 5)
        #expect(bad.standardError.contains("visible to every local user"))
        #expect(bad.standardError.contains("InvalidWorkspaceKey"))
        #expect(!bad.standardOutput.contains(wrong) && !bad.standardError.contains(wrong))
        let list = try await Oracle.output([Repository.binary, "workspace", "list", "--root", r.dir.path])
        #expect(list.hasPrefix("Primary Workspace: \(Self.ws)    Status: "))
    }
}
