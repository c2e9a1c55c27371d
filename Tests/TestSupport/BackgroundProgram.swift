import AgentSupport

#if canImport(Glibc)
import Glibc
#endif

/// A helper program run in the background for a test (a lock holder, a stand-in IMDS): started through `Oracle`,
/// ready once it has written its pid to `readyFile`, stopped by pid.
public final class BackgroundProgram: @unchecked Sendable {
    public let task: Task<ProcessOutput?, Never>
    public let pid: Int32

    /// Starts `argv` and waits (up to 20 s) until `readyFile` holds a pid.
    public init(_ argv: [String], readyFile: String) async throws {
        task = Task { try? await Oracle.run(argv) }
        var found: Int32?
        for _ in 0..<400 {
            if let text = FileIO.read(readyFile).map({ String(decoding: $0, as: UTF8.self) }),
               let pid = Int32(text.split(separator: "\n").first ?? "") { found = pid; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let found else {
            task.cancel()
            throw AgentError(.internalError, "\(argv.joined(separator: " ")) did not get ready")
        }
        pid = found
    }

    /// Ends the program (SIGKILL: the runner's children may not take SIGTERM) and waits for it.
    public func stop() async {
        kill(pid, SIGKILL)
        _ = await task.value
    }

    /// Waits for the program to end by itself.
    public func finished() async -> ProcessOutput? { await task.value }

    /// The script of `lockHolder`: takes a POSIX write lock on the whole file the way dpkg and rpm do (`fcntl`
    /// F_SETLKW), writes its pid to the ready file, then holds the lock until the release file appears or the time
    /// is up.
    static let holdLockScript = """
        import fcntl, os, sys, time
        f = open(sys.argv[1], "a+")
        fcntl.lockf(f, fcntl.LOCK_EX)
        with open(sys.argv[2] + ".tmp", "w") as r: r.write(str(os.getpid()))
        os.rename(sys.argv[2] + ".tmp", sys.argv[2])
        end = time.time() + float(sys.argv[3])
        while time.time() < end and not os.path.exists(sys.argv[4]): time.sleep(0.05)
        """

    /// A python3 process holding a write lock on `lockFile` (created if missing) until `release(in:)` is called on
    /// `directory` or `seconds` pass; ready once it holds the lock. Its command line names `<directory>/hold-lock.py`.
    /// A holder released by the test, not by a timer, cannot outlast nor be outlasted by a slow test run.
    public static func lockHolder(on lockFile: String, in directory: TemporaryDirectory,
                                  seconds: Int = 120) async throws -> BackgroundProgram {
        try? FileIO.remove(directory.url("hold-lock.pid"))
        try? FileIO.remove(directory.url("hold-lock.release"))
        try directory.write("hold-lock.py", holdLockScript + "\n")
        return try await BackgroundProgram(["python3", directory.url("hold-lock.py"), lockFile, directory.url("hold-lock.pid"),
                                            String(seconds), directory.url("hold-lock.release")],
                                           readyFile: directory.url("hold-lock.pid"))
    }

    /// Tells the holder started by `lockHolder(on:in:)` in `directory` to let go.
    public static func release(in directory: TemporaryDirectory) throws {
        try directory.write("hold-lock.release", "")
    }
}
