#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs one blocking job (a libcurl transfer) on a dedicated POSIX thread and resumes the awaiting task with its
/// result, so a slow transfer never occupies a thread of Swift's cooperative pool.
enum TransferThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let job = TransferThreadJob { continuation.resume(returning: body()) }
            let context = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            pthread_attr_setstacksize(&attributes, 1 << 20)
            let rc = pthread_create(&thread, &attributes, transferThreadEntry, context)
            pthread_attr_destroy(&attributes)
            if rc != 0 {
                // No thread: run here rather than fail (the job is short-lived compared to a process lifetime).
                Unmanaged<TransferThreadJob>.fromOpaque(context).takeRetainedValue().body()
            }
        }
    }
}

/// The job handed to the new thread through its `void *` argument.
final class TransferThreadJob: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// The thread's entry point: takes ownership of the job, runs it, and ends.
let transferThreadEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
    guard let context else { return nil }
    Unmanaged<TransferThreadJob>.fromOpaque(context).takeRetainedValue().body()
    return nil
}
