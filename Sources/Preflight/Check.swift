import AgentSupport

/// The outcome of one pre-flight check.
public struct Check: Sendable, Equatable, Codable {
    /// Status of a check: only `fail` blocks.
    public enum Status: String, Sendable, Codable { case pass, warn, fail, skip }

    /// Stable id (`os.distro`, `packages.lock`, `python.ctypes`…).
    public var id: String
    public var status: Status
    /// What was found, one line.
    public var summary: String
    /// What is required, one line (text output only).
    public var required: String
    /// What to do about a failure or warning, one line; nil when nothing is needed.
    public var remedy: String?
    /// The documented exit code this check ends the run with when it fails; 0 otherwise.
    public var exitCode: Int32

    public init(_ id: String, _ status: Status, found: String, required: String, remedy: String? = nil,
                failCode: ExitCode = .success) {
        self.id = id
        self.status = status
        self.summary = found
        self.required = required
        self.remedy = status == .pass || status == .skip ? nil : remedy
        self.exitCode = status == .fail ? failCode.rawValue : 0
    }

    enum CodingKeys: String, CodingKey { case id, status, summary, remedy, exitCode }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(status, forKey: .status)
        try c.encode(summary, forKey: .summary)
        try c.encode(remedy, forKey: .remedy)
        try c.encode(exitCode, forKey: .exitCode)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        status = try c.decode(Status.self, forKey: .status)
        summary = try c.decode(String.self, forKey: .summary)
        required = ""
        remedy = try c.decodeIfPresent(String.self, forKey: .remedy)
        exitCode = try c.decode(Int32.self, forKey: .exitCode)
    }
}
