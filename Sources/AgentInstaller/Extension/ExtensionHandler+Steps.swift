import AgentSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ExtensionHandler {
    /// The settings of this run; `failure` is thrown after the `transitioning` status has been written, so that a
    /// settings error lands in `<seq>.status`.
    struct SettingsSession {
        var sequenceNumber: UInt64
        var settings: ExtensionSettings
        var failure: AgentError?
    }

    /// Operations that need their settings: a settings problem fails them. Disable, uninstall and update go on with
    /// what could be read (they must work on a broken host and during the agent's upgrade sequence).
    static func needsSettings(_ operation: HandlerOperation) -> Bool { operation == .install || operation == .enable }

    func loadSettings(_ operation: HandlerOperation, environment: HandlerEnvironment, log: ExtensionLog) throws(AgentError) -> SettingsSession {
        let config = configuration
        let strict = Self.needsSettings(operation)
        let sequenceVariable = config.processEnvironment["ConfigSequenceNumber"]
        let empty = ExtensionSettings(publicSettings: nil, protectedSettings: nil)
        func tolerate(_ error: AgentError, sequence: UInt64) -> SettingsSession {
            if strict { return SettingsSession(sequenceNumber: sequence, settings: empty, failure: error) }
            log.info("settings not usable (\(error.message)); \(operation.displayName) goes on without them")
            return SettingsSession(sequenceNumber: sequence, settings: empty, failure: nil)
        }
        let location: SettingsFileLocation
        do throws(AgentError) {
            location = try SettingsFileLocator.locate(configFolder: config.root.lexical(environment.configFolder),
                                                     configSequenceNumber: sequenceVariable)
        } catch {
            return tolerate(error, sequence: sequenceVariable.flatMap { UInt64($0) } ?? 0)
        }
        log.info("sequence number \(location.sequenceNumber) (ConfigSequenceNumber \(sequenceVariable ?? "unset")); settings \(location.path)")
        let reader = ExtensionSettingsReader(root: config.root)
        let handlerSettings: ExtensionSettingsReader.HandlerSettings
        do throws(AgentError) {
            handlerSettings = try reader.readHandlerSettings(path: location.path)
        } catch {
            return tolerate(error, sequence: location.sequenceNumber)
        }
        log.info("settings: \(handlerSettings.redactedText)")
        var protected: [String: JSONValue]?
        do throws(AgentError) {
            protected = try reader.decryptProtected(handlerSettings)
            if protected != nil { log.info("protectedSettings decrypted in process (CMS) with the certificate named by the thumbprint") }
        } catch {
            if strict { return SettingsSession(sequenceNumber: location.sequenceNumber, settings: empty, failure: error) }
            log.info("\(error.message); \(operation.displayName) goes on without the protected settings")
        }
        let settings = ExtensionSettings(publicSettings: handlerSettings.publicSettings, protectedSettings: protected)
        if let key = settings.workspaceKey { log.redact(key) }
        if let proxy = settings.proxy {
            log.redact(proxy)
            let text = proxy.reveal()
            let afterScheme = text.firstRange(of: "://").map { text[$0.upperBound...] } ?? text[...]
            if let at = afterScheme.lastIndex(of: "@"), let colon = afterScheme[..<at].firstIndex(of: ":") {
                log.redact(Secret(String(afterScheme[afterScheme.index(after: colon)..<at])))
            }
            log.info("proxy: \(ProxyDisplay.redacted(proxy))")
        }
        for warning in settings.warnings { log.info("warning: \(warning)") }
        log.info("workspaceId \(settings.workspaceId.map(ExtensionSettings.printable) ?? "absent"); workspaceKey \(settings.workspaceKey == nil ? "absent" : "present"); "
                 + "vmResourceId \(settings.vmResourceId ?? "absent"); domain \(settings.domain ?? "absent")")
        return SettingsSession(sequenceNumber: location.sequenceNumber, settings: settings, failure: nil)
    }

    /// §8.1 step 2: `/var`, `/etc` and `/opt` under the root each need `minimumFreeBytes`; a `statvfs` error is
    /// ignored.
    func checkDiskSpace(_ operation: HandlerOperation, log: ExtensionLog) throws(AgentError) {
        for dir in ["/var", "/etc", "/opt"] {
            guard let real = configuration.root.resolve(dir) else { continue }
            var fs = statvfs()
            guard statvfs(real, &fs) == 0 else { continue }
            let free = UInt64(fs.f_bavail) * UInt64(fs.f_frsize)
            if free < configuration.minimumFreeBytes {
                log.error("\(dir) has \(free / (1024 * 1024)) MB free, \(configuration.minimumFreeBytes / (1024 * 1024)) MB needed")
                throw AgentError(.systemProblem, "\(operation.displayName) failed due to low disk space on \(dir)")
            }
        }
    }

    /// Runs `body` until it finishes or `deadline` passes; on the deadline the work is cancelled and left behind
    /// (the process exits after writing its status) and the error names the budget.
    static func withDeadline(
        _ deadline: ContinuousClock.Instant, _ budgetMessage: String,
        _ body: @escaping @Sendable () async throws(AgentError) -> Void
    ) async throws(AgentError) {
        let work = Task { () async -> Result<Void, AgentError> in
            do throws(AgentError) { try await body(); return .success(()) } catch { return .failure(error) }
        }
        let timer = Task { try? await Task.sleep(until: deadline, clock: .continuous) }
        let result: Result<Void, AgentError> = await withCheckedContinuation { continuation in
            let once = ResumeOnce()
            Task {
                let value = await work.value
                if once.claim() { continuation.resume(returning: value) }
            }
            Task {
                await timer.value
                if once.claim() {
                    continuation.resume(returning: .failure(AgentError(.generic, budgetMessage + "; see extension.log")))
                }
            }
        }
        timer.cancel()
        work.cancel()
        try result.get()
    }
}

/// True for the first caller of `claim()` only (one resume of a continuation raced by two tasks).
final class ResumeOnce: Sendable {
    private let done = Mutex(false)
    func claim() -> Bool {
        done.withLock { done in
            if done { return false }
            done = true
            return true
        }
    }
}
