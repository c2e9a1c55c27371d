import AgentInstaller
import AgentSupport
import FoundationEssentials
import Testing
import TestSupport

/// `plan`, `install` and `uninstall` end to end: the built binary against a Debian 12 host tree with a real dpkg
/// database (pre-flight passes on it), the fixture bundle, and dpkg-query as the oracle.
@Suite struct InstallCLITests {
    struct Tree {
        let dir: TemporaryDirectory
        let root: String
        let bundle: String
    }

    func tree() async throws -> Tree {
        let dir = TemporaryDirectory(prefix: "agent-install-cli")
        let made = try await Oracle.run([Fixtures.directory + "/make-host-trees", dir.url("trees")])
        #expect(made.succeeded)
        _ = try await Oracle.run(["cp", "-a", dir.url("trees/debian-12"), dir.url("root")])
        for d in ["info", "updates", "triggers"] { try dir.mkdir("root/var/lib/dpkg/" + d) }
        try dir.mkdir("root/var/log")
        try dir.write("root/var/lib/dpkg/status", "")
        try dir.write("root/var/lib/dpkg/available", "")
        try dir.mkdir("src")
        return Tree(dir: dir, root: dir.url("root"), bundle: try await Fixtures.bundle(in: dir.url("src")))
    }

    func run(_ args: [String]) async throws -> ProcessOutput {
        try await Oracle.run([BundleCLITests.binary] + args)
    }

    struct Changed: Decodable { var changed: Bool }

    func changed(_ text: String) throws -> Bool {
        try JSONDecoder().decode(Changed.self, from: Data(text.utf8)).changed
    }

    @Test("plan changes nothing; install executes that plan; a re-run reports changed: false")
    func planInstallReRun() async throws {
        let t = try await tree()
        let statusBefore = t.dir.read("root/var/lib/dpkg/status")
        let plan = try await run(["plan", "--bundle", t.bundle, "--root", t.root, "--format", "json"])
        #expect(plan.status == 0, "\(plan.standardError)")
        let planned = try JSONDecoder().decode(InstallPlan.self, from: Data(plan.standardOutput.utf8))
        #expect(planned.steps.prefix(6).map(\.component) == ["disk", "omi", "omi-reload", "scx", "omsagent", "omsconfig"])
        #expect(planned.steps[1].action == .install)
        #expect(planned.steps[1].command.contains("--log=\(t.root)/var/log/dpkg.log") == true)
        #expect(planned.retryPath.count == 9 && planned.steps.last?.component == "auoms")
        let text = try await run(["install", "--dry-run", "--bundle", t.bundle, "--root", t.root])
        let lines = text.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("1.   [0]  disk") } && lines.contains { $0.contains("bytes required") })
        #expect(lines.contains("If OMI or SCX fails (stage 4, retry path; then on with stage 5):"))
        #expect(lines.contains { $0.hasPrefix("r9.  [4]  scx") && $0.contains("retry: SCX added again") })
        #expect(lines.contains { $0.contains("[11] auoms") })
        #expect(lines.contains { $0.contains("test: /bin/sh") && $0.hasSuffix("bundles/auoms-bundle-test.sh") })
        #expect(lines.contains { $0.contains("/opt/omi/bin/service_control restart") })
        #expect(t.dir.read("root/var/lib/dpkg/status") == statusBefore)
        #expect(!t.dir.exists("root/var/lib/agent-installer"))

        let install = try await run(["install", "--bundle", t.bundle, "--root", t.root, "--format", "json"])
        #expect(install.status == 0, "\(install.standardError)")
        #expect(try changed(install.standardOutput))
        let query = try await Oracle.output(["dpkg-query", "--admindir=\(t.root)/var/lib/dpkg", "-W", "-f=${Package} ${Version}\n"])
        #expect(query.split(separator: "\n").sorted() == ["omi 1.6.10.2", "omsagent 1.14.19-0", "omsconfig 1.1.1-932", "scx 1.6.10.1"])
        #expect(t.dir.exists("root/var/lib/agent-installer/receipt.json"))

        let again = try await run(["install", "--bundle", t.bundle, "--root", t.root, "--format", "json"])
        #expect(again.status == 0)
        #expect(try changed(again.standardOutput) == false)

        let fresh = try await run(["install", "--install", "--bundle", t.bundle, "--root", t.root])
        #expect(fresh.status == 23)
        let dry = try await run(["install", "--dry-run", "--bundle", t.bundle, "--root", t.root])
        #expect(dry.status == 0 && dry.standardOutput.contains("nothing to change"))
    }

    @Test("pre-flight blocks before any change; a held lock is waited for, its holder named, then 55")
    func preflightAndLock() async throws {
        let t = try await tree()
        try t.dir.write("root/etc/os-release", "ID=plan9\nVERSION_ID=4\n")
        let blocked = try await run(["install", "--bundle", t.bundle, "--root", t.root])
        #expect(blocked.status == 51, "\(blocked.standardError)")
        #expect(blocked.standardError.contains("preflight"))
        #expect(!t.dir.exists("root/var/log/agent-fixture"))

        let u = try await tree()
        let holder = try await BackgroundProgram.lockHolder(on: u.dir.url("root/var/lib/dpkg/lock"), in: u.dir)
        let locked = try await run(["install", "--bundle", u.bundle, "--root", u.root, "--lock-timeout", "1"])
        #expect(locked.status == 55, "\(locked.standardError)")
        #expect(locked.standardError.contains("waiting for the dpkg lock"))
        #expect(locked.standardError.contains("pid \(holder.pid) (/usr/bin/python3 \(u.dir.url("hold-lock.py"))"))
        #expect(!u.dir.exists("root/var/log/agent-fixture"))
        try BackgroundProgram.release(in: u.dir)
        _ = await holder.finished()
    }

    @Test("bad onboarding options stop install before any change (3)")
    func onboardingValidatedFirst() async throws {
        let t = try await tree()
        let out = try await run(["install", "--bundle", t.bundle, "--root", t.root, "-w", "not-a-guid", "--key-file", "/dev/null"])
        #expect(out.status == 3, "\(out.standardError)")
        #expect(!t.dir.exists("root/var/log/agent-fixture"))
        #expect(!t.dir.exists("root/var/lib/agent-installer"))
    }

    @Test("install with -w and a key onboards after the packages; --force does not re-onboard, --reonboard does", .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil))
    func installThenOnboard() async throws {
        let t = try await tree()
        let ws = TestEnvironment.value("AGENT_TEST_WORKSPACE_ID") ?? ""
        let key = TestEnvironment.value("AGENT_TEST_WORKSPACE_KEY") ?? ""
        let out = try await Oracle.run([BundleCLITests.binary, "install", "--bundle", t.bundle, "--root", t.root,
                                        "-w", ws, "--key-stdin", "--format", "json",
                                        "--endpoint", TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") ?? "",
                                        "--cacert", TestEnvironment.value("AGENT_TEST_CA") ?? ""], input: Array(key.utf8))
        #expect(out.status == 0, "\(out.standardError)")
        #expect(!out.standardOutput.contains(key) && !out.standardError.contains(key))
        #expect(out.standardOutput.contains("\"onboarding\""))
        #expect(t.dir.exists("root/etc/opt/microsoft/omsagent/\(ws)/conf/omsadmin.conf"))
        let log = t.dir.read("root/var/log/agent-fixture/maintainer.log") ?? ""
        #expect(log.contains("omsconfig postinst configure"))
        let first = try JSONDecoder().decode(Onboarded.self, from: Data(out.standardOutput.utf8)).onboarding

        // The agent now reports running (the fixture's service_control exits with the number in its .rc file):
        // `--force` is package-level only and leaves the unchanged onboarding alone; `--reonboard` sends a request.
        try t.dir.write("root/var/lib/agent-fixture/omsagent-service_control.rc", "1\n")
        let onboardArgs = ["-w", ws, "--key-stdin", "--format", "json",
                           "--endpoint", TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") ?? "",
                           "--cacert", TestEnvironment.value("AGENT_TEST_CA") ?? ""]
        let forced = try await Oracle.run([BundleCLITests.binary, "install", "--force", "--bundle", t.bundle,
                                           "--root", t.root] + onboardArgs, input: Array(key.utf8))
        #expect(forced.status == 0, "\(forced.standardError)")
        let noOp = try JSONDecoder().decode(Onboarded.self, from: Data(forced.standardOutput.utf8)).onboarding
        #expect(noOp?.unchanged == true && noOp?.agentGUID == first?.agentGUID)
        let again = try await Oracle.run([BundleCLITests.binary, "install", "--reonboard", "--bundle", t.bundle,
                                          "--root", t.root] + onboardArgs, input: Array(key.utf8))
        #expect(again.status == 0, "\(again.standardError)")
        let sent = try JSONDecoder().decode(Onboarded.self, from: Data(again.standardOutput.utf8)).onboarding
        #expect(sent?.unchanged == false && sent?.agentGUID == first?.agentGUID)
        let onboardForce = try await run(["onboard", "--force", "-w", ws, "--root", t.root])
        #expect(onboardForce.status == 2)  // `--force` is not an onboarding switch
    }

    struct Onboarded: Decodable {
        struct Report: Decodable { var unchanged: Bool; var agentGUID: String }
        var onboarding: Report?
    }

    @Test("uninstall removes in reverse order; a second run is harmless; purge leaves no agent trees")
    func uninstall() async throws {
        let t = try await tree()
        #expect(try await run(["install", "--bundle", t.bundle, "--root", t.root]).status == 0)
        let conf = "root/etc/opt/microsoft/omsagent/0a1b2c3d-0000-4000-8000-000000000001/conf/omsadmin.conf"
        try t.dir.write(conf, "WORKSPACE_ID=0a1b2c3d-0000-4000-8000-000000000001\n")
        let remove = try await run(["uninstall", "--root", t.root, "--format", "json"])
        #expect(remove.status == 0, "\(remove.standardError)")
        #expect(try changed(remove.standardOutput))
        #expect(t.dir.exists(conf))
        let again = try await run(["uninstall", "--root", t.root, "--format", "json"])
        #expect(again.status == 0)
        #expect(try changed(again.standardOutput) == false)
        let purge = try await run(["uninstall", "--purge", "--root", t.root])
        #expect(purge.status == 0)
        for gone in ["etc/opt/microsoft", "opt/microsoft", "var/opt/microsoft", "opt/omi", "etc/opt/omi"] {
            #expect(!t.dir.exists("root/" + gone), "\(gone)")
        }
        let query = try await Oracle.output(["dpkg-query", "--admindir=\(t.root)/var/lib/dpkg", "-W", "-f=${db:Status-Abbrev}${Package}\n"])
        #expect(!query.contains("ii"))
    }
}
