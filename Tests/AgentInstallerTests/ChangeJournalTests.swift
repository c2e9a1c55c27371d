import AgentInstaller
import AgentSupport
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The backups a killed run's journal left behind (`<name>.agent-installer-backup-<pid>-<n>`) are settled by the next
/// journal that works in their directory: put back where the original is gone, deleted where it exists; backups of
/// live processes and other names are left alone.
@Suite struct ChangeJournalTests {
    @Test("a killed run's backups: restored where the original is gone, deleted where it exists, others untouched")
    func staleBackupsSettled() async throws {
        let dir = TemporaryDirectory()
        try dir.mkdir("root/etc/agent")
        let root = try HostRoot(dir.url("root"))
        // A process that has ended: the shell prints its own pid and exits.
        let dead = try await Oracle.output(["/bin/sh", "-c", "echo $$"]).split(separator: "\n").first.map(String.init) ?? ""
        #expect(Int32(dead) != nil && kill(Int32(dead)!, 0) != 0)
        let etc = "root/etc/agent/"
        try dir.write(etc + "rewritten.conf", "new\n")
        try dir.write(etc + "rewritten.conf.agent-installer-backup-\(dead)-17", "old\n")
        try dir.write(etc + "moved/inside", "kept\n")
        _ = try await Oracle.output(["mv", dir.url(etc + "moved"), dir.url(etc + "moved.agent-installer-backup-\(dead)-4")])
        try dir.write(etc + "live.conf.agent-installer-backup-\(getpid())-5", "in use\n")
        try dir.write(etc + "odd.agent-installer-backup-\(dead)-x", "not ours\n")

        let journal = ChangeJournal(root: root)
        try journal.write("/etc/agent/other.conf", Array("x\n".utf8), mode: 0o644, owner: nil)
        journal.commit()
        #expect(dir.read(etc + "rewritten.conf") == "new\n")
        #expect(!dir.exists(etc + "rewritten.conf.agent-installer-backup-\(dead)-17"))
        #expect(dir.read(etc + "moved/inside") == "kept\n" && !dir.exists(etc + "moved.agent-installer-backup-\(dead)-4"))
        #expect(dir.exists(etc + "live.conf.agent-installer-backup-\(getpid())-5"))
        #expect(dir.exists(etc + "odd.agent-installer-backup-\(dead)-x"))
        let left = try await Oracle.output(["ls", "-A", dir.url(etc)]).split(separator: "\n").map(String.init).sorted()
        #expect(left == ["live.conf.agent-installer-backup-\(getpid())-5", "moved", "odd.agent-installer-backup-\(dead)-x",
                         "other.conf", "rewritten.conf"])
    }
}
