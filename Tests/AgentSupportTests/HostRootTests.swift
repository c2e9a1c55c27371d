import AgentSupport
import Testing
import TestSupport

@Suite struct HostRootTests {
    @Test func absoluteSymlinkResolvesInsideTheRoot() throws {
        let dir = TemporaryDirectory()
        try dir.write("etc/alternatives/python3.11", "#!/bin/true\n", mode: 0o755)
        try dir.symlink("etc/alternatives/python", to: "/etc/alternatives/python3.11")
        try dir.symlink("usr/bin/python", to: "/etc/alternatives/python")
        let root = try HostRoot(dir.path)
        #expect(root.resolvedHostPath("/usr/bin/python") == "/etc/alternatives/python3.11")
        #expect(root.isExecutable("/usr/bin/python"))
        #expect(root.readText("/usr/bin/python") == "#!/bin/true\n")
    }

    @Test func dotDotNeverClimbsAboveTheRoot() throws {
        let dir = TemporaryDirectory()
        try dir.write("etc/passwd", "inside\n")
        try dir.symlink("escape", to: "../../../../etc/passwd")
        let root = try HostRoot(dir.path)
        #expect(root.readText("/escape") == "inside\n")
        #expect(root.readText("/../../etc/passwd") == "inside\n")
        #expect(root.lexical("/a/../../b") == root.path + "/b")
    }

    @Test func symlinkLoopIsNotFollowedForever() throws {
        let dir = TemporaryDirectory()
        try dir.symlink("a", to: "/b")
        try dir.symlink("b", to: "/a")
        let root = try HostRoot(dir.path)
        #expect(root.resolve("/a") == nil)
        #expect(!root.exists("/a"))
    }

    @Test func missingRootIsAUsageError() {
        #expect(throws: AgentError.self) { try HostRoot("/nonexistent/agent-installer-root") }
    }

    @Test func whichFindsExecutablesOnTheTreePathOnly() throws {
        let dir = TemporaryDirectory()
        try dir.write("usr/bin/curl", "x", mode: 0o755)
        try dir.write("usr/bin/notexec", "x", mode: 0o644)
        let root = try HostRoot(dir.path)
        #expect(root.which("curl") == "/usr/bin/curl")
        #expect(root.which("notexec") == nil)
    }
}
