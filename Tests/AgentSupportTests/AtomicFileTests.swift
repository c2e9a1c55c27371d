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
