import AgentSupport
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite struct PackageLockTests {
    @Test func missingAndFreeLocksAreNotHeld() throws {
        let dir = TemporaryDirectory()
        let root = try HostRoot(dir.path)
        #expect(PackageLock.holder(in: root, files: PackageLock.dpkgFiles) == nil)
        try dir.write("var/lib/dpkg/lock-frontend", "")
        try dir.write("var/lib/dpkg/lock", "")
        #expect(PackageLock.holder(in: root, files: PackageLock.dpkgFiles) == nil)
    }

    @Test func aHeldRPMLockIsSeenToo() async throws {
        let dir = TemporaryDirectory()
        try dir.write("var/lib/rpm/.rpm.lock", "")
        let root = try HostRoot(dir.path)
        let script = "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f,fcntl.LOCK_EX)\ntime.sleep(20)\n"
        try dir.write("hold.py", script)
        let holder = Task { try await Oracle.run(["python3", dir.url("hold.py"), dir.url("var/lib/rpm/.rpm.lock")]) }
        defer { holder.cancel() }
        var found: PackageLock.Holder?
        for _ in 0..<100 {
            found = PackageLock.holder(in: root, files: PackageLock.rpmFiles)
            if found != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let h = try #require(found)
        #expect(h.file == "/var/lib/rpm/.rpm.lock")
        #expect(h.description.contains("pid \(h.pid ?? 0)"))
        if let pid = h.pid { kill(pid, SIGTERM) }
        // Once the holder is gone the lock is free again.
        var freed = false
        for _ in 0..<100 {
            if PackageLock.holder(in: root, files: PackageLock.rpmFiles) == nil { freed = true; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(freed)
    }

    @Test func aHeldDpkgLockNamesItsHolder() async throws {
        let dir = TemporaryDirectory()
        try dir.write("var/lib/dpkg/lock-frontend", "")
        try dir.write("var/lib/dpkg/lock", "")
        try dir.write("var/lib/dpkg/status", "")
        let root = try HostRoot(dir.path)
        // Another process takes the lock the way dpkg does (fcntl F_SETLK write lock on the whole file).
        let script = "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(20)\n"
        try dir.write("hold.py", script)
        let holder = Task { try await Oracle.run(["python3", dir.url("hold.py"), dir.url("var/lib/dpkg/lock")]) }
        defer { holder.cancel() }
        var found: PackageLock.Holder?
        for _ in 0..<100 {
            found = PackageLock.holder(in: root, files: PackageLock.dpkgFiles)
            if found != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let h = try #require(found)
        #expect(h.file == "/var/lib/dpkg/lock")
        let pid = try #require(h.pid)
        #expect(h.commandLine?.contains("hold.py") == true)
        // Oracle: real dpkg refuses to run against this database while the lock is held.
        let dpkg = try await Oracle.run(["dpkg", "--root=\(dir.path)", "--admindir=\(dir.url("var/lib/dpkg"))",
                                         "--log=\(dir.url("dpkg.log"))", "--configure", "-a"])
        #expect(!dpkg.succeeded)
        #expect(dpkg.standardError.contains("lock"))
        kill(pid, SIGTERM)
    }

    @Test("a holder's command line with control characters (its own argv text) stays one line, escaped")
    func holderDescriptionOneLine() {
        let h = PackageLock.Holder(file: "/var/lib/dpkg/lock", pid: 42, commandLine: "sh -c \"x\ny\"\t\u{7f}")
        #expect(h.description == "/var/lib/dpkg/lock is locked by pid 42 (sh -c \"x\\x0ay\"\\x09\\x7f)")
        #expect(!h.description.contains("\n"))
    }
}
