import AgentSupport

/// The workspace shared key: Base64 text whose decoded bytes are the HMAC key (contract §10.1). Kept in memory
/// only, never written to disk, argv or output.
public struct WorkspaceKey: Sendable {
    /// The decoded key bytes.
    public let bytes: Secret

    /// Requires that a strict Base64 decode re-encodes to exactly the input (surrounding whitespace and one trailing
    /// newline are ignored); else exit 3. The message never contains the key.
    public init(_ text: Secret) throws(AgentError) {
        let trimmed = text.reveal().trimmingWhitespace()
        guard !trimmed.isEmpty else { throw AgentError(.missingModeOrInvalidID, "the workspace key is missing") }
        let decoded: [UInt8]
        do {
            decoded = try Base64.decodeStrict(trimmed, what: "the workspace key")
        } catch {
            throw AgentError(.missingModeOrInvalidID, error.message,
                             hint: "copy the primary or secondary key of the workspace exactly (usually 88 characters)")
        }
        bytes = Secret(bytes: decoded)
    }
}
