import AgentSupport

/// What a pre-flight evaluation is for and how strict it is.
public struct PreflightOptions: Sendable {
    /// True when run by an install: the privileges check then blocks (exit 5); the report only warns.
    public var forInstall = false
    /// Turns an unsupported distribution or architecture (51) into a warning.
    public var allowUnsupported = false
    /// Makes an onboarding to another workspace block (exit 10).
    public var stopOnMultipleConnections = false
    /// The workspace the install is for (`-w`), if any.
    public var workspaceID: String?
    /// The proxy the network probe used (`-p`), named in the `network` check without its password.
    public var proxy: HTTPProxy?
    /// The support matrix to judge the distribution against.
    public var matrix: SupportMatrix = .default
    /// Free bytes required under each of `/var`, `/etc`, `/opt`.
    public var minimumFreeBytes: Int64 = 500 * 1024 * 1024

    public init(forInstall: Bool = false, allowUnsupported: Bool = false, stopOnMultipleConnections: Bool = false,
                workspaceID: String? = nil, matrix: SupportMatrix = .default) {
        self.forInstall = forInstall
        self.allowUnsupported = allowUnsupported
        self.stopOnMultipleConnections = stopOnMultipleConnections
        self.workspaceID = workspaceID
        self.matrix = matrix
    }
}
