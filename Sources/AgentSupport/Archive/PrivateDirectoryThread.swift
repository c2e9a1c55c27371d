import CAgentArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a blocking job on a new thread whose working directory is private to it (Linux `unshare(CLONE_FS)`)
/// and set to an open directory, so relative names resolve inside that directory while the rest of the process
/// keeps its own working directory.
enum PrivateDirectoryThread {
    /// Runs `body` on the thread with its working directory at `directory` (an fd), waits, and returns its result.
    static func run<T>(in directory: Int32, _ body: @escaping () throws(AgentError) -> T) throws(AgentError) -> T {
        let box = ResultBox<T>()
        let job = Job {
            guard cagent_thread_private_chdir(directory) == 0 else {
                box.result = .failure(AgentError(
                    .systemProblem, "cannot give the extraction thread its own directory: \(FileIO.errnoText())"))
                return
            }
            do throws(AgentError) { box.result = .success(try body()) } catch { box.result = .failure(error) }
        }
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, privateDirectoryThreadEntry, Unmanaged.passRetained(job).toOpaque())
        guard rc == 0 else {
            Unmanaged.passUnretained(job).release()
            throw AgentError(.systemProblem, "cannot start the extraction thread: \(FileIO.errnoText(rc))")
        }
        pthread_join(thread, nil)
        guard let result = box.result else {
            throw AgentError(.internalError, "the extraction thread ended without a result")
        }
        return try result.get()
    }

    /// The work handed to the thread.
    final class Job: @unchecked Sendable {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }

    /// Written by the thread, read after `pthread_join`.
    final class ResultBox<T>: @unchecked Sendable {
        var result: Result<T, AgentError>?
    }
}

/// Thread entry: runs the `PrivateDirectoryThread.Job` passed (retained) as the argument.
private let privateDirectoryThreadEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
    guard let raw else { return nil }
    Unmanaged<PrivateDirectoryThread.Job>.fromOpaque(raw).takeRetainedValue().work()
    return nil
}
