import AgentSupport
import Testing
import TestSupport

/// `install.sh` end to end under dash, in the release layout: a copy of the script next to a symlink to the built
/// agent-installer (no stand-in for the product). Every program started is recorded by `strace -f -e execve`
/// (the independent oracle for "the key never reaches a child's argv or environment"); dpkg-query checks the
/// packages.
@Suite struct InstallScriptTests {
    static let source: String = {
        var parts = Fixtures.directory.split(separator: "/").map(String.init)
        parts.removeLast()
        return "/" + parts.joined(separator: "/") + "/install.sh"
    }()

    struct Layout {
        let dir: TemporaryDirectory
        var script: String { dir.url("release/install.sh") }
        var root: String { dir.url("root") }
        var bundle: String { dir.url("src") }
    }

    /// The release layout plus a Debian 12 host tree with an empty dpkg database.
    func layout() async throws -> Layout {
        let dir = TemporaryDirectory(prefix: "agent-install-sh")
        try dir.mkdir("release")
        #expect(try await Oracle.run(["cp", Self.source, dir.url("release/install.sh")]).succeeded)
        #expect(try await Oracle.run(["ln", "-s", BundleCLITests.binary, dir.url("release/agent-installer")]).succeeded)
        #expect(try await Oracle.run([Fixtures.directory + "/make-host-trees", dir.url("trees")]).succeeded)
        #expect(try await Oracle.run(["cp", "-a", dir.url("trees/debian-12"), dir.url("root")]).succeeded)
        for d in ["info", "updates", "triggers"] { try dir.mkdir("root/var/lib/dpkg/" + d) }
        try dir.mkdir("root/var/log")
        try dir.write("root/var/lib/dpkg/status", "")
        try dir.write("root/var/lib/dpkg/available", "")
        return Layout(dir: dir)
    }

    func sh(_ l: Layout, _ args: [String], input: [UInt8]? = nil, environment: [String: String] = [:]) async throws -> ProcessOutput {
        try await Oracle.run(["dash", l.script] + args, input: input, environment: environment)
    }

    /// Runs install.sh under `strace -f`; returns its output and the execve lines of every process started.
    func traced(_ l: Layout, _ args: [String], environment: [String: String] = [:]) async throws -> (ProcessOutput, [String]) {
        let log = l.dir.url("execve.log")
        let out = try await Oracle.run(["strace", "-f", "-qq", "-v", "-s", "65536", "-e", "trace=execve", "-o", log,
                                        "dash", l.script] + args, input: [], environment: environment)
        let lines = (l.dir.read("execve.log") ?? "").split(separator: "\n").map(String.init).filter { $0.contains("execve(") }
        return (out, lines)
    }

    func installed(_ l: Layout) async throws -> [String] {
        try await Oracle.output(["dpkg-query", "--admindir=\(l.root)/var/lib/dpkg", "-W", "-f=${db:Status-Abbrev}${Package}\n"])
            .split(separator: "\n").map { String($0.filter { $0 != " " }) }.sorted()
    }

    @Test("shellcheck and dash -n accept install.sh")
    func lint() async throws {
        let check = try await Oracle.run(["shellcheck", "-s", "sh", Self.source])
        #expect(check.status == 0, "\(check.standardOutput)")
        #expect(try await Oracle.run(["dash", "-n", Self.source]).status == 0)
    }

    @Test("help exits 0; unknown options and missing values exit 2 with the usage")
    func usage() async throws {
        let l = try await layout()
        for flag in ["--help", "-h", "-?"] {
            let out = try await sh(l, [flag])
            #expect(out.status == 0)
            #expect(out.standardOutput.contains("usage: install.sh") && out.standardOutput.contains("--key-file"))
        }
        for args in [["--bogus"], ["-w"], ["--root"], ["-x", "1"]] {
            let out = try await sh(l, args)
            #expect(out.status == 2, "\(args)")
            #expect(out.standardError.contains("usage: install.sh"), "\(args)")
        }
        let noBundle = try await sh(l, ["--root", l.root])
        #expect(noBundle.status == 2 && noBundle.standardError.contains("--bundle"))
    }

    @Test("changing the live host without a terminal needs --yes (2, nothing run)")
    func liveNeedsYes() async throws {
        let l = try await layout()
        for args in [["--bundle", "/nonexistent.sh", "-w", "x"], ["--purge"]] {
            let (out, execs) = try await traced(l, args)
            #expect(out.status == 2, "\(args): \(out.standardError)")
            #expect(out.standardError.contains("--yes"))
            #expect(!execs.contains { $0.contains("agent-installer") }, "\(args)")
        }
    }

    @Test("on a terminal the live-host change is asked for; anything but y aborts with 2 before the binary runs")
    func liveAsksOnTerminal() async throws {
        let l = try await layout()
        for answer in ["n\n", "\n", "maybe\n"] {
            // script(1) gives install.sh a pseudo-terminal as standard input; strace records what was started.
            let log = l.dir.url("tty-execve.log")
            let out = try await Oracle.run(["script", "-qec", "strace -f -qq -e trace=execve -o \(log) dash \(l.script) --purge",
                                            "/dev/null"], input: Array(answer.utf8))
            #expect(out.status == 2, "\(answer): \(out.standardOutput)")
            #expect(out.standardOutput.contains("Continue? [y/N]") && out.standardOutput.contains("aborted"))
            let execs = (l.dir.read("tty-execve.log") ?? "").split(separator: "\n").filter { $0.contains("execve(") }
            #expect(!execs.isEmpty && !execs.contains { $0.contains("agent-installer") })
        }
    }

    @Test("--dry-run runs preflight on the tree and passes its exit status through")
    func dryRun() async throws {
        let l = try await layout()
        let direct = try await Oracle.run([BundleCLITests.binary, "preflight", "--root", l.root])
        let (out, execs) = try await traced(l, ["--dry-run", "--root", l.root])
        #expect(out.status == direct.status)
        #expect(out.standardOutput.contains("verdict"))
        #expect(execs.contains { $0.contains("\"preflight\", \"--root\", \"\(l.root)\"") })

        try l.dir.write("root/etc/os-release", "ID=plan9\nVERSION_ID=4\n")
        let blockedDirect = try await Oracle.run([BundleCLITests.binary, "preflight", "--root", l.root])
        let blocked = try await sh(l, ["--dry-run", "--root", l.root])
        #expect(blockedDirect.status != 0)
        #expect(blocked.status == blockedDirect.status)
        #expect(try await installed(l).isEmpty)
    }

    func onboardingArgs(_ l: Layout) -> (ws: String, key: String, extra: [String]) {
        (TestEnvironment.value("AGENT_TEST_WORKSPACE_ID") ?? "", TestEnvironment.value("AGENT_TEST_WORKSPACE_KEY") ?? "",
         ["--endpoint", TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") ?? "",
          "--cacert", TestEnvironment.value("AGENT_TEST_CA") ?? ""])
    }

    /// The authenticating squid's proxy for onboarding (`AGENT_TEST_PROXY_ONBOARD_*`) and its password.
    func onboardProxy() -> (url: String, password: String) {
        let user = TestEnvironment.value("AGENT_TEST_PROXY_ONBOARD_USER") ?? ""
        let password = TestEnvironment.value("AGENT_TEST_PROXY_ONBOARD_PASSWORD") ?? ""
        return ("http://\(user):\(password)@127.0.0.1:\(TestEnvironment.value("AGENT_TEST_PROXY_PORT") ?? "0")", password)
    }

    /// The forms of a proxy password a leak could take: verbatim and percent-encoded (RFC 3986 unreserved kept).
    static func forms(of password: String) -> [String] {
        let encoded = password.utf8.map { b -> String in
            let c = Character(Unicode.Scalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) { return String(c) }
            return "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
        }.joined()
        return [password, encoded, encoded.lowercased()]
    }

    @Test("--key-file and --proxy-file install, onboard through squid (key and proxy password on no argv or environment), then --purge --root uninstalls",
          .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil
                   && TestEnvironment.value("AGENT_TEST_PROXY_ONBOARD_USER") != nil))
    func keyFileInstallThenPurge() async throws {
        let l = try await layout()
        try l.dir.mkdir("src")
        let bundle = try await Fixtures.bundle(in: l.bundle)
        let (ws, key, extra) = onboardingArgs(l)
        let (proxy, password) = onboardProxy()
        try l.dir.write("key", key, mode: 0o600)
        try l.dir.write("proxy", proxy + "\n", mode: 0o600)
        let (out, execs) = try await traced(l, ["--bundle", bundle, "--root", l.root, "-w", ws, "--key-file", l.dir.url("key"),
                                                "--proxy-file", l.dir.url("proxy")] + extra)
        #expect(out.status == 0, "\(out.standardError)")
        #expect(!execs.isEmpty && !execs.contains { $0.contains(key) })
        for form in Self.forms(of: password) {
            #expect(!execs.contains { $0.contains(form) }, "\(form)")
            #expect(!out.standardOutput.contains(form) && !out.standardError.contains(form))
        }
        #expect(execs.contains { $0.contains("\"--proxy-file\", \"\(l.dir.url("proxy"))\"") })
        #expect(l.dir.read("root/etc/opt/microsoft/omsagent/proxy.conf") == proxy)
        #expect(execs.contains { $0.contains("\"install\", \"--upgrade\", \"--bundle\"") })
        #expect(execs.contains { $0.contains("bin/dpkg\", \"--root\", \"\(l.root)\"") })
        #expect(!out.standardOutput.contains(key) && !out.standardError.contains(key))
        #expect(try await installed(l) == ["iiomi", "iiomsagent", "iiomsconfig", "iiscx"])
        #expect(l.dir.exists("root/etc/opt/microsoft/omsagent/\(ws)/conf/omsadmin.conf"))

        // --purge replaces the whole list and stops parsing: the options around it are ignored, --root is kept.
        let purge = try await sh(l, ["-w", "not-a-guid", "--purge", "--root", l.root, "--bogus"])
        #expect(purge.status == 0, "\(purge.standardError)")
        #expect(try await installed(l).allSatisfy { !$0.hasPrefix("ii") })
        for gone in ["etc/opt/microsoft", "opt/microsoft", "var/opt/microsoft"] {
            #expect(!l.dir.exists("root/" + gone), "\(gone)")
        }
    }

    @Test("-s and -p hand key and proxy over one pipe (key line 1, proxy line 2): only install.sh's own argv holds them; a bad key's status is the binary's",
          .enabled(if: TestEnvironment.value("AGENT_TEST_WORKSPACE_URL") != nil
                   && TestEnvironment.value("AGENT_TEST_PROXY_ONBOARD_USER") != nil))
    func sharedKeyViaStdin() async throws {
        let l = try await layout()
        try l.dir.mkdir("src")
        let bundle = try await Fixtures.bundle(in: l.bundle)
        let (ws, key, extra) = onboardingArgs(l)
        let (proxy, password) = onboardProxy()
        let (out, execs) = try await traced(l, ["--bundle", bundle, "--root", l.root, "-w", ws, "-s", key, "-p", proxy] + extra)
        #expect(out.status == 0, "\(out.standardError)")
        #expect(out.standardError.contains("visible to every local user"))
        let holding = execs.filter { $0.contains(key) }
        #expect(holding.count == 1 && holding.first?.contains("install.sh") == true, "\(holding)")
        for form in Self.forms(of: password) {
            let holdingPassword = execs.filter { $0.contains(form) }
            #expect(holdingPassword.allSatisfy { $0.contains(l.script) }, "\(holdingPassword)")
            #expect(holdingPassword.count <= 1)
        }
        #expect(!out.standardError.contains(password) && !out.standardOutput.contains(password))
        #expect(execs.contains { $0.contains("\"--key-stdin\"") && $0.contains("\"--proxy-stdin\"") })
        #expect(l.dir.read("root/etc/opt/microsoft/omsagent/proxy.conf") == proxy)
        #expect(l.dir.exists("root/etc/opt/microsoft/omsagent/\(ws)/conf/omsadmin.conf"))

        let m = try await layout()
        let bad = try await sh(m, ["--bundle", bundle, "--root", m.root, "-w", ws, "-s", "not base64!"] + extra)
        let badDirect = try await Oracle.run([BundleCLITests.binary, "install", "--bundle", bundle, "--root", m.root,
                                              "-w", ws, "--key-stdin"] + extra, input: Array("not base64!".utf8))
        #expect(bad.status != 0 && bad.status == badDirect.status, "\(bad.standardError)")
    }

    @Test("a bundle URL goes straight to install: fetched (also through a proxy with credentials) into a private directory, verified, installed, the directory removed",
          .enabled(if: TestEnvironment.value("AGENT_TEST_WWW") != nil))
    func bundleURL() async throws {
        let l = try await layout()
        let www = TestEnvironment.value("AGENT_TEST_WWW") ?? ""
        let unique = "install-sh-\(UInt64.random(in: 0...UInt64.max))"
        let path = try await Fixtures.bundle(in: www + "/" + unique)
        let name = String(path.split(separator: "/").last!)
        let url = "https://127.0.0.1:\(TestEnvironment.value("AGENT_TEST_HTTPS_PORT") ?? "0")/\(unique)/\(name)"
        try l.dir.mkdir("tmp")
        let (out, execs) = try await traced(l, ["--bundle", url, "--root", l.root, "--cacert", TestEnvironment.value("AGENT_TEST_CA") ?? ""],
                                            environment: ["TMPDIR": l.dir.url("tmp")])
        #expect(out.status == 0, "\(out.standardError)")
        #expect(execs.contains { $0.contains("\"install\", \"--upgrade\", \"--bundle\", \"\(url)\"") })
        #expect(!execs.contains { $0.contains("\"bundle\", \"fetch\"") })  // the URL goes straight to install
        #expect(try await installed(l) == ["iiomi", "iiomsagent", "iiomsconfig", "iiscx"])
        #expect(try await Oracle.output(["ls", "-A", l.dir.url("tmp")]).isEmpty)

        // Through squid: a wrong password is refused (407 → 4) before anything is installed; the right one works.
        let n = try await layout()
        let port = TestEnvironment.value("AGENT_TEST_PROXY_PORT") ?? "0"
        let user = TestEnvironment.value("AGENT_TEST_PROXY_USER") ?? ""
        let password = TestEnvironment.value("AGENT_TEST_PROXY_PASSWORD") ?? ""
        let ca = TestEnvironment.value("AGENT_TEST_CA") ?? ""
        let refused = try await sh(n, ["--bundle", url, "--root", n.root, "--cacert", ca, "-p", "http://\(user):wrong@127.0.0.1:\(port)"])
        #expect(refused.status == 4, "\(refused.standardError)")
        #expect(try await installed(n).isEmpty)
        let (viaProxy, proxyExecs) = try await traced(n, ["--bundle", url, "--root", n.root, "--cacert", ca,
                                                     "-p", "http://\(user):\(password)@127.0.0.1:\(port)"])
        #expect(viaProxy.status == 0, "\(viaProxy.standardError)")
        // The password is on install.sh's own command line only (it warns); the binary read it from the pipe.
        #expect(viaProxy.standardError.contains("a proxy password given with -p is visible to every local user"))
        #expect(!viaProxy.standardError.contains(password) && !viaProxy.standardOutput.contains(password))
        for form in Self.forms(of: password) {
            let holding = proxyExecs.filter { $0.contains(form) }
            #expect(holding.count <= 1 && holding.allSatisfy { $0.contains(n.script) }, "\(form): \(holding)")
        }
        #expect(proxyExecs.filter { $0.contains(password) }.count == 1)
        #expect(proxyExecs.contains { $0.contains("\"install\", \"--upgrade\", \"--bundle\", \"\(url)\"") && $0.contains("\"--proxy-stdin\"") })
        #expect(try await installed(n) == ["iiomi", "iiomsagent", "iiomsconfig", "iiscx"])

        try await Oracle.run(["sh", "-c", "printf '%064d  \(name)\\n' 0 > \"$1\"", "sh", path + ".sha256sums"])
        let m = try await layout()
        let bad = try await sh(m, ["--bundle", url, "--root", m.root, "--cacert", TestEnvironment.value("AGENT_TEST_CA") ?? ""])
        #expect(bad.status == 80, "\(bad.standardError)")
        #expect(try await installed(m).isEmpty)
    }
}

