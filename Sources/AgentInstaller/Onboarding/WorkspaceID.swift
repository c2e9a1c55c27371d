import AgentSupport

/// A Log Analytics workspace id: a GUID in the case given (contract §10.1). `scom` and `LAD` are refused.
public struct WorkspaceID: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Validates `text`; missing or malformed → exit 3.
    public init(_ text: String) throws(AgentError) {
        guard !text.isEmpty else { throw AgentError(.missingModeOrInvalidID, "the workspace id is missing") }
        guard WorkspaceID.isGUID(text) else {
            throw AgentError(.missingModeOrInvalidID, "the workspace id \(text) is not a GUID",
                             hint: "copy the id from the workspace's Agents page, e.g. 01234567-89ab-cdef-0123-456789abcdef")
        }
        value = text
    }

    public var description: String { value }

    /// True for `8-4-4-4-12` hexadecimal digits, any case.
    public static func isGUID(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) && $0.allSatisfy(\.isASCII) }
    }
}

/// The agent's identity in the service: a lower-case v4 UUID kept in `omsadmin.conf` and the certificate subject.
public struct AgentGUID: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Wraps an existing GUID (from `omsadmin.conf`); nil when it is not a GUID.
    public init?(_ text: String) {
        guard WorkspaceID.isGUID(text) else { return nil }
        value = text
    }

    /// A new random v4 UUID in lower case.
    public static func random() -> AgentGUID {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
        var parts: [Substring] = []
        var i = hex.startIndex
        for n in [8, 4, 4, 4, 12] {
            let j = hex.index(i, offsetBy: n)
            parts.append(hex[i..<j])
            i = j
        }
        return AgentGUID(parts.joined(separator: "-"))!
    }

    public var description: String { value }
}

/// The service domain (`-d`): a DNS name; the known clouds are data.
public struct ServiceDomain: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    /// Public, US Gov, China, USNat and USSec clouds (contract §10.1).
    public static let known = [
        "opinsights.azure.com", "opinsights.azure.us", "opinsights.azure.cn",
        "opinsights.azure.eaglex.ic.gov", "opinsights.azure.microsoft.scloud",
    ]
    public static let `default` = ServiceDomain(unchecked: known[0])

    private init(unchecked: String) { value = unchecked }

    /// Accepts any DNS name (labels of letters, digits and `-`, not starting or ending with `-`); else exit 3.
    public init(_ text: String) throws(AgentError) {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        let ok = text.count <= 253 && labels.count >= 2 && labels.allSatisfy { l in
            !l.isEmpty && l.count <= 63 && !l.hasPrefix("-") && !l.hasSuffix("-")
                && l.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        guard ok else {
            throw AgentError(.missingModeOrInvalidID, "the domain \(text) is not a DNS name",
                             hint: "e.g. \(ServiceDomain.known.joined(separator: ", "))")
        }
        value = text.lowercased()
    }

    public var description: String { value }
}
