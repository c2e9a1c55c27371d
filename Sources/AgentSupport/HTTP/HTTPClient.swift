/// An HTTP(S) client over libcurl: streamed downloads with resume, and requests with an in-memory body.
///
/// Each transfer runs on its own thread behind an `async` call; cancelling the task stops it (`.aborted`).
/// Certificates are verified unless `configuration.insecure`; TLS 1.2 or newer; only http and https; a proxy is
/// always tunnelled with CONNECT and its credentials go to libcurl as separate options. Transient failures are
/// retried with back-off (`configuration.retries`); a download that breaks continues with `Range` at the offset
/// already written, and starts over cleanly when the server ignores the range. Failures are `HTTPError`s with a
/// classified `kind` and a one-line message free of secrets.
public struct HTTPClient: Sendable {
    public var configuration: HTTPClientConfiguration

    public init(_ configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        self.configuration = configuration
    }

    /// Streams the resource at `url` (GET) into `sink`, which must accept a `restart` (see `HTTPSink`).
    /// - Parameters:
    ///   - headers: extra request headers.
    ///   - progress: called on the transfer thread after each chunk with the bytes written so far and the total
    ///     when known.
    /// - Returns: the final status and headers, the byte count, and how many attempts and resumes it took.
    /// - Throws: `HTTPError`; a non-2xx final status is `.httpStatus(code)` (with the response's start).
    public func download(_ url: String, into sink: HTTPSink, headers: [HTTPHeader] = [],
                         progress: (@Sendable (HTTPProgress) -> Void)? = nil) async throws(HTTPError) -> HTTPDownloadResult {
        let outcome = try await transfer("GET", url, headers: headers, body: nil, destination: .sink(sink),
                                         progress: progress)
        return HTTPDownloadResult(response: outcome.response, bytes: outcome.bytes, attempts: outcome.attempts,
                                  resumes: outcome.resumes)
    }

    /// Streams the resource at `url` into an open, seekable file descriptor, from its current offset (see
    /// `HTTPSink.fileDescriptor`). The descriptor stays open.
    public func download(_ url: String, to fileDescriptor: Int32, headers: [HTTPHeader] = [],
                         progress: (@Sendable (HTTPProgress) -> Void)? = nil) async throws(HTTPError) -> HTTPDownloadResult {
        try await download(url, into: .fileDescriptor(fileDescriptor), headers: headers, progress: progress)
    }

    /// Sends one request and returns the response with its body, whatever its status (check `status`;
    /// 408/429/5xx are retried first). `body` nil sends none; a body with GET is not supported.
    /// - Throws: `HTTPError` for transport failures (DNS, connect, proxy, TLS, timeout, broken connection).
    public func send(_ method: String, _ url: String, headers: [HTTPHeader] = [],
                     body: [UInt8]? = nil) async throws(HTTPError) -> HTTPResponse {
        try await transfer(method, url, headers: headers, body: body,
                           destination: .memory(limit: configuration.maximumBodySize), progress: nil).response
    }

    /// POSTs `body` (sent exactly as given, with a Content-Length) and returns the response, whatever its status.
    public func post(_ url: String, body: [UInt8], headers: [HTTPHeader] = []) async throws(HTTPError) -> HTTPResponse {
        try await send("POST", url, headers: headers, body: body)
    }

    /// GETs `url` into memory and returns the response, whatever its status.
    public func get(_ url: String, headers: [HTTPHeader] = []) async throws(HTTPError) -> HTTPResponse {
        try await send("GET", url, headers: headers)
    }

    /// The proxy a request to `url` goes through with this configuration; nil for a direct connection.
    /// - Throws: `HTTPError` `.proxy` when a proxy environment variable cannot be parsed, `.other` for a bad URL.
    public func proxy(for url: String) throws(HTTPError) -> HTTPProxy? {
        try proxy(for: HTTPURL(url))
    }

    func proxy(for target: HTTPURL) throws(HTTPError) -> HTTPProxy? {
        switch configuration.proxy {
        case .direct: return nil
        case .proxy(let proxy): return proxy
        case .environment(let environment, let defaultPort):
            do {
                return try environment.proxy(for: target, defaultPort: defaultPort)
            } catch {
                throw HTTPError(.proxy, error.message)
            }
        }
    }

    private func transfer(_ method: String, _ url: String, headers: [HTTPHeader], body: [UInt8]?,
                          destination: CurlDestination,
                          progress: (@Sendable (HTTPProgress) -> Void)?) async throws(HTTPError) -> HTTPTransfer.Outcome {
        let target = try HTTPURL(url)
        let request = CurlRequest(method: method, url: url, headers: headers, body: body,
                                  proxy: try proxy(for: target), configuration: configuration)
        let cancellation = TransferCancellation()
        let transfer = HTTPTransfer(request: request, target: target, destination: destination, progress: progress,
                                    cancellation: cancellation)
        let result = await withTaskCancellationHandler {
            await DedicatedThread.run { transfer.run() }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }
}
