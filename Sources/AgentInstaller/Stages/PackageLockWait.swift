import AgentSupport
import Preflight

#if canImport(Glibc)
import Glibc
#endif

/// Waits for the package manager's lock to be free (contract §6, improved): reports the holder (pid and command
/// line) every `reportEvery`, and gives up after `timeout` with 55.
public enum PackageLockWait {
    /// Returns once no lock file of `manager` under `root` is held.
    /// - Throws: `.dependencyUnusable` (55) naming the holder when the lock persists past `timeout`.
    public static func wait(root: HostRoot, manager: PackageManagerKind, timeout: Duration,
                            reportEvery: Duration = .seconds(5), report: @Sendable (String) -> Void) async throws(AgentError) {
        let clock = ContinuousClock()
        let start = clock.now
        var lastReport: ContinuousClock.Instant?
        while let holder = PackageLock.holder(in: root, files: manager.lockFiles) {
            let now = clock.now
            if lastReport == nil || now - lastReport! >= reportEvery {
                report("waiting for the \(manager.rawValue) lock: \(holder)")
                lastReport = now
            }
            if now - start >= timeout {
                throw AgentError(.dependencyUnusable,
                                 "the \(manager.rawValue) lock is still held after \(timeout): \(holder)",
                                 hint: "wait for that process to finish, or raise --lock-timeout")
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
