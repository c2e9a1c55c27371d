import AgentSupport
import Testing
import TestSupport

@testable import AgentInstaller

/// The proxy's three command-line sources (`-p`, `--proxy-file`, `--proxy-stdin`) on the built binary: a file
/// readable by others is refused with 4 before anything changes, `-p` with a password warns once, and through
/// the authenticating squid the file and standard-input forms onboard (squid's own log is the oracle).
@Suite("proxy input: -p, --proxy-file, --proxy-stdin")
struct ProxyInputCLITests {
    static let binary = OnboardingCLITests.binary
    static let ws = OnboardingCLITests.ws
    static func env(_ n: String) -> String { TestEnvironment.value(n) ?? "" }
    static let warning = "a proxy password given with -p is visible to every local user"

    /// An onboarding root plus a 0600 key file with a well-formed key.
    func setup() throws -> (OnboardingRoot, String) {
        let r = try OnboardingRoot()
        try r.dir.write("key", Base64.encode((0..<64).map { UInt8($0) }), mode: 0o600)
        return (r, r.dir.url("key"))
    }

    @Test("a proxy file readable by group or others is refused with 4, one line naming chmod 600; nothing changes")
    func proxyFileModes() async throws {
        let (r, key) = try setup()
        for mode: UInt32 in [0o644, 0o640, 0o604] {
            try r.dir.write("proxy-\(mode)", "http://agent:Pr0xyPw@127.0.0.1:9\n", mode: mode)
        }
        try r.dir.write("empty", "", mode: 0o600)
        let before = r.snapshot()
        for mode: UInt32 in [0o644, 0o640, 0o604] {
            let out = try await Oracle.run([Self.binary, "onboard", "--root", r.dir.path, "-w", Self.ws, "--key-file", key,
                                            "--proxy-file", r.dir.url("proxy-\(mode)")], input: [])
            #expect(out.status == 4, "\(mode): \(out.standardError)")
            #expect(out.standardError.split(separator: "\n").count == 1, "\(out.standardError)")
            #expect(out.standardError.contains("chmod 600 \(r.dir.url("proxy-\(mode)"))"))
            #expect(!out.standardError.contains("Pr0xyPw"))
        }
        let missing = try await Oracle.run([Self.binary, "onboard", "--root", r.dir.path, "-w", Self.ws, "--key-file", key,
                                            "--proxy-file", r.dir.url("absent")], input: [])
        #expect(missing.status == 4)
        let empty = try await Oracle.run([Self.binary, "onboard", "--root", r.dir.path, "-w", Self.ws, "--key-file", key,
                                          "--proxy-file", r.dir.url("empty")], input: [])
        #expect(empty.status == 4 && empty.standardError.contains("empty"))
        #expect(r.snapshot() == before)
    }

    @Test("two proxy sources are a usage error (2); an empty --proxy-stdin is 4")
    func oneSource() async throws {
        let (r, key) = try setup()
        try r.dir.write("proxy", "proxy.example:3128", mode: 0o600)
        let both = try await Oracle.run([Self.binary, "onboard", "--root", r.dir.path, "-w", Self.ws, "--key-file", key,
                                         "-p", "proxy.example:3128", "--proxy-file", r.dir.url("proxy")], input: [])
        #expect(both.status == 2, "\(both.standardError)")
        let stdinOnly = try await Oracle.run([Self.binary, "onboard", "--root", r.dir.path, "-w", Self.ws, "--key-file", key,
                                              "--proxy-stdin"], input: [])
        #expect(stdinOnly.status == 4, "\(stdinOnly.standardError)")
        // --key-stdin and --proxy-stdin with only the key's line: the proxy (line 2) is missing.
        let keyLineOnly = try await Oracle.run([Self.binary, "onboard", "--root", r.dir.path, "-w", Self.ws, "--key-stdin",
                                                "--proxy-stdin"], input: Array((r.dir.read("key") ?? "").utf8) + [10])
        #expect(keyLineOnly.status == 4, "\(keyLineOnly.standardError)")
    }

    @Test("-p with a password warns exactly once (onboard, install, preflight, plan, bundle fetch); without one it does not")
    func argvWarning() async throws {
        let (r, key) = try setup()
        let withPassword = "http://agent:Pr0xyPw@proxy.example:3128"
        // Each command stops on a later, unrelated option error, so nothing is contacted.
        let commands: [[String]] = [
            ["onboard", "--root", r.dir.path, "-w", Self.ws, "--key-file", key, "--cacert", r.dir.url("no-ca")],
            ["install", "--bundle", r.dir.url("no-bundle"), "--root", r.dir.path, "-w", Self.ws, "--key-file", key,
             "--cacert", r.dir.url("no-ca")],
            ["preflight", "--root", r.dir.path, "--cacert", r.dir.url("no-ca")],
            ["plan", "--bundle", r.dir.url("no-bundle"), "--root", r.dir.path],
            ["bundle", "fetch", "https://127.0.0.1:9/b.sh", "-o", r.dir.url("b.sh"), "--stall-timeout", "0"],
        ]
        for command in commands {
            let warned = try await Oracle.run([Self.binary] + command + ["-p", withPassword], input: [])
            #expect(warned.status != 0, "\(command)")
            #expect(warned.standardError.components(separatedBy: Self.warning).count == 2, "\(command): \(warned.standardError)")
            #expect(!warned.standardError.contains("Pr0xyPw") && !warned.standardOutput.contains("Pr0xyPw"))
            let quiet = try await Oracle.run([Self.binary] + command + ["-p", "proxy.example:3128"], input: [])
            #expect(quiet.status == warned.status, "\(command)")
            #expect(!quiet.standardError.contains(Self.warning), "\(command)")
        }
    }

    @Test("through squid: --key-stdin + --proxy-stdin (key line 1, proxy line 2) and --proxy-file onboard; proxy.conf is the canonical line",
          .enabled(if: TestEnvironment.value("AGENT_TEST_PROXY_ONBOARD_USER") != nil
                   && TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil))
    func throughSquid() async throws {
        let user = Self.env("AGENT_TEST_PROXY_ONBOARD_USER"), password = Self.env("AGENT_TEST_PROXY_ONBOARD_PASSWORD")
        let port = Self.env("AGENT_TEST_PROXY_PORT")
        let ws = Self.env("AGENT_TEST_WORKSPACE_ID"), key = Self.env("AGENT_TEST_WORKSPACE_KEY")
        let proxy = "http://\(user):\(password)@127.0.0.1:\(port)"
        let service = ["--endpoint", Self.env("AGENT_TEST_WORKSPACE_URL"), "--cacert", Self.env("AGENT_TEST_CA")]

        let endpointPort = Self.env("AGENT_TEST_WORKSPACE_URL").split(separator: ":").last.map(String.init) ?? ""
        func tunnels() -> Int {
            FileIO.read(Self.env("AGENT_TEST_PROXY_ACCESS_LOG")).map { String(decoding: $0, as: UTF8.self) }?
                .split(separator: "\n").filter { $0.contains("/200 ") && $0.contains("CONNECT 127.0.0.1:\(endpointPort)")
                                                  && $0.contains(" \(user) ") }.count ?? 0
        }
        let tunnelsBefore = tunnels()

        let piped = try OnboardingRoot()
        let out = try await Oracle.run([Self.binary, "onboard", "--root", piped.dir.path, "-w", ws, "--key-stdin",
                                        "--proxy-stdin"] + service, input: Array("\(key)\n\(proxy)/\n".utf8))
        #expect(out.status == 0, "\(out.standardError)")
        #expect(piped.dir.read("etc/opt/microsoft/omsagent/proxy.conf") == proxy)
        #expect(piped.attributes(AgentPaths.proxyConf)?.mode == 0o600)
        #expect(!out.standardError.contains(Self.warning))

        let filed = try OnboardingRoot()
        try filed.dir.write("key", key, mode: 0o600)
        try filed.dir.write("proxy", proxy + "\nignored second line\n", mode: 0o600)
        let viaFile = try await Oracle.run([Self.binary, "onboard", "--root", filed.dir.path, "-w", ws, "--key-file",
                                            filed.dir.url("key"), "--proxy-file", filed.dir.url("proxy")] + service, input: [])
        #expect(viaFile.status == 0, "\(viaFile.standardError)")
        #expect(filed.dir.read("etc/opt/microsoft/omsagent/proxy.conf") == proxy)

        // The wrong password through the same file form is squid's 407 → 4, and nothing is written.
        let wrong = try OnboardingRoot()
        try wrong.dir.write("key", key, mode: 0o600)
        try wrong.dir.write("proxy", "http://\(user):wrong-\(password)@127.0.0.1:\(port)", mode: 0o600)
        let refused = try await Oracle.run([Self.binary, "onboard", "--root", wrong.dir.path, "-w", ws, "--key-file",
                                            wrong.dir.url("key"), "--proxy-file", wrong.dir.url("proxy")] + service, input: [])
        #expect(refused.status == 4, "\(refused.standardError)")
        #expect(!wrong.dir.exists("etc/opt/microsoft/omsagent/proxy.conf"))
        #expect(!refused.standardError.contains(password))

        var seen = 0
        for _ in 0..<50 where seen < 2 {
            seen = tunnels() - tunnelsBefore
            if seen < 2 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(seen >= 2, "squid logged the two authenticated CONNECT tunnels")
    }
}
