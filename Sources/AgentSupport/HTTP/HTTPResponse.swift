import CAgentCurl

/// One response header line, name as the server wrote it.
public struct HTTPHeader: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name): \(value)" }
}

/// A complete HTTP response: status, the headers of the final response (after redirects and the proxy's CONNECT
/// answer) and the body (kept in memory up to the request's limit; empty for downloads into a sink).
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// "1.1", "2" … as negotiated.
    public var httpVersion: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, httpVersion: String = "1.1", headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
    }

    /// The value of the last header named `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last(where: { $0.name.lowercased() == wanted })?.value
    }

    /// The `Date` header as seconds since 1970 (RFC 7231 formats, parsed by libcurl), or nil when absent or
    /// unparsable. Lets callers compare the server's clock with the local one.
    public var dateEpochSeconds: Int64? {
        guard let text = header("Date") else { return nil }
        let value = curl_getdate(text, nil)
        return value < 0 ? nil : Int64(value)
    }

    /// True for 2xx.
    public var isSuccess: Bool { (200...299).contains(status) }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// How far a download has come: bytes of the resource written so far (including bytes kept from before a
/// resume) and the resource's full size when the server announced it.
public struct HTTPProgress: Sendable, Equatable {
    public var bytes: Int64
    public var total: Int64?

    public init(bytes: Int64, total: Int64?) {
        self.bytes = bytes
        self.total = total
    }
}

/// What a finished download delivered.
public struct HTTPDownloadResult: Sendable, Equatable {
    /// The final response's status (200, or 206 when the last attempt resumed) and headers; `body` stays empty.
    public var response: HTTPResponse
    /// Bytes of the resource written to the sink, from offset 0.
    public var bytes: Int64
    /// Attempts made (1 when nothing had to be retried).
    public var attempts: Int
    /// Attempts that continued at an offset with `Range` (and got 206).
    public var resumes: Int
}
