/// Standard Base64 (RFC 4648 §4, alphabet `A–Z a–z 0–9 + /`, `=` padding), without line breaks.
///
/// Two decoders: `decodeStrict` accepts only the canonical encoding (decoding then encoding gives back the input
/// exactly — the rule the VM extension applies to the workspace key), `decodeLenient` is for reading files and
/// tolerates whitespace, line breaks and missing padding. Errors never quote the input, since it is often a secret.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let pad = UInt8(ascii: "=")

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// `bytes` in Base64 with padding and no line breaks.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            i += 3
        }
        let rest = input.count - i
        if rest > 0 {
            var n = UInt32(input[i]) << 16
            if rest == 2 { n |= UInt32(input[i + 1]) << 8 }
            out.append(alphabet[Int((n >> 18) & 63)])
            out.append(alphabet[Int((n >> 12) & 63)])
            out.append(rest == 2 ? alphabet[Int((n >> 6) & 63)] : pad)
            out.append(pad)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes canonical Base64 only: length a multiple of 4, correct padding, no whitespace, unused bits zero,
    /// so that `encode(decodeStrict(s)) == s`. An empty string is refused.
    ///
    /// - Parameters:
    ///   - what: names the value in the error ("workspace key").
    ///   - code: the exit code of the error; the default is onboarding's 3 (invalid workspace id or key), the
    ///     main place user input in Base64 arrives. Pass another code for other inputs.
    public static func decodeStrict(
        _ text: String, what: String = "value", code: ExitCode = .missingModeOrInvalidID
    ) throws(AgentError) -> [UInt8] {
        let chars = Array(text.utf8)
        guard !chars.isEmpty else { throw AgentError(code, "\(what) is empty, expected Base64") }
        guard chars.count % 4 == 0 else {
            throw AgentError(code, "\(what) is not valid Base64: length \(chars.count) is not a multiple of 4")
        }
        let decoded = try decodeLenient(text, what: what, code: code, allowWhitespace: false)
        guard Array(encode(decoded).utf8) == chars else {
            throw AgentError(code, "\(what) is not canonical Base64: padding or trailing bits do not round-trip")
        }
        return decoded
    }

    /// Decodes Base64 leniently: ASCII whitespace is skipped and padding may be missing; any other character
    /// outside the alphabet, or a length that cannot be Base64, is an error.
    public static func decodeLenient(
        _ text: String, what: String = "value", code: ExitCode = .missingModeOrInvalidID
    ) throws(AgentError) -> [UInt8] {
        try decodeLenient(text, what: what, code: code, allowWhitespace: true)
    }

    private static func decodeLenient(
        _ text: String, what: String, code: ExitCode, allowWhitespace: Bool
    ) throws(AgentError) -> [UInt8] {
        var sextets: [UInt8] = []
        var padding = 0
        for (position, c) in text.utf8.enumerated() {
            if allowWhitespace, c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { continue }
            if c == pad {
                padding += 1
                guard padding <= 2 else {
                    throw AgentError(code, "\(what) is not valid Base64: too much padding")
                }
                continue
            }
            guard padding == 0 else {
                throw AgentError(code, "\(what) is not valid Base64: data after padding at position \(position)")
            }
            let v = values[Int(c)]
            guard v != 0xff else {
                throw AgentError(code, "\(what) is not valid Base64: character at position \(position) is not in the alphabet")
            }
            sextets.append(v)
        }
        let remainder = sextets.count % 4
        guard remainder != 1, padding == 0 || (remainder != 0 && remainder + padding == 4) else {
            throw AgentError(code, "\(what) is not valid Base64: wrong length or padding")
        }
        var out: [UInt8] = []
        out.reserveCapacity(sextets.count * 3 / 4)
        var i = 0
        while i + 4 <= sextets.count {
            let n = UInt32(sextets[i]) << 18 | UInt32(sextets[i + 1]) << 12 | UInt32(sextets[i + 2]) << 6
                | UInt32(sextets[i + 3])
            out.append(UInt8(n >> 16)); out.append(UInt8((n >> 8) & 0xff)); out.append(UInt8(n & 0xff))
            i += 4
        }
        if remainder >= 2 {
            var n = UInt32(sextets[i]) << 18 | UInt32(sextets[i + 1]) << 12
            if remainder == 3 { n |= UInt32(sextets[i + 2]) << 6 }
            out.append(UInt8(n >> 16))
            if remainder == 3 { out.append(UInt8((n >> 8) & 0xff)) }
        }
        return out
    }
}
