/// One ordered step of an `InstallPlan` (agent contract §7): what it does to which component, and why.
public struct PlanStep: Sendable, Codable, Equatable {
    /// What the step does.
    public enum Action: String, Sendable, Codable {
        /// Add a package that is not installed.
        case install
        /// Upgrade to a strictly newer bundled package.
        case upgrade
        /// Replace with an older bundled package (`--force` only).
        case downgrade
        /// Nothing to do (same version, not applicable, or switched off).
        case skip
        /// The bundled package is older and `--force` is off: left as it is.
        case refuse
        /// Run a program on the live host (OMI reload, provider kit).
        case run
        /// A program that would run on a live host; a `--root` tree never executes programs from the root.
        case liveHostOnly = "live-host-only"
        /// Delete a file under the root (kept as a backup until the run succeeds).
        case removeFile = "remove-file"
        /// Rewrite a file under the root (`diff` shows the change against what is there now).
        case editFile = "edit-file"
    }

    /// `omi`, `omi-reload`, `scx`, `omsagent`, `omsconfig`, or `kit:<name>`.
    public var component: String
    /// The action.
    public var action: Action
    /// The installed version (package steps), nil when absent.
    public var installed: String?
    /// The bundled version (package steps).
    public var bundled: String?
    /// Why this action was chosen.
    public var reason: String
    /// The exact command line executed (empty when nothing runs).
    public var command: [String]
    /// The exit code when this step fails (§7: 19 OMI, 20 SCX, 17 omsagent, 18 omsconfig, 21 provider).
    public var failureCode: Int32
    /// Whether a failure stops the run (packages) or is remembered and the run continues (provider kits).
    public var stopsOnFailure: Bool
    /// The host path a file step removes or edits.
    public var path: String?
    /// A unified diff of a file step against the file as it is now.
    public var diff: String?

    /// Creates a step.
    public init(component: String, action: Action, installed: String? = nil, bundled: String? = nil, reason: String,
                command: [String] = [], failureCode: Int32, stopsOnFailure: Bool = true) {
        self.component = component
        self.action = action
        self.installed = installed
        self.bundled = bundled
        self.reason = reason
        self.command = command
        self.failureCode = failureCode
        self.stopsOnFailure = stopsOnFailure
    }

    /// A file step of a package stage (its failure code is the stage's).
    public static func file(_ component: String, _ action: Action, path: String, diff: String?, reason: String,
                            failureCode: Int32) -> PlanStep {
        var step = PlanStep(component: component, action: action, reason: reason, failureCode: failureCode)
        step.path = path
        step.diff = diff
        return step
    }

    /// Whether executing this step changes the host's packages.
    public var changesPackages: Bool { action == .install || action == .upgrade || action == .downgrade }
}
