import AgentSupport

/// Facts about a host tree, read from files under its root (filled in by the preflight issue).
public struct HostFacts: Sendable {
    public let root: HostRoot
    public init(root: HostRoot) { self.root = root }
}
