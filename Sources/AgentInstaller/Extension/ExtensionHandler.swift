import AgentSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Drives one guest-agent operation (extension contract §8): common steps, settings, status files, log, error
/// mapping and the agent's time limit; the package and onboarding work goes through `ExtensionOperations`.
public struct ExtensionHandler: Sendable {
    /// Where and how the handler runs.
    public struct Configuration: Sendable {
        public var root: HostRoot
        /// Real path of `EXT` (the working directory unless `--handler-dir` says otherwise).
        public var handlerDirectory: String
        /// The process environment (`ConfigSequenceNumber`, `AZURE_GUEST_AGENT_*`, `VERSION`).
        public var processEnvironment: [String: String]
        /// Free space required on `/var`, `/etc` and `/opt` (§8.1 step 2).
        public var minimumFreeBytes: UInt64 = 500 * 1024 * 1024
        /// Time kept back from the agent's limit to write the final status.
        public var finalStatusMargin: Duration = .seconds(20)
        /// Replaces the agent's limit (tests only need short ones).
        public var timeLimit: Duration?
        /// When the agent started this process (`ProcessStart.instant()`); the limit runs from here. Nil: from
        /// the call to `run`.
        public var processStart: ContinuousClock.Instant?
        public var osSupport: ExtensionOSSupport = .contract

        public init(root: HostRoot, handlerDirectory: String, processEnvironment: [String: String]) {
            self.root = root
            self.handlerDirectory = handlerDirectory
            self.processEnvironment = processEnvironment
        }
    }

    /// The result: exit code, terminal status and the stdout summary line.
    public struct Outcome: Sendable, Equatable {
        public var operation: HandlerOperation
        public var status: HandlerStatus
        public var code: Int32
        public var message: String
        /// `<Operation>,<status>,<code>,<message>`, the one line to print on stdout.
        public var summaryLine: String { StatusFile.summaryLine(operation: operation, status: status, code: code, message: message) }
    }

    public var configuration: Configuration
    public init(configuration: Configuration) { self.configuration = configuration }

    /// Files of omsconfig's status that every operation deletes first (§8.1 step 1).
    static let omsconfigStatusFiles = ["dscperformconsistency", "dscperforminventory", "dscsetlcm", "omsconfighost"]

    /// Runs `operation`, writing `transitioning` and then the terminal status, and returns the outcome.
    public func run(_ operation: HandlerOperation, operations: some ExtensionOperations) async -> Outcome {
        let config = configuration
        let limit = config.timeLimit ?? .seconds(operation.timeLimitSeconds)
        let deadline = (config.processStart ?? ContinuousClock.now) + limit - config.finalStatusMargin
        let log = ExtensionLog(root: config.root, version: ExtensionLog.handlerVersion(handlerDirectory: config.handlerDirectory))
        log.info("\(operation.displayName) started; handler directory \(config.handlerDirectory), root \(config.root.path)")
        let statusBox = Mutex<StatusFile?>(nil)
        var outcome: Outcome
        if operation == .telemetry {
            log.info("the telemetry watcher is optional and not run by this handler")
            return Outcome(operation: operation, status: .success, code: 0, message: "Telemetry watcher not used")
        }
        do throws(AgentError) {
            let message = try await perform(operation, operations: operations, deadline: deadline, limit: limit,
                                            log: log, statusBox: statusBox)
            outcome = Outcome(operation: operation, status: .success, code: 0, message: message)
        } catch {
            outcome = Outcome(operation: operation, status: .error, code: error.code.rawValue,
                              message: error.message + (error.hint.map { "; \($0)" } ?? ""))
            log.error("\(operation.displayName) failed with exit code \(error.code.rawValue) (\(error.code.reason)): \(outcome.message)")
        }
        log.info(outcome.summaryLine)
        if let statusFile = statusBox.withLock({ $0 }) {
            do throws(AgentError) {
                try statusFile.write(operation: operation, status: outcome.status, code: outcome.code, message: outcome.message)
            } catch {
                log.error("cannot write the status file \(statusFile.path): \(error.message)")
            }
        }
        return outcome
    }

    private func perform(
        _ operation: HandlerOperation, operations: some ExtensionOperations, deadline: ContinuousClock.Instant,
        limit: Duration, log: ExtensionLog, statusBox: borrowing Mutex<StatusFile?>
    ) async throws(AgentError) -> String {
        let config = configuration
        let root = config.root
        for name in Self.omsconfigStatusFiles {
            try? FileIO.remove(root.lexical("/var/opt/microsoft/omsconfig/status/" + name))
        }
        if !operation.skipsHostPreconditions { try checkDiskSpace(operation, log: log) }

        let environment = try HandlerEnvironment.read(handlerDirectory: config.handlerDirectory)
        log.switchTo(logFolder: environment.logFolder)
        log.info("\(operation.displayName) in \(config.handlerDirectory) (handler environment schema \(environment.version))")

        let session = try loadSettings(operation, environment: environment, log: log)
        let statusFile = StatusFile(statusFolder: root.lexical(environment.statusFolder), sequenceNumber: session.sequenceNumber)
        statusBox.withLock { $0 = statusFile }
        do throws(AgentError) {
            try statusFile.write(operation: operation, status: .transitioning, code: 0, message: "\(operation.displayName) in progress")
        } catch {
            log.error("cannot write the status file \(statusFile.path): \(error.message)")
        }
        if let failure = session.failure { throw failure }

        let mrseq = MostRecentSequence(handlerDirectory: config.handlerDirectory)
        let request = ExtensionRequest(
            operation: operation, root: root, handlerDirectory: config.handlerDirectory, environment: environment,
            sequenceNumber: session.sequenceNumber, settings: session.settings,
            sequenceAlreadySeen: mrseq.hasSeen(session.sequenceNumber),
            agentVariables: config.processEnvironment.filter { $0.key.hasPrefix("AZURE_GUEST_AGENT_") || $0.key == "VERSION" },
            deadline: deadline, log: log)
        let settings = session.settings
        let budget = "\(operation.displayName) did not finish within the guest agent's \(Int(limit.components.seconds)) s limit"

        switch operation {
        case .install:
            let os = try config.osSupport.check(root: root)
            log.info("operating system \(os.distribution) \(os.version) is supported")
            guard settings.publicSettings != nil else { throw AgentError(.invalidSettings, "Public configuration must be provided") }
            let ws = try settings.validWorkspaceID()
            for line in try WorkspaceStateParking(root: root).restore(workspaceID: ws).lines { log.info(line) }
            if settings.stopOnMultipleConnections {
                try MultipleConnectionCheck(root: root).check(workspaceID: ws)
                log.info("no other workspace or SCOM connection found")
            }
            try await Self.withDeadline(deadline, budget) { () async throws(AgentError) in try await operations.install(request) }
            return "Install succeeded"
        case .enable:
            let os = try config.osSupport.check(root: root)
            log.info("operating system \(os.distribution) \(os.version) is supported")
            guard settings.publicSettings != nil else { throw AgentError(.invalidSettings, "Public configuration must be provided") }
            if !settings.enableAutomaticManagement {
                guard settings.hasProtectedSettings else { throw AgentError(.invalidSettings, "Private configuration must be provided") }
                _ = try settings.validWorkspaceID()
                _ = try settings.validWorkspaceKey()
            }
            log.info("sequence number \(session.sequenceNumber) \(request.sequenceAlreadySeen ? "was already seen" : "is new")")
            try await Self.withDeadline(deadline, budget) { () async throws(AgentError) in try await operations.enable(request) }
            try mrseq.record(session.sequenceNumber)
            log.info("recorded sequence number \(session.sequenceNumber) in \(mrseq.path)")
            return "Enable succeeded"
        case .disable:
            try await Self.withDeadline(deadline, budget) { () async throws(AgentError) in try await operations.disable(request) }
            return "Disable succeeded"
        case .uninstall:
            try await Self.withDeadline(deadline, budget) { () async throws(AgentError) in try await operations.uninstall(request) }
            if let ws = try? settings.validWorkspaceID() {
                for dir in [WorkspaceStateParking.etc + "/" + ws, WorkspaceStateParking.varDir + "/" + ws] {
                    do throws(AgentError) {
                        try FileIO.removeTree(root.lexical(dir))
                        log.info("removed \(dir)")
                    } catch {
                        log.error("cannot remove \(dir): \(error.message)")
                    }
                }
            } else {
                log.info("no valid workspaceId in the settings: workspace directories left in place")
            }
            return "Uninstall succeeded"
        case .update:
            if let ws = try? settings.validWorkspaceID() {
                for line in try WorkspaceStateParking(root: root).park(workspaceID: ws).lines { log.info(line) }
            } else {
                log.info("no valid workspaceId in the settings: no workspace state to park")
            }
            try await Self.withDeadline(deadline, budget) { () async throws(AgentError) in try await operations.update(request) }
            return "Update succeeded"
        case .telemetry:
            return "Telemetry watcher not used"
        }
    }
}
