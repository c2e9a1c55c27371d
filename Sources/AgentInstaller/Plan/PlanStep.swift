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
        /// Create a file with `content` when it is absent at that moment (kept out of the way on rollback).
        case createFile = "create-file"
        /// Remove an installed package (retry path); absent packages are skipped, a failure is logged and ignored.
        case remove
        /// Check free disk space before anything changes (`disk` holds the requirements).
        case check
    }

    /// How a file step changes the file (applied to its content at the moment the step runs).
    public enum FileEdit: String, Sendable, Codable {
        /// Stage 7: every `tcp` becomes `udp`.
        case syslogHotfix = "syslog-hotfix"
        /// Stage 6: `LD_PRELOAD=` lines are commented out (jemalloc conflicts with Cylance).
        case commentOutPreload = "comment-out-ld-preload"
    }

    /// A condition on a host path, evaluated when the step list it belongs to starts running.
    public struct PathCondition: Sendable, Codable, Equatable {
        /// The host path.
        public var path: String
        /// Whether the step runs when the path exists (true) or when it is absent (false).
        public var exists: Bool

        /// Creates a condition.
        public init(path: String, exists: Bool) {
            self.path = path
            self.exists = exists
        }
    }

    /// Free space one filesystem needs for the planned packages (stage 0).
    public struct DiskNeed: Sendable, Codable, Equatable {
        /// The host paths (`/opt`, `/etc/opt`, `/var/opt`) on this filesystem.
        public var paths: [String]
        /// The host path measured (the nearest existing directory of the first path).
        public var measured: String
        /// Bytes required: the planned packages' installed sizes plus a margin.
        public var requiredBytes: Int64
        /// Bytes available when the plan was made (`f_bavail × f_frsize`).
        public var availableBytes: Int64
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
    /// The contract §7 stage number (0 = checks before any change).
    public var stage: Int = 0
    /// Whether a failure goes to the plan's retry path (OMI and SCX, stage 4) instead of stopping.
    public var retriesOnFailure: Bool = false
    /// Exit statuses of `command` that mean a dependency or system problem (52) rather than `failureCode`.
    public var systemProblemStatuses: [Int32] = []
    /// An applicability test run first (provider kits, auoms): a non-zero status skips the step.
    public var test: [String]?
    /// Runs only when this condition holds.
    public var onlyIf: PathCondition?
    /// How an `edit-file` step changes its file.
    public var edit: FileEdit?
    /// More host paths a `remove-file` step deletes when present (DSC housekeeping).
    public var paths: [String]?
    /// The content a `create-file` step writes (mode 0644).
    public var content: String?
    /// The free-space requirements of a `check` step.
    public var disk: [DiskNeed]?

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
                            failureCode: Int32, stage: Int = 0, edit: FileEdit? = nil) -> PlanStep {
        var step = PlanStep(component: component, action: action, reason: reason, failureCode: failureCode)
        step.path = path
        step.diff = diff
        step.stage = stage
        step.edit = edit
        return step
    }

    /// The step with its stage number set.
    public func inStage(_ number: Int) -> PlanStep {
        var copy = self
        copy.stage = number
        return copy
    }

    /// Whether executing this step changes the host's packages.
    public var changesPackages: Bool { action == .install || action == .upgrade || action == .downgrade }

    /// Whether executing this step changes files under the root.
    public var changesFiles: Bool { action == .removeFile || action == .editFile || action == .createFile }
}
