import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writing to a child's standard input after it exited must fail with EPIPE, not kill this process.
private let ignoreBrokenPipe: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

/// What a finished child process produced.
public struct ProcessOutput: Sendable, Equatable {
    /// The argv that ran (never contains a secret: secrets go through `input`).
    public var arguments: [String]
    /// Exit status, or 128 + signal number when killed by a signal.
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
    /// True when the run was stopped because its timeout elapsed.
    public var timedOut: Bool

    public var succeeded: Bool { status == 0 && !timedOut }
}

/// Runs programs with an argv array (never a shell string), a controlled environment, captured output and a timeout.
///
/// Built on swift-subprocess. Secrets must be passed on standard input (`input`), never in `arguments` or
/// `environment`.
public struct ProcessRunner: Sendable {
    /// The environment children get: a minimal, predictable one (locale C, a fixed PATH) plus `extraEnvironment`.
    public var baseEnvironment: [String: String]

    public init(extraEnvironment: [String: String] = [:]) {
        var env = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "LANG": "C"]
        for (k, v) in extraEnvironment { env[k] = v }
        baseEnvironment = env
    }

    /// Runs `arguments[0]` (a path, or a name looked up on the base PATH) with the rest as its arguments.
    ///
    /// - Parameters:
    ///   - input: bytes written to the child's standard input (the channel for secrets).
    ///   - environment: variables added to (or overriding) the base environment.
    ///   - timeout: the child is killed (SIGTERM, then SIGKILL after 2 s) when it runs longer.
    ///   - outputLimit: bytes kept from each of stdout and stderr.
    /// - Throws: `AgentError` (exit code `.systemProblem`) when the program cannot be started.
    public func run(
        _ arguments: [String],
        input: [UInt8]? = nil,
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        timeout: Duration = .seconds(600),
        outputLimit: Int = 4 << 20
    ) async throws(AgentError) -> ProcessOutput {
        _ = ignoreBrokenPipe
        guard let program = arguments.first, !program.isEmpty else {
            throw AgentError(.internalError, "no program given to run")
        }
        var env: [Environment.Key: String] = [:]
        for (k, v) in baseEnvironment { env[Environment.Key(stringLiteral: k)] = v }
        for (k, v) in environment { env[Environment.Key(stringLiteral: k)] = v }
        let executable: Executable = program.contains("/") ? .path(FilePath(program))
            : Self.lookUp(program, path: environment["PATH"] ?? baseEnvironment["PATH"] ?? "").map { .path(FilePath($0)) } ?? .name(program)
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
        let config = Configuration(
            executable: executable,
            arguments: Arguments(Array(arguments.dropFirst())),
            environment: .custom(env),
            workingDirectory: workingDirectory.map { FilePath($0) },
            platformOptions: options
        )
        let stdinRead = try Self.inputPipe(input ?? [])
        do {
            return try await withThrowingTaskGroup(of: ProcessOutput?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        config,
                        input: .fileDescriptor(FileDescriptor(rawValue: stdinRead), closeAfterSpawningProcess: true),
                        output: .string(limit: outputLimit),
                        error: .string(limit: outputLimit)
                    )
                    let status: Int32
                    switch result.terminationStatus {
                    case .exited(let code): status = Int32(code)
                    case .signaled(let sig): status = 128 + Int32(sig)
                    }
                    return ProcessOutput(
                        arguments: arguments, status: status,
                        standardOutput: result.standardOutput,
                        standardError: result.standardError, timedOut: false)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                if let output = first { return output }
                return ProcessOutput(arguments: arguments, status: 128 + 9, standardOutput: "", standardError: "",
                                     timedOut: true)
            }
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.systemProblem, "cannot run \(program): \(error)")
        }
    }

    /// The first regular executable file named `name` in the `:`-separated `path` (execvp's rule), nil when none.
    /// Resolving here spares a failed spawn for every earlier PATH entry (swift-subprocess tries each in turn).
    static func lookUp(_ name: String, path: String) -> String? {
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            var st = stat()
            if stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// A pipe whose read end becomes the child's standard input, fed with `bytes` by us (not by swift-subprocess,
    /// whose writer asserts when the child exits without reading). Small inputs are written before the child
    /// starts; larger ones on a dedicated thread that stops quietly on EPIPE.
    private static func inputPipe(_ bytes: [UInt8]) throws(AgentError) -> Int32 {
        let pair: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
        do {
            pair = try FileDescriptor.pipe(options: .closeOnExec)
        } catch {
            throw AgentError(.systemProblem, "cannot create a pipe: \(error)")
        }
        let (readEnd, writeEnd) = (pair.readEnd.rawValue, pair.writeEnd.rawValue)
        // Linux F_SETPIPE_SZ / F_GETPIPE_SZ (not exported without _GNU_SOURCE).
        let setPipeSize: Int32 = 1031, getPipeSize: Int32 = 1032
        if bytes.count > 65536 {
            _ = fcntl(writeEnd, setPipeSize, Int32(min(bytes.count, 1 << 20)))
        }
        let capacity = Int(fcntl(writeEnd, getPipeSize))
        if bytes.count <= capacity {
            writeAll(bytes, to: writeEnd)
            close(writeEnd)
        } else {
            Task.detached {
                await DedicatedThread.run {
                    writeAll(bytes, to: writeEnd)
                    close(writeEnd)
                }
            }
        }
        return readEnd
    }

    /// Writes until done or the reader is gone (EPIPE ends it quietly: the child chose not to read).
    private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}
