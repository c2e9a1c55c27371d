import AgentSupport

/// The one value passed into every operation: the target root, the process runner, and output settings.
public struct InstallContext: Sendable {
    public var root: HostRoot
    public var runner: ProcessRunner
    public init(root: HostRoot, runner: ProcessRunner = ProcessRunner()) {
        self.root = root
        self.runner = runner
    }
}
