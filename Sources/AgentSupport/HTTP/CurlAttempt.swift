import CAgentCurl
import Synchronization

/// Set once when the awaiting task is cancelled; read by the transfer thread.
final class TransferCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
    func cancel() { flag.store(true, ordering: .relaxed) }
}

/// Where one attempt puts the body of a successful response.
enum CurlDestination: Sendable {
    /// Kept in memory (any status), up to the limit.
    case memory(limit: Int)
    /// Streamed to a sink (2xx only; other statuses keep a short body in memory for the error).
    case sink(HTTPSink)
}

/// One `curl_easy_perform` and what the callbacks saw. Lives on the transfer thread only.
final class CurlAttempt {
    let destination: CurlDestination
    let cancellation: TransferCancellation
    let progress: (@Sendable (HTTPProgress) -> Void)?
    /// The resource offset this attempt asked for with `Range` (0: the whole resource).
    let resumeFrom: Int64
    var handle: UnsafeMutableRawPointer?

    /// Headers of the latest response block (reset at each status line).
    var headers: [HTTPHeader] = []
    var httpVersion = "1.1"
    /// Body kept in memory (memory destination, or a failing status's body).
    var body: [UInt8] = []
    /// The resource offset the sink has reached (starts at `resumeFrom`; 0 after a restart).
    var written: Int64
    var total: Int64?
    /// Got 206 for the requested offset.
    var resumed = false
    /// The server answered 200 to a ranged request and the sink was restarted at 0.
    var restartedFromZero = false
    /// Set by a callback that aborted the transfer, with the reason.
    var failure: HTTPError?
    /// The next attempt must start over at 0 (the server resumed at the wrong offset).
    var needsRestart = false
    private var decided = false
    private var toSink = false

    init(destination: CurlDestination, resumeFrom: Int64, cancellation: TransferCancellation,
         progress: (@Sendable (HTTPProgress) -> Void)?) {
        self.destination = destination
        self.resumeFrom = resumeFrom
        self.written = resumeFrom
        self.cancellation = cancellation
        self.progress = progress
    }

    /// The response code recorded when the handle was released.
    var finalStatus = 0

    /// The status of the latest response (0 when none arrived).
    var status: Int {
        guard let handle else { return finalStatus }
        var code = 0
        _ = cagent_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    func headerLine(_ raw: UnsafeRawBufferPointer) {
        var line = String(decoding: raw, as: UTF8.self)
        while line.hasSuffix("\n") || line.hasSuffix("\r") || line.hasSuffix("\r\n") { line.removeLast() }
        if line.hasPrefix("HTTP/") {
            // A new response (after a redirect or 100-continue): only the final one's headers and body count.
            headers = []
            body = []
            decided = false
            toSink = false
            httpVersion = String(line.dropFirst(5).prefix(while: { $0 != " " }))
        } else if let colon = line.firstIndex(of: ":") {
            headers.append(HTTPHeader(String(line[..<colon]), HTTPText.trimmed(line[line.index(after: colon)...])))
        }
    }

    func receive(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if !decided {
            decide()
            if failure != nil { return false }
        }
        if toSink, case .sink(let sink) = destination {
            guard sink.write(chunk) else {
                failure = HTTPError(.aborted, "the receiver of the download stopped it")
                return false
            }
            written += Int64(chunk.count)
            progress?(HTTPProgress(bytes: written, total: total))
            return true
        }
        let limit: Int
        switch destination {
        case .memory(let bytes): limit = bytes
        case .sink: limit = 64 << 10
        }
        if body.count + chunk.count > limit {
            if case .sink = destination { return true }  // a failing status: the start of its body is enough
            failure = HTTPError(.other, "the response is larger than \(limit) bytes")
            return false
        }
        body.append(contentsOf: chunk)
        return true
    }

    /// At the first body byte (or the end of an empty body): decides where the body goes, and restarts or
    /// verifies a resumed download.
    func decide() {
        guard !decided else { return }
        decided = true
        guard case .sink(let sink) = destination else { return }
        let status = self.status
        switch status {
        case 206:
            guard resumeFrom > 0, let range = header("Content-Range").flatMap(Self.contentRange),
                  range.first == resumeFrom
            else {
                needsRestart = true
                failure = HTTPError(.other, "the server resumed the download at an unexpected offset")
                return
            }
            resumed = true
            total = range.total
            toSink = true
        case 200...299:
            if resumeFrom > 0 || written > 0 {
                guard sink.restart() else {
                    failure = HTTPError(.other, "the server ignored the resume request and the download cannot restart")
                    return
                }
                restartedFromZero = true
                written = 0
            }
            var length: curl_off_t = -1
            if let handle { _ = cagent_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) }
            total = length >= 0 ? Int64(length) : nil
            toSink = true
        default:
            toSink = false
        }
    }

    func header(_ name: String) -> String? {
        HTTPResponse(status: 0, headers: headers).header(name)
    }

    /// `bytes FIRST-LAST/TOTAL` → (FIRST, TOTAL or nil for `*`).
    static func contentRange(_ value: String) -> (first: Int64, total: Int64?)? {
        let text = HTTPText.trimmed(value)
        guard text.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = text.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-"), let slash = spec.firstIndex(of: "/"),
              let first = Int64(spec[..<dash]) else { return nil }
        return (first, Int64(spec[spec.index(after: slash)...]))
    }
}
