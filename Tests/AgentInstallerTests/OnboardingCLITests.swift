import AgentSupport
import Testing
import TestSupport

@testable import AgentInstaller

/// The built `agent-installer` binary on temporary roots (no network).
@Suite("onboard/proxy/workspace command line")
struct OnboardingCLITests {
    static let binary = Repository.binary
    static let ws = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

    @Test("proxy set --stdin / show (masked) / clear")
    func proxy() async throws {
        let r = try OnboardingRoot()
        let set = try await Oracle.run([Self.binary, "proxy", "set", "--stdin", "--root", r.dir.path],
                                       input: Array("http://user:Sup3r:secret@proxy.example:3128/\n".utf8))
        #expect(set.status == 0)
        #expect(!set.standardOutput.contains("Sup3r") && !set.standardError.contains("Sup3r"))
        #expect(r.dir.read("etc/opt/microsoft/omsagent/proxy.conf") == "http://user:Sup3r:secret@proxy.example:3128")
        let show = try await Oracle.output([Self.binary, "proxy", "show", "--root", r.dir.path])
        #expect(show == "http://user:****@proxy.example:3128\n")
        let refused = try await Oracle.run([Self.binary, "proxy", "set", "http://u:p@ss@[::1]:3128", "--root", r.dir.path])
        #expect(refused.status == 4 && !refused.standardError.contains("p@ss"))
        #expect(r.dir.read("etc/opt/microsoft/omsagent/proxy.conf") == "http://user:Sup3r:secret@proxy.example:3128")
        #expect(try await Oracle.run([Self.binary, "proxy", "clear", "--root", r.dir.path]).status == 0)
        #expect(!r.dir.exists("etc/opt/microsoft/omsagent/proxy.conf"))
    }

    @Test("onboard validates id (3), key (3), proxy (4), options (2) before writing anything")
    func validation() async throws {
        let r = try OnboardingRoot()
        let before = r.snapshot()
        let key = Base64.encode((0..<64).map { UInt8($0) })
        let cases: [([String], Int32, [UInt8]?)] = [
            // No input where the command stops before reading standard input (a write would raise SIGPIPE).
            (["-w", "not-a-guid", "--key-stdin"], 3, nil),
            (["--key-stdin"], 3, nil),
            (["-w", Self.ws], 3, nil),
            (["-w", Self.ws, "--key-stdin"], 3, Array("abc".utf8)),
            (["-w", Self.ws, "--key-stdin", "-p", "user:p@ss@proxy:80"], 4, Array(key.utf8)),
            (["-w", Self.ws, "--key-stdin", "-d", "not a domain"], 3, Array(key.utf8)),
            (["-w", Self.ws, "--key-stdin", "-a", "/subscriptions/x;reboot"], 2, Array(key.utf8)),
        ]
        for (args, code, input) in cases {
            let out = try await Oracle.run([Self.binary, "onboard", "--root", r.dir.path] + args, input: input)
            #expect(out.status == code, "\(args): \(out.standardError)")
            #expect(!out.standardError.contains(key))
        }
        #expect(r.snapshot() == before)
    }

    @Test("workspace list --format json and remove --all")
    func workspaceCommands() async throws {
        let r = try OnboardingRoot()
        _ = try WorkspaceLayoutTests.configure(r, Self.ws)
        let json = try await Oracle.output([Self.binary, "workspace", "list", "--format", "json", "--root", r.dir.path])
        let check = """
            import json, sys
            d = json.loads(sys.stdin.read())
            assert d == [{"workspace": sys.argv[1], "primary": True, "status": "registered",
                          "statusText": "Warning(OMSAgent Registered, Not Running)"}], d
            print("ok")
            """
        #expect(try await Oracle.output(["python3", "-c", check, Self.ws], input: Array(json.utf8)) == "ok\n")
        let removed = try await Oracle.output([Self.binary, "workspace", "remove", "--all", "--root", r.dir.path])
        #expect(removed.hasPrefix("removed workspace \(Self.ws)\n"))
        #expect(try await Oracle.output([Self.binary, "workspace", "list", "--root", r.dir.path]) == "No Workspace\n")
        let missing = try await Oracle.run([Self.binary, "workspace", "remove", Self.ws, "--root", r.dir.path])
        #expect(missing.status == 0 && missing.standardOutput.contains("is not onboarded"))
    }
}
