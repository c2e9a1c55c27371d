import AgentInstaller
import AgentSupport
import FoundationEssentials
import Testing
import TestSupport

/// `plan -w …`, `install --dry-run -w …` and `install -w …` share one value: the plan's onboarding steps are what
/// the install runs, a dry-run changes nothing and sends nothing, and the §10.2 no-op is decided in the plan.
@Suite("Onboarding in the install plan", .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil))
struct InstallOnboardingPlanTests {
    typealias ID = OnboardingPlan.StepID

    struct Result: Decodable {
        struct Report: Decodable { var unchanged: Bool; var agentGUID: String; var steps: [ID]; var hostCommands: [String] }
        var plan: InstallPlan
        var onboarding: Report?
    }

    static var ws: String { TestEnvironment.value("AGENT_TEST_WORKSPACE_ID") ?? "" }
    static var key: String { TestEnvironment.value("AGENT_TEST_WORKSPACE_KEY") ?? "" }
    static var onboardArgs: [String] {
        ["-w", ws, "--key-stdin", "--endpoint", TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") ?? "",
         "--cacert", TestEnvironment.value("AGENT_TEST_CA") ?? ""]
    }

    /// Every path under `root` with its type, mode, owner, link target and content hash (python3 as the oracle).
    static func snapshot(_ root: String) async throws -> String {
        let script = """
            import hashlib, os, sys
            root = sys.argv[1]
            for d, dirs, files in sorted(os.walk(root)):
                dirs.sort()
                for n in [d] + [os.path.join(d, f) for f in sorted(files)]:
                    st = os.lstat(n)
                    extra = os.readlink(n) if os.path.islink(n) else (
                        hashlib.sha256(open(n, 'rb').read()).hexdigest() if os.path.isfile(n) else '')
                    print(os.path.relpath(n, root), oct(st.st_mode), st.st_uid, st.st_gid, extra)
            """
        return try await Oracle.output(["python3", "-c", script, root])
    }

    func run(_ args: [String], root: String, bundle: String) async throws -> ProcessOutput {
        try await Oracle.run([BundleCLITests.binary] + args + ["--bundle", bundle, "--root", root], input: Array(Self.key.utf8))
    }

    @Test("plan -w lists the onboarding steps; --dry-run changes nothing; install runs exactly those steps; no-op planned")
    func planDryRunInstall() async throws {
        let t = try await InstallCLITests().tree()
        let before = try await Self.snapshot(t.root)
        let plan = try await run(["plan", "--format", "json"] + Self.onboardArgs, root: t.root, bundle: t.bundle)
        #expect(plan.status == 0, "\(plan.standardError)")
        #expect(!plan.standardOutput.contains(Self.key))
        let planned = try JSONDecoder().decode(InstallPlan.self, from: Data(plan.standardOutput.utf8))
        let onboarding = try #require(planned.onboarding)
        #expect(onboarding.decision == .request && onboarding.primary && onboarding.serviceControl)
        #expect(onboarding.stepIDs == [.validate, .identity, .topologyRequest, .writeFiles, .primaryLinks, .syslog, .service, .dsc])
        #expect(onboarding.url.hasPrefix(TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") ?? "-"))
        let files = onboarding.steps.first { $0.id == .writeFiles }?.files ?? []
        #expect(files.contains { $0.path == "/etc/opt/microsoft/omsagent/\(Self.ws)/certs" && $0.mode == "0700" && $0.owner == "omsagent:omiusers" })
        #expect(files.contains { $0.path.hasSuffix("/conf/omsadmin.conf") && $0.content.hasPrefix("from the response") })
        #expect(onboarding.steps.first { $0.id == .dsc }?.summary.hasPrefix("skipped") == true)  // a --root tree

        let dry = try await run(["install", "--dry-run"] + Self.onboardArgs, root: t.root, bundle: t.bundle)
        #expect(dry.status == 0, "\(dry.standardError)")
        #expect(dry.standardOutput.contains("Onboarding workspace \(Self.ws) (primary): request"))
        #expect(dry.standardOutput.contains("topology-request: POST "))
        #expect(try await Self.snapshot(t.root) == before, "the dry-run changed the tree")

        let install = try await run(["install", "--format", "json"] + Self.onboardArgs, root: t.root, bundle: t.bundle)
        #expect(install.status == 0, "\(install.standardError)")
        let result = try JSONDecoder().decode(Result.self, from: Data(install.standardOutput.utf8))
        let report = try #require(result.onboarding)
        #expect(report.steps == result.plan.onboarding?.stepIDs)
        #expect(result.plan.onboarding == onboarding)
        #expect(try await OnboardingRerunTests.requests(for: report.agentGUID, reaching: 1) == 1)

        // Onboarded: a --reonboard dry-run plans a request but sends none and writes nothing.
        let onboarded = try await Self.snapshot(t.root)
        let dryAgain = try await run(["install", "--dry-run", "--reonboard", "--format", "json"] + Self.onboardArgs,
                                     root: t.root, bundle: t.bundle)
        #expect(dryAgain.status == 0, "\(dryAgain.standardError)")
        let replanned = try JSONDecoder().decode(InstallPlan.self, from: Data(dryAgain.standardOutput.utf8))
        #expect(replanned.onboarding?.decision == .request && replanned.onboarding?.reason == "--reonboard")
        #expect(replanned.onboarding?.stepIDs.contains(.identity) == true)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await OnboardingRerunTests.requests(for: report.agentGUID) == 1, "a dry-run sent a request")
        #expect(try await Self.snapshot(t.root) == onboarded)

        // The fixture's service_control now says running: the plan decides "no request", and install runs that.
        try t.dir.write("root/var/lib/agent-fixture/omsagent-service_control.rc", "1\n")
        let noOp = try await run(["plan", "--format", "json"] + Self.onboardArgs, root: t.root, bundle: t.bundle)
        let noOpPlan = try JSONDecoder().decode(InstallPlan.self, from: Data(noOp.standardOutput.utf8))
        #expect(noOpPlan.onboarding?.decision == .noRequest && noOpPlan.onboarding?.stepIDs == [.validate, .noRequest])
        let rerun = try await run(["install", "--format", "json"] + Self.onboardArgs, root: t.root, bundle: t.bundle)
        #expect(rerun.status == 0, "\(rerun.standardError)")
        let rerunResult = try JSONDecoder().decode(Result.self, from: Data(rerun.standardOutput.utf8))
        #expect(rerunResult.onboarding?.unchanged == true && rerunResult.onboarding?.steps == [.validate, .noRequest])
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await OnboardingRerunTests.requests(for: report.agentGUID) == 1)
    }

    @Test("the proxy is masked in the plan, proxy.conf's change is shown as a diff, and the key is nowhere")
    func maskedProxy() async throws {
        let t = try await InstallCLITests().tree()
        let password = "Pl4nPw-\(UInt32.random(in: 1000...99999))"
        let input = Array("\(Self.key)\nhttp://planuser:\(password)@127.0.0.1:3128\n".utf8)
        let out = try await Oracle.run([BundleCLITests.binary, "plan", "--format", "json", "--proxy-stdin", "--bundle", t.bundle,
                                        "--root", t.root] + Self.onboardArgs, input: input)
        #expect(out.status == 0, "\(out.standardError)")
        #expect(!out.standardOutput.contains(password) && !out.standardError.contains(password))
        #expect(!out.standardOutput.contains(Self.key))
        let plan = try JSONDecoder().decode(InstallPlan.self, from: Data(out.standardOutput.utf8))
        let onboarding = try #require(plan.onboarding)
        #expect(onboarding.proxy == "http://planuser:****@127.0.0.1:3128")
        let proxyConf = onboarding.steps.first { $0.id == .proxyConf }?.files.first
        #expect(proxyConf?.mode == "0600" && proxyConf?.diff?.contains("+http://planuser:****@127.0.0.1:3128") == true)
        #expect(onboarding.stepIDs == [.validate, .identity, .topologyRequest, .writeFiles, .primaryLinks, .syslog, .service,
                                       .proxyConf, .dsc])
    }
}

/// The syslog daemon is restarted only when the wiring file changed (contract §10.11).
@Suite("Re-onboarding and the syslog restart", .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil))
struct OnboardingSyslogRestartTests {
    typealias S = OnboardingServiceTests

    @Test("first onboarding restarts rsyslog; a re-onboarding with the drop-in unchanged does not")
    func restartOnlyOnChange() async throws {
        let r = try OnboardingRoot()
        let planned = try await OnboardingPlan.make(try S.options(), context: InstallContext(root: r.root))
        let wiring = planned.steps.first { $0.id == .syslog }
        #expect(wiring?.commands == [["systemctl", "restart", "rsyslog"]])
        #expect(wiring?.files.first?.path == SyslogWiring.rsyslogDropIn)
        #expect(wiring?.files.first?.diff?.hasPrefix("--- /dev/null\n+++ b\(SyslogWiring.rsyslogDropIn)") == true)
        let first = try await S.onboard(r, try S.options())
        #expect(first.steps == planned.stepIDs && first.warnings.allSatisfy { !$0.contains("the plan listed") })
        #expect(wiring?.files.first?.diff?.contains("+kern.warning       @127.0.0.1:\(first.syslogPort)") == true)
        #expect(first.hostCommands.contains("systemctl restart rsyslog"))
        #expect(first.filesChanged.contains(SyslogWiring.rsyslogDropIn))
        let dropIn = r.dir.read("etc/rsyslog.d/95-omsagent.conf")
        var again = try S.options()
        again.reonboard = true
        let second = try await S.onboard(r, again)
        #expect(!second.unchanged && r.dir.read("etc/rsyslog.d/95-omsagent.conf") == dropIn)
        #expect(!second.filesChanged.contains(SyslogWiring.rsyslogDropIn))
        #expect(!second.hostCommands.contains { $0.contains("restart rsyslog") }, "\(second.hostCommands)")
        // The plan for that re-onboarding says so too.
        let plan = try await OnboardingPlan.make(again, context: InstallContext(root: r.root))
        let syslog = plan.steps.first { $0.id == .syslog }
        #expect(syslog?.commands.isEmpty == true && syslog?.summary.contains("unchanged") == true)
    }
}

/// `proxy set --file FILE`: the same owner-only rule as `--proxy-file`.
@Suite("proxy set --file")
struct ProxySetFileTests {
    @Test("an owner-only file sets proxy.conf (600); a group/other-readable one is refused with 4 and nothing changes")
    func setFromFile() async throws {
        let r = try OnboardingRoot()
        let binary = OnboardingCLITests.binary
        let conf = "etc/opt/microsoft/omsagent/proxy.conf"
        try r.dir.write("open", "http://agent:0penPw@127.0.0.1:3128\n", mode: 0o644)
        let refused = try await Oracle.run([binary, "proxy", "set", "--file", r.dir.url("open"), "--root", r.dir.path])
        #expect(refused.status == 4 && refused.standardError.contains("chmod 600 \(r.dir.url("open"))"))
        #expect(!refused.standardError.contains("0penPw") && !r.dir.exists(conf))
        try r.dir.write("private", "http://agent:Pr1vPw@127.0.0.1:3128\nignored second line\n", mode: 0o600)
        let set = try await Oracle.run([binary, "proxy", "set", "--file", r.dir.url("private"), "--root", r.dir.path])
        #expect(set.status == 0, "\(set.standardError)")
        #expect(!set.standardOutput.contains("Pr1vPw") && !set.standardError.contains("Pr1vPw"))
        #expect(r.dir.read(conf) == "http://agent:Pr1vPw@127.0.0.1:3128")
        let mode = try await Oracle.output(["stat", "-c", "%a", r.dir.url(conf)])
        #expect(mode == "600\n")
        let both = try await Oracle.run([binary, "proxy", "set", "--stdin", "--file", r.dir.url("private"), "--root", r.dir.path],
                                        input: Array("http://x:1\n".utf8))
        #expect(both.status == 2)
    }
}
