import CAgentCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One logical transfer with its retries: runs attempts on the calling (dedicated) thread, backs off between
/// them, resumes a sink download at the offset already written, and turns the outcome into a response or an
/// `HTTPError`.
struct HTTPTransfer: Sendable {
    var request: CurlRequest
    var target: HTTPURL
    var destination: CurlDestination
    var progress: (@Sendable (HTTPProgress) -> Void)?
    var cancellation: TransferCancellation

    struct Outcome: Sendable {
        var response: HTTPResponse
        var bytes: Int64
        var attempts: Int
        var resumes: Int
    }

    func run() -> Result<Outcome, HTTPError> {
        let configuration = request.configuration
        let clock = ContinuousClock()
        let deadline = configuration.totalTimeout.map { clock.now + $0 }
        var delay = configuration.retryDelay
        var offset: Int64 = 0
        var validator: String?
        var attempts = 0
        var resumes = 0
        var restartPending = false
        while true {
            attempts += 1
            if cancellation.isCancelled { return .failure(HTTPError(.aborted, "the transfer from \(target.display) was cancelled")) }
            if restartPending, case .sink(let sink) = destination {
                guard sink.restart() else {
                    return .failure(HTTPError(.other, "the download from \(target.display) cannot restart at offset 0"))
                }
                offset = 0
                validator = nil
                restartPending = false
            }
            var remaining: Duration?
            if let deadline {
                remaining = deadline - clock.now
                if remaining! <= .zero { return .failure(timedOut()) }
            }
            let attempt = CurlAttempt(destination: destination, resumeFrom: offset, cancellation: cancellation,
                                      progress: progress)
            let outcome = request.perform(attempt, timeout: remaining, ifRange: offset > 0 ? validator : nil)
            if case .sink = destination { offset = attempt.written }
            if attempt.resumed { resumes += 1 }
            if attempt.needsRestart { restartPending = true }
            let response = HTTPResponse(status: attempt.status, httpVersion: attempt.httpVersion,
                                        headers: attempt.headers, body: attempt.body)
            if response.status == 200 { validator = Self.validator(response) }
            let failure: (error: HTTPError, retryable: Bool)
            if outcome.code == CURLE_OK && attempt.failure == nil {
                switch destination {
                case .memory:
                    let (error, retryable) = HTTPError.status(response, target: target, proxy: request.proxy)
                    if response.isSuccess || !retryable || attempts > configuration.retries {
                        return .success(Outcome(response: response, bytes: Int64(response.body.count), attempts: attempts,
                                                resumes: 0))
                    }
                    failure = (error, retryable)
                case .sink:
                    if response.isSuccess {
                        var final = response
                        final.body = []
                        return .success(Outcome(response: final, bytes: offset, attempts: attempts, resumes: resumes))
                    }
                    if response.status == 416 && attempt.resumeFrom > 0 {
                        restartPending = true
                        failure = (HTTPError(.httpStatus(416), "the server refused to resume \(target.display)"), true)
                    } else {
                        failure = HTTPError.status(response, target: target, proxy: request.proxy)
                    }
                }
            } else if let aborted = attempt.failure {
                failure = (aborted, attempt.needsRestart)
            } else if cancellation.isCancelled {
                return .failure(HTTPError(.aborted, "the transfer from \(target.display) was cancelled"))
            } else {
                failure = HTTPError.classify(outcome, target: target, proxy: request.proxy, configuration: configuration)
            }
            guard failure.retryable, attempts <= configuration.retries else { return .failure(failure.error) }
            var wait = delay
            if let deadline {
                let left = deadline - clock.now
                if left <= wait { return .failure(failure.error.kind == .timeout ? failure.error : timedOut()) }
                wait = min(wait, left)
            }
            if !sleep(wait) { return .failure(HTTPError(.aborted, "the transfer from \(target.display) was cancelled")) }
            delay = min(delay * 2, configuration.maximumRetryDelay)
        }
    }

    private func timedOut() -> HTTPError {
        HTTPError(.timeout, "the transfer from \(target.display) took longer than the total time allowed")
    }

    /// A strong ETag, else Last-Modified: what `If-Range` needs to resume only the same version of a resource.
    static func validator(_ response: HTTPResponse) -> String? {
        if let tag = response.header("ETag"), !tag.hasPrefix("W/") { return tag }
        return response.header("Last-Modified")
    }

    /// Sleeps in short steps so a cancellation ends the wait; false when cancelled.
    private func sleep(_ duration: Duration) -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + duration
        while clock.now < end {
            if cancellation.isCancelled { return false }
            let left = (end - clock.now).wholeMilliseconds
            usleep(useconds_t(min(max(left, 1), 50) * 1000))
        }
        return !cancellation.isCancelled
    }
}
