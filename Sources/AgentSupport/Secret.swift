/// A secret value (workspace key, proxy password, decrypted settings) whose textual forms are redacted.
///
/// `description`, `debugDescription` and string interpolation print `***`; only `withBytes`/`reveal()` give the
/// value, so a secret cannot reach a log line or an error message by accident.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let storage: [UInt8]

    public init(_ value: String) { storage = Array(value.utf8) }
    public init(bytes: [UInt8]) { storage = bytes }

    /// The value, for the one place that must use it (HMAC key, libcurl option, a 0600 file).
    public func reveal() -> String { String(decoding: storage, as: UTF8.self) }
    /// Calls `body` with the raw bytes.
    public func withBytes<R>(_ body: ([UInt8]) throws -> R) rethrows -> R { try body(storage) }

    public var isEmpty: Bool { storage.isEmpty }
    public var description: String { "***" }
    public var debugDescription: String { "Secret(***)" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
