import CAgentOpenSSL

/// Cryptographically secure random values from OpenSSL's DRBG (`RAND_bytes`).
public enum SecureRandom {
    /// `count` random bytes.
    /// - Throws: `AgentError(.internalError)` when the generator is not seeded or fails.
    public static func bytes(_ count: Int) throws(AgentError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        OpenSSLErrorQueue.reset()
        guard RAND_bytes(&out, Int32(count)) == 1 else {
            throw OpenSSLErrorQueue.error(.internalError, "cannot get random bytes")
        }
        return out
    }

    /// A uniformly distributed integer in `range` (rejection sampling, no modulo bias).
    public static func integer(in range: ClosedRange<UInt64>) throws(AgentError) -> UInt64 {
        let span = range.upperBound &- range.lowerBound
        if span == UInt64.max { return try raw64() }
        let size = span + 1
        let limit = UInt64.max - (UInt64.max % size) // values >= limit would bias the result
        while true {
            let v = try raw64()
            if v < limit { return range.lowerBound + v % size }
        }
    }

    /// A random (version 4, RFC 9562) UUID in lower-case 8-4-4-4-12 form, as the agent GUID is written.
    /// - Throws: `AgentError(.guidGeneration)` (exit 31) when no random bytes are available.
    public static func uuidV4() throws(AgentError) -> String {
        var b: [UInt8]
        do { b = try bytes(16) } catch { throw AgentError(.guidGeneration, "cannot generate the agent GUID: \(error.message)") }
        b[6] = (b[6] & 0x0f) | 0x40 // version 4
        b[8] = (b[8] & 0x3f) | 0x80 // RFC 4122 variant
        let hex = Hex.encode(b)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20])
            + "-" + String(c[20..<32])
    }

    private static func raw64() throws(AgentError) -> UInt64 {
        try bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
