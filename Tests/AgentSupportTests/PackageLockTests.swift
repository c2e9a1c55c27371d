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
        let holder = try await BackgroundProgram.lockHolder(on: dir.url("var/lib/rpm/.rpm.lock"), in: dir)
        let found = PackageLock.holder(in: root, files: PackageLock.rpmFiles)
        let h = try #require(found)
        #expect(h.file == "/var/lib/rpm/.rpm.lock")
        #expect(h.pid == holder.pid && h.description.contains("pid \(holder.pid)"))
        try BackgroundProgram.release(in: dir)
        _ = await holder.finished()
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
        let holder = try await BackgroundProgram.lockHolder(on: dir.url("var/lib/dpkg/lock"), in: dir)
        let found = PackageLock.holder(in: root, files: PackageLock.dpkgFiles)
        let h = try #require(found)
        #expect(h.file == "/var/lib/dpkg/lock")
        #expect(h.pid == holder.pid)
        #expect(h.commandLine == "/usr/bin/python3 \(dir.url("hold-lock.py")) \(dir.url("var/lib/dpkg/lock")) \(dir.url("hold-lock.pid")) 120 "
                + dir.url("hold-lock.release"))
        // Oracle: real dpkg refuses to run against this database while the lock is held.
        let dpkg = try await Oracle.run(["dpkg", "--root=\(dir.path)", "--admindir=\(dir.url("var/lib/dpkg"))",
                                         "--log=\(dir.url("dpkg.log"))", "--configure", "-a"])
        #expect(!dpkg.succeeded)
        #expect(dpkg.standardError.contains("lock"))
        await holder.stop()
    }

    @Test("a holder's command line with control characters (its own argv text) stays one line, escaped")
    func holderDescriptionOneLine() {
        let h = PackageLock.Holder(file: "/var/lib/dpkg/lock", pid: 42, commandLine: "sh -c \"x\ny\"\t\u{7f}")
        #expect(h.description == "/var/lib/dpkg/lock is locked by pid 42 (sh -c \"x\\x0ay\"\\x09\\x7f)")
        #expect(!h.description.contains("\n"))
    }
}
