import AgentSupport

/// The result of executing an `InstallPlan`: the exit code with its stable reason, what changed, and on failure
/// the stage, the package manager's own error lines and what the rollback did and could not do.
public struct InstallOutcome: Sendable, Codable, Equatable {
    /// The exit code (0, or §7's stage code, 23, 55, …).
    public var exitCode: Int32
    /// The stable symbolic reason of the exit code.
    public var reason: String
    /// Whether the run changed the host.
    public var changed: Bool
    /// The one-line summary.
    public var message: String
    /// The component whose stage failed.
    public var failedStage: String?
    /// The package manager's (or program's) own error lines of the failed stage.
    public var errorLines: [String]
    /// What the rollback undid (`purged omsagent`, …).
    public var rolledBack: [String]
    /// Changes the rollback cannot undo (upgrades, downgrades), stated rather than hidden.
    public var notUndone: [String]
    /// Step-by-step results: `component action result`.
    public var log: [String]
    /// The receipt written for this run, when one was written.
    public var receipt: InstallReceipt?

    /// Whether an install with this exit code ran to its end: 0, or the remembered failure of a provider kit (21)
    /// or auoms (22), which come after every package and housekeeping stage.
    public static func reachedEnd(_ exitCode: Int32) -> Bool {
        [0, ExitCode.providerKit.rawValue, ExitCode.auoms.rawValue].contains(exitCode)
    }
}
