import CAgentOpenSSL

/// Reads OpenSSL's per-thread error queue into one line of text for an `AgentError`.
///
/// Every crypto operation clears the queue before it starts (`reset()`), and on failure drains it with
/// `error(_:_:)`, so a message names OpenSSL's own reason ("bad decrypt", "no matching recipient") and nothing else:
/// no key material, no plaintext.
enum OpenSSLErrorQueue {
    /// Forgets errors left by earlier operations on this thread.
    static func reset() { ERR_clear_error() }

    /// Drains the queue and returns its reasons, oldest first, joined by "; " (empty when the queue was empty).
    static func drain() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let text: String
            if let reason = ERR_reason_error_string(code) {
                text = String(cString: reason)
            } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            if !reasons.contains(text) { reasons.append(text) }
        }
        return reasons.joined(separator: "; ")
    }

    /// An `AgentError` whose message is `what` followed by OpenSSL's reasons, when there are any.
    static func error(_ code: ExitCode, _ what: String) -> AgentError {
        let reasons = drain()
        return AgentError(code, reasons.isEmpty ? what : "\(what): \(reasons)")
    }
}
