@testable import AgentSupport
import Testing
import TestSupport

/// `ProcessRunner` resolves a program named without a path itself (execvp's rule: the first regular, executable file
/// along PATH), so no spawn is wasted on the PATH entries before it. Oracle: bash's `command -v` on the same PATH.
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

    @Test("a name is resolved like execvp: entries without it, a non-executable file and a directory are passed over")
    func lookUpFollowsPath() async throws {
        let dir = TemporaryDirectory()
        try dir.mkdir("empty")
        try dir.write("plain/tool", "#!/bin/sh\necho plain\n", mode: 0o644)
        try dir.mkdir("dir/tool")
        try dir.write("first/tool", "#!/bin/sh\necho first \"$@\"\n", mode: 0o755)
        try dir.write("second/tool", "#!/bin/sh\necho second\n", mode: 0o755)
        let path = ["empty", "plain", "dir", "first", "second"].map { dir.url($0) }.joined(separator: ":")
        let oracle = try await Oracle.output(["env", "PATH=\(path)", "/bin/bash", "-c", "command -v tool"])
        #expect(ProcessRunner.lookUp("tool", path: path) == dir.url("first/tool"))
        #expect(oracle == dir.url("first/tool") + "\n")
        #expect(ProcessRunner.lookUp("tool", path: dir.url("empty") + ":" + dir.url("plain")) == nil)

        let out = try await ProcessRunner().run(["tool", "a b"], environment: ["PATH": path])
        #expect(out.succeeded && out.standardOutput == "first a b\n")
        // Not found anywhere: the spawn fails the way it always did (a clear error, no crash).
        await #expect(throws: AgentError.self) {
            _ = try await ProcessRunner().run(["tool"], environment: ["PATH": dir.url("empty")])
        }
    }
}
