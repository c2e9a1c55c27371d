import AgentSupport

/// The signed headers of a topology request (contract §10.5): content hash, string to sign, HMAC signature,
/// `Authorization`, and every header in the order sent.
public struct TopologyRequestSignature: Sendable, Equatable {
    /// `x-ms-Date`, exactly as signed.
    public let date: String
    /// Base64(SHA-256(body)), 44 characters.
    public let contentHash: String
    /// Base64(HMAC-SHA256(decoded key, date + "\n" + hash + "\n")).
    public let signature: String
    /// `<ws>; <signature>`.
    public let authorization: String

    /// Signs `body` for workspace `workspaceID` with `key` at `date`.
    public init(body: [UInt8], date: RequestDate, workspaceID: String, key: WorkspaceKey) {
        self.date = date.text
        contentHash = Base64.encode(SHA256.hash(body))
        signature = Base64.encode(HMACSHA256.authenticationCode(key: key.bytes,
                                                                message: Array(Self.stringToSign(date: date.text, contentHash: contentHash).utf8)))
        authorization = "\(workspaceID); \(signature)"
    }

    /// The string to sign: date, newline, content hash, newline.
    public static func stringToSign(date: String, contentHash: String) -> String {
        "\(date)\n\(contentHash)\n"
    }

    /// All request headers in order; `userAgentVersion` is the first token of line 1 of `installinfo.txt`.
    public func headers(userAgentVersion: String) -> [(name: String, value: String)] {
        [
            ("x-ms-Date", date),
            ("x-ms-version", "August, 2014"),
            ("x-ms-SHA256_Content", contentHash),
            ("Authorization", authorization),
            ("User-Agent", "LinuxMonitoringAgent/\(userAgentVersion)"),
            ("Accept-Language", "en-US"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ]
    }
}
