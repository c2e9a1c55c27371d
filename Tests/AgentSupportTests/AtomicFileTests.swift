import AgentSupport
import Testing
import TestSupport

@Suite struct AtomicFileTests {
    @Test func finalModeIsSetRegardlessOfUmaskAndContentIsComplete() throws {
        let dir = TemporaryDirectory()
        let path = dir.url("proxy.conf")
        try AtomicFile.write(path, text: "old", mode: 0o644)
        try AtomicFile.write(path, text: "http://proxy:3128", mode: 0o600)
        #expect(dir.read("proxy.conf") == "http://proxy:3128")
        #expect(FileIO.attributes(path)?.mode == 0o600)
        // no temporary files left behind
        #expect(FileIO.list(dir.path) == ["proxy.conf"])
    }

    @Test func writingIntoAMissingDirectoryFailsWithAClearError() {
        let dir = TemporaryDirectory()
        #expect(throws: AgentError.self) { try AtomicFile.write(dir.url("missing/x"), text: "x", mode: 0o644) }
        #expect(FileIO.list(dir.path).isEmpty)
    }
}

@Suite struct UserDatabaseTests {
    @Test func parsesPasswdAndGroupUnderARoot() throws {
        let dir = TemporaryDirectory()
        try dir.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n# comment\nomsagent:x:998:997::/var/opt/microsoft/omsagent/run:/bin/bash\nbroken\n")
        try dir.write("etc/group", "root:x:0:\nomiusers:x:997:omsagent\nomi:x:996:omsagent,other\n")
        let db = UserDatabase(root: try HostRoot(dir.path))
        #expect(db.users.count == 2)
        let owner = try db.owner(user: "omsagent", group: "omiusers")
        #expect(owner.uid == 998 && owner.gid == 997)
        #expect(db.group(named: "omi")?.members == ["omsagent", "other"])
        #expect(throws: AgentError.self) { try db.owner(user: "nobody-here", group: "root") }
    }
}

@Suite struct SecretTests {
    @Test func textualFormsAreRedacted() {
        let s = Secret("c2VjcmV0LWtleQ==")
        #expect("\(s)" == "***")
        #expect(String(describing: s) == "***")
        #expect(String(reflecting: s) == "Secret(***)")
        #expect(s.reveal() == "c2VjcmV0LWtleQ==")
    }
}

@Suite struct ProcessRunnerTests {
    @Test func capturesOutputStatusAndUsesStdinForInput() async throws {
        let out = try await ProcessRunner().run(["/bin/sh", "-c", "cat; echo err >&2; exit 3"], input: Array("secret".utf8))
        #expect(out.status == 3)
        #expect(out.standardOutput == "secret")
        #expect(out.standardError == "err\n")
    }

    @Test func environmentIsControlled() async throws {
        let out = try await ProcessRunner(extraEnvironment: ["FOO": "bar"]).run(["/usr/bin/env"])
        let names = out.standardOutput.split(separator: "\n").map { $0.split(separator: "=").first.map(String.init) ?? "" }
        #expect(Set(names) == ["PATH", "LC_ALL", "LANG", "FOO"])
    }

    @Test func timeoutKillsTheChild() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let out = try await ProcessRunner().run(["/bin/sleep", "600"], timeout: .milliseconds(300))
        #expect(out.timedOut)
        #expect(out.status == 128 + 9)
        #expect(clock.now - start < .seconds(120))  // the child would sleep 600 s if it were not killed
    }

    @Test func aChildThatIgnoresItsInputDoesNotKillTheParent() async throws {
        // Writing stdin to a child that exited at once must give EPIPE, not SIGPIPE for the whole process.
        let out = try await ProcessRunner().run(["/bin/true"], input: [UInt8](repeating: 65, count: 1 << 20))
        #expect(out.status == 0)
        let large = try await ProcessRunner().run(["/bin/true"], input: [UInt8](repeating: 65, count: 3 << 20))
        #expect(large.status == 0)
    }

    @Test func inputLargerThanThePipeBufferIsDeliveredWhole() async throws {
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let out = try await ProcessRunner().run(["/usr/bin/sha256sum"], input: bytes)
        #expect(out.standardOutput.hasPrefix(SHA256.hexDigest(bytes)))
    }

    @Test func missingProgramIsAnError() async {
        await #expect(throws: AgentError.self) { try await ProcessRunner().run(["/nonexistent/program"]) }
    }
}
