import AgentSupport
import Testing
import TestSupport

@testable import AgentInstaller

/// The "already onboarded" rule (contract §10.2, done better) against the stand-in service: a `service_control`
/// script in the root answers `is-running`; the service's request log shows whether a request was sent.
@Suite("Re-running onboarding: no-op, re-onboard on changed settings, --reonboard",
       .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil))
struct OnboardingRerunTests {
    typealias S = OnboardingServiceTests

    /// Installs an executable `OPT/bin/service_control` that logs its arguments to `log` and exits with `status`
    /// for `is-running` (1 = running), 0 otherwise.
    static func serviceControl(_ r: OnboardingRoot, running: Bool, log: String) throws {
        try r.dir.write("opt/microsoft/omsagent/bin/service_control", """
            #!/bin/sh
            echo "$*" >>'\(log)'
            [ "$1" = is-running ] && exit \(running ? 1 : 0)
            exit 0

            """, mode: 0o755)
    }

    /// How many requests carrying `guid` the service has logged.
    static func requests(for guid: String) async throws -> Int {
        let script = """
            import base64, json, sys
            n = 0
            for line in open(sys.argv[2]):
                if sys.argv[1].encode() in base64.b64decode(json.loads(line)["body"]):
                    n += 1
            print(n)
            """
        let out = try await Oracle.output(["python3", "-c", script, guid, S.env("AGENT_TEST_WORKSPACE_LOG")])
        return Int(out.trimmingWhitespace()) ?? -1
    }

    /// The count once it reaches `expected` (the service logs just after answering), or the last one seen.
    static func requests(for guid: String, reaching expected: Int) async throws -> Int {
        var n = try await requests(for: guid)
        for _ in 0..<30 where n < expected {
            try await Task.sleep(for: .milliseconds(100))
            n = try await requests(for: guid)
        }
        return n
    }

    @Test("unchanged and running: explicit no-op, no request, nothing written; --reonboard sends one with the same GUID")
    func noOpAndReonboard() async throws {
        let r = try OnboardingRoot()
        let logDir = TemporaryDirectory(prefix: "service-control-log")
        let log = logDir.path + "/calls"
        let first = try await S.onboard(r, try S.options())
        #expect(try await Self.requests(for: first.agentGUID, reaching: 1) == 1)
        #expect(first.dsc?.status == .skipped && first.partialExitCode == nil)  // a --root tree: DSC not run
        try Self.serviceControl(r, running: true, log: log)
        let before = r.snapshot()

        let again = try await S.onboard(r, try S.options())
        #expect(again.unchanged && again.agentGUID == first.agentGUID && again.filesChanged.isEmpty)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await Self.requests(for: first.agentGUID) == 1, "a request reached the service")
        #expect(r.snapshot() == before)
        #expect(logDir.read("calls") == "is-running \(S.ws)\n")

        var forced = try S.options()
        forced.reonboard = true
        let fresh = try await S.onboard(r, forced)
        #expect(!fresh.unchanged && fresh.reusedIdentity && fresh.agentGUID == first.agentGUID)
        #expect(try await Self.requests(for: first.agentGUID, reaching: 2) == 2)
        // service_control restarts the workspace (it registers the unit itself).
        #expect(fresh.hostCommands.last == "\(AgentPaths.serviceControl) restart \(S.ws)")
    }

    @Test("changed resource id while running: re-onboard with the same GUID; unchanged but not running: re-onboard")
    func changedSettings() async throws {
        let r = try OnboardingRoot()
        let logDir = TemporaryDirectory(prefix: "service-control-log")
        let first = try await S.onboard(r, try S.options())
        try Self.serviceControl(r, running: true, log: logDir.path + "/calls")

        let resource = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
        var o = try S.options()
        o.azureResourceID = resource
        let changed = try await S.onboard(r, o)
        #expect(!changed.unchanged && changed.agentGUID == first.agentGUID && changed.reusedIdentity)
        #expect(changed.changedSettings == ["Azure resource id"])
        #expect(try await Self.requests(for: first.agentGUID, reaching: 2) == 2)
        let conf = try #require(r.dir.read(String(AgentPaths.Workspace(S.ws).omsadminConf.dropFirst())))
        #expect(OmsAdminConf.parse(conf)?.azureResourceID == resource)

        // Same settings again (resource id included): a no-op.
        #expect(try await S.onboard(r, o).unchanged)
        // Dropping the resource id is a change too.
        let dropped = try await S.onboard(r, try S.options())
        #expect(dropped.changedSettings == ["Azure resource id"] && dropped.agentGUID == first.agentGUID)
        #expect(try await Self.requests(for: first.agentGUID, reaching: 3) == 3)

        // Unchanged but not running: onboard again (upstream does too).
        try Self.serviceControl(r, running: false, log: logDir.path + "/calls")
        let notRunning = try await S.onboard(r, try S.options())
        #expect(!notRunning.unchanged && notRunning.changedSettings.isEmpty && notRunning.agentGUID == first.agentGUID)
        #expect(try await Self.requests(for: first.agentGUID, reaching: 4) == 4)
    }

    @Test("changed proxy while running: re-onboard through squid with the same GUID, proxy.conf updated",
          .enabled(if: TestEnvironment.value("AGENT_TEST_PROXY_ONBOARD_USER") != nil))
    func changedProxy() async throws {
        let r = try OnboardingRoot()
        let logDir = TemporaryDirectory(prefix: "service-control-log")
        let first = try await S.onboard(r, try S.options())
        try Self.serviceControl(r, running: true, log: logDir.path + "/calls")
        let user = S.env("AGENT_TEST_PROXY_ONBOARD_USER"), password = S.env("AGENT_TEST_PROXY_ONBOARD_PASSWORD")
        let line = "http://\(user):\(password)@127.0.0.1:\(S.env("AGENT_TEST_PROXY_PORT"))"
        let proxied = try await S.onboard(r, try S.options(proxy: try ProxyConfiguration.parse(line)))
        #expect(!proxied.unchanged && proxied.agentGUID == first.agentGUID && proxied.changedSettings == ["proxy"])
        #expect(try await Self.requests(for: first.agentGUID, reaching: 2) == 2)
        #expect(r.dir.read("etc/opt/microsoft/omsagent/proxy.conf") == line)
        // The same proxy again: nothing to do.
        let same = try await S.onboard(r, try S.options(proxy: try ProxyConfiguration.parse(line + "/")))
        #expect(same.unchanged)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await Self.requests(for: first.agentGUID) == 2)
    }

    @Test("CLI: the no-op is one explicit line, exit 0; --reonboard is accepted by onboard")
    func cliNoOp() async throws {
        let r = try OnboardingRoot()
        let logDir = TemporaryDirectory(prefix: "service-control-log")
        let args = [OnboardingCLITests.binary, "onboard", "-w", S.ws, "--key-stdin", "--root", r.dir.path,
                    "--endpoint", S.env("AGENT_TEST_WORKSPACE_URL"), "--cacert", S.env("AGENT_TEST_CA")]
        let first = try await Oracle.run(args, input: Array(S.key.utf8))
        #expect(first.status == 0, "\(first.standardError)")
        try Self.serviceControl(r, running: true, log: logDir.path + "/calls")
        let noop = try await Oracle.run(args, input: Array(S.key.utf8))
        #expect(noop.status == 0)
        #expect(noop.standardOutput.contains("already onboarded, settings unchanged") && noop.standardOutput.contains("--reonboard"))
        let forced = try await Oracle.run(args + ["--reonboard"], input: Array(S.key.utf8))
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(forced.standardOutput.hasPrefix("Onboarded workspace \(S.ws)"))
    }

    @Test("CLI on a tree without systemd: the SysV registration is shown, not run; DSC reported as skipped")
    func cliSysV() async throws {
        let r = try OnboardingRoot()
        try FileIO.removeTree(r.path("/usr/lib/systemd"))
        try r.dir.write("etc/opt/microsoft/omsagent/sysconf/omsagent.ulinux", "#!/bin/sh\n# omsagent-%WORKSPACE_ID%\n")
        try r.dir.write("usr/sbin/update-rc.d", "#!/bin/sh\necho ran >\"$(dirname \"$0\")/ran\"\n", mode: 0o755)
        let out = try await Oracle.run([OnboardingCLITests.binary, "onboard", "-w", S.ws, "--key-stdin", "--root", r.dir.path,
                                        "--endpoint", S.env("AGENT_TEST_WORKSPACE_URL"), "--cacert", S.env("AGENT_TEST_CA")],
                                       input: Array(S.key.utf8))
        #expect(out.status == 0, "\(out.standardError)")
        let lines = out.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains("service: sysv /etc/init.d/omsagent-\(S.ws)"))
        #expect(lines.contains("on the live host, run: /usr/sbin/update-rc.d omsagent-\(S.ws) defaults"))
        #expect(lines.contains("on the live host, run: /etc/init.d/omsagent-\(S.ws) restart"))
        #expect(lines.contains { $0.hasPrefix("DSC registration skipped: not the live host") })
        #expect(!r.dir.exists("usr/sbin/ran"))
        #expect(r.attributes("/etc/init.d/omsagent-\(S.ws)")?.mode == 0o755)
    }
}
