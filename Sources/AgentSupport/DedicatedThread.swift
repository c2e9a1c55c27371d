#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a blocking job (a libcurl transfer, reading a pipe, extracting an archive) on its own POSIX thread and resumes the awaiting
/// task with the result, so the job never occupies a thread of Swift's cooperative pool (which has one thread
/// per core: two blocked jobs could otherwise starve the tasks that would unblock them).
public enum DedicatedThread {
    /// Runs `body` on a new detached thread and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let job = DedicatedThreadJob { continuation.resume(returning: body()) }
            let context = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            let rc = pthread_create(&thread, &attributes, dedicatedThreadEntry, context)
            pthread_attr_destroy(&attributes)
            if rc != 0 {
                Unmanaged<DedicatedThreadJob>.fromOpaque(context).takeRetainedValue().body()
            }
        }
    }
}

/// The job passed to the thread through its argument pointer.
final class DedicatedThreadJob: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Entry point of a dedicated thread: takes ownership of the job and runs it.
let dedicatedThreadEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
    guard let context else { return nil }
    Unmanaged<DedicatedThreadJob>.fromOpaque(context).takeRetainedValue().body()
    return nil
}
