import AgentSupport
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The protocol's status values (§5); `success` and `error` are terminal. Never `failed`.
public enum HandlerStatus: String, Sendable, Codable {
    case transitioning, warning, error, success
}

/// Writes `<statusFolder>/<seq>.status` (§5): a JSON array with one element, written atomically (temporary file,
/// then rename), `code` as a string, a short one-line message.
public struct StatusFile: Sendable {
    public static let extensionName = "Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux"
    /// Messages are cut to this many characters (the agent cuts at 1024 in oversized files).
    public static let messageLimit = 512

    /// Real path of the status file.
    public let path: String

    public init(statusFolder: String, sequenceNumber: UInt64) {
        path = statusFolder + "/\(sequenceNumber).status"
    }

    struct Element: Codable {
        struct Status: Codable {
            struct Message: Codable { var lang: String; var message: String }
            var name: String
            var operation: String
            var status: HandlerStatus
            var code: String
            var formattedMessage: Message
        }
        var version: String
        var timestampUTC: String
        var status: Status
    }

    /// Writes one status; `message` is made one line and cut to `messageLimit`.
    public func write(operation: HandlerOperation, status: HandlerStatus, code: Int32, message: String,
                      now: Date = Date()) throws(AgentError) {
        let element = Element(
            version: "1.0", timestampUTC: Self.timestamp(now),
            status: .init(name: Self.extensionName, operation: operation.displayName, status: status,
                          code: String(code), formattedMessage: .init(lang: "en-US", message: Self.oneLine(message))))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode([element]) else {
            throw AgentError(.internalError, "cannot encode the status file")
        }
        let dir = directoryPart(of: path)
        try FileIO.makeDirectories(dir, mode: 0o700)
        try AtomicFile.write(path, Array(data), mode: 0o644)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// Control characters become spaces; the text is cut to `messageLimit` characters.
    public static func oneLine(_ text: String) -> String {
        let flat = String(text.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) ? " " : $0 })
            .trimmingCharacters(in: " ")
        return flat.count > messageLimit ? String(flat.prefix(messageLimit - 3)) + "..." : flat
    }

    /// The decisive stdout line: `<Operation>,<status>,<code>,<message>`.
    public static func summaryLine(operation: HandlerOperation, status: HandlerStatus, code: Int32, message: String) -> String {
        "\(operation.displayName),\(status.rawValue),\(code),\(oneLine(message))"
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

/// `EXT/mrseq`: the last sequence number whose enable succeeded (§3), plain decimal text.
public struct MostRecentSequence: Sendable {
    /// Real path of the file.
    public let path: String

    public init(handlerDirectory: String) { path = handlerDirectory + "/mrseq" }

    /// The recorded number, nil when absent or not a number.
    public func read() -> UInt64? {
        FileIO.read(path, limit: 64).flatMap { UInt64(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: "\n")) }
    }

    /// True when `sequenceNumber` ≤ the recorded one ("seen").
    public func hasSeen(_ sequenceNumber: UInt64) -> Bool { read().map { sequenceNumber <= $0 } ?? false }

    /// Records `sequenceNumber` atomically (only after a successful enable).
    public func record(_ sequenceNumber: UInt64) throws(AgentError) {
        try AtomicFile.write(path, text: String(sequenceNumber), mode: 0o644)
    }
}
