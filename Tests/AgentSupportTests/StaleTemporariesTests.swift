import AgentSupport
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// What a run killed with SIGKILL leaves (found by scripts/test-faults): the next write of the same file and the next
/// working directory remove the leftovers of ended processes, never those of a live one.
@Suite struct StaleTemporariesTests {
    /// A process id that no process has (checked with kill(pid, 0)).
    static func endedPID() -> pid_t {
        var pid: pid_t = 4_194_000
        while kill(pid, 0) == 0 || errno != ESRCH { pid += 1 }
        return pid
    }

    @Test func atomicWriteRemovesTheTemporariesOfAnEndedWriterOnly() throws {
        let dir = TemporaryDirectory(prefix: "stale-temporaries")
        let ended = Self.endedPID()
        try dir.write(".omsadmin.conf.tmp-\(ended)-1a2b3c", "half")
        try dir.write(".omsadmin.conf.tmp-1-4d5e6f", "pid 1 lives")
        try dir.write(".proxy.conf.tmp-\(ended)-7a8b9c", "another file's")
        try AtomicFile.write(dir.url("omsadmin.conf"), text: "WORKSPACE_ID=x\n", mode: 0o644)
        #expect(dir.read("omsadmin.conf") == "WORKSPACE_ID=x\n")
        #expect(!dir.exists(".omsadmin.conf.tmp-\(ended)-1a2b3c"))
        #expect(dir.exists(".omsadmin.conf.tmp-1-4d5e6f"))
        #expect(dir.exists(".proxy.conf.tmp-\(ended)-7a8b9c"))
        #expect(FileIO.list(dir.path).filter { $0.contains(".tmp-\(getpid())-") }.isEmpty)
    }

    @Test func workingDirectoriesOfEndedRunsAreRemoved() throws {
        let dir = TemporaryDirectory(prefix: "stale-workdirs")
        let ended = Self.endedPID()
        try dir.write("agent-installer.\(ended).AbCdEf/bundle/100/omi.deb", "x")
        try dir.write("agent-installer.1.GhIjKl/keep", "pid 1 lives")
        try dir.write("agent-installer-onboard.\(ended).MnOpQr/oms.key", "key")
        let made = try StaleTemporaries.makeDirectory(prefix: "agent-installer", in: dir.path)
        #expect(made.hasPrefix(dir.path + "/agent-installer.\(getpid())."))
        #expect(FileIO.attributes(made)?.mode == 0o700)
        #expect(!dir.exists("agent-installer.\(ended).AbCdEf"))
        #expect(dir.exists("agent-installer.1.GhIjKl/keep"))
        #expect(dir.exists("agent-installer-onboard.\(ended).MnOpQr"), "another prefix is left to its own sweep")
        StaleTemporaries.removeEnded(in: dir.path, prefix: "agent-installer-onboard.", separator: ".", ownedBy: geteuid())
        #expect(!dir.exists("agent-installer-onboard.\(ended).MnOpQr"))
        #expect(dir.exists(String(made.dropFirst(dir.path.count + 1))))
    }
}
