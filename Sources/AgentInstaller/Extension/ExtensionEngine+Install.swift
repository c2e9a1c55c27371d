import AgentSupport
import Preflight

extension ExtensionEngine {
    /// Installs or upgrades from the newest `packages/omsagent-*.universal.x64.sh`, checked against its
    /// `.sha256sums`; never onboards. While the package manager is locked it retries (`installRetry`: each attempt
    /// waits up to one interval for the lock), and gives up with 55 "package manager locked by <holder>" while
    /// `installRetry.reserve` is still left before the deadline (contract §8.2, do better).
    public func install(_ request: ExtensionRequest) async throws(AgentError) {
        let bundle = try Self.newestBundle(handlerDirectory: request.handlerDirectory)
        let expected: BundleDigest
        do throws(AgentError) {
            guard let digest = try BundleDigest.forLocalBundle(path: bundle, sha256: nil, sumsFile: nil) else {
                throw AgentError(.generic, "\(bundle).sha256sums is missing: the bundle cannot be verified")
            }
            expected = digest
        } catch {
            throw AgentError(.generic, error.message)
        }
        let options = InstallOptions(mode: .upgrade, force: false, skipDockerProvider: request.settings.skipDockerProviderInstall,
                                     noDigest: request.settings.noDigest)
        request.log.info("installing from \(bundle) (--upgrade\(options.skipDockerProvider ? ", skip docker provider" : "")"
                         + "\(options.noDigest ? ", no digest" : ""))")
        let session: InstallSession
        do throws(AgentError) {
            session = try await InstallSession.prepare(root: request.root, bundlePath: bundle, expected: expected, options: options)
        } catch where error.code == .integrity {
            throw AgentError(.generic, error.message)
        }
        defer { session.discard() }
        let outcome = try await runWithLockRetries(session, request)
        switch outcome.exitCode {
        case 0: return
        case ExitCode.providerKit.rawValue, ExitCode.auoms.rawValue:
            request.log.info("install finished with a warning: \(outcome.message)")
        default:
            throw ExitRemapping.error(step: "install", rc: outcome.exitCode,
                                      output: ([outcome.message] + outcome.errorLines).joined(separator: "\n"))
        }
    }

    /// Runs the plan up to `installRetry.attempts` times while the package manager is locked (the lock wait of an
    /// attempt timing out, or dpkg/rpm failing on its lock); returns the first other outcome.
    /// - Throws: 55 "package manager locked by <holder>" when the attempts or the time run out.
    func runWithLockRetries(_ session: InstallSession, _ request: ExtensionRequest) async throws(AgentError) -> InstallOutcome {
        let log = request.log
        let policy = installRetry
        let manager = session.plan.packageManager
        var attempt = 1
        while true {
            let wait = min(policy.interval, policy.usable(until: request.deadline))
            let context = InstallRun.Context(runner: runner, lockTimeout: wait, lockReportEvery: policy.interval + .seconds(1),
                                             bundleSHA256: session.bundle.sha256,
                                             // The attempt line below names the holder once, on one line.
                                             progress: { if !$0.hasPrefix("waiting for the ") { log.info($0) } })
            let outcome = await InstallRun.execute(session.plan, context: session.recording(into: context))
            for line in outcome.log { log.info(line) }
            for line in outcome.errorLines { log.error(line) }
            guard Self.isLockFailure(outcome) else { return outcome }
            let holder = PackageLock.holder(in: request.root, files: manager.lockFiles).map(Self.describe)
                ?? Self.holderText(in: outcome) ?? "another process"
            log.info("attempt \(attempt)/\(policy.attempts): package manager locked by \(holder)")
            // A lock-wait timeout already spent its interval; a dpkg/rpm failure on the lock pauses before the next.
            let pause = outcome.failedStage == nil ? Duration.zero : policy.interval
            guard policy.allows(attempt: attempt + 1, pausing: pause, until: request.deadline) else {
                let why = attempt >= policy.attempts ? "after \(attempt) attempts"
                    : "after \(attempt) attempts, to finish before the guest agent's time limit"
                throw AgentError(.dependencyUnusable, "package manager locked by \(holder); gave up \(why)",
                                 hint: "retry when that process has finished")
            }
            if pause > .zero { try? await Task.sleep(for: pause) }
            attempt += 1
        }
    }

    /// True when the outcome failed on the package manager's lock: the lock wait timed out (55 before any stage
    /// ran) or the package tool's output names its lock (contract §8.2: `dpkg … lock`, rpm's transaction lock).
    static func isLockFailure(_ outcome: InstallOutcome) -> Bool {
        guard outcome.exitCode != 0 else { return false }
        if outcome.exitCode == ExitCode.dependencyUnusable.rawValue, outcome.failedStage == nil,
           outcome.message.contains("lock is still held") { return true }
        let text = ([outcome.message] + outcome.errorLines).joined(separator: "\n")
        return text.split(separator: "\n").contains { line in
            (line.contains("dpkg") && line.contains("lock")) || line.contains("waiting for transaction lock")
                || line.contains("rpm.lock") || line.contains("locked by another process")
        }
    }

    /// `pid <n> (<command line>)` or the lock file when the pid is unknown.
    static func describe(_ holder: PackageLock.Holder) -> String {
        guard let pid = holder.pid else { return "an unknown process (\(holder.file))" }
        return "pid \(pid)" + (holder.commandLine.map { " (\(ExtensionSettings.printable($0)))" } ?? "") + " on \(holder.file)"
    }

    /// The holder named in a lock-wait message (`…: /var/lib/dpkg/lock-frontend is locked by pid …`).
    static func holderText(in outcome: InstallOutcome) -> String? {
        guard let range = outcome.message.firstRange(of: "is locked by ") else { return nil }
        return String(outcome.message[range.upperBound...])
    }

    /// The newest `omsagent-<version>.universal.x64.sh` under `EXT/packages` (by Debian version order); else 52.
    static func newestBundle(handlerDirectory: String) throws(AgentError) -> String {
        let dir = handlerDirectory + "/packages"
        let prefix = "omsagent-", suffix = ".universal.x64.sh"
        var best: (version: DebianVersion, name: String)?
        for name in FileIO.list(dir) where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            let text = String(name.dropFirst(prefix.count).dropLast(suffix.count))
            guard let version = try? DebianVersion(text, allowingBadSyntax: true) else { continue }
            if best == nil || best!.version < version { best = (version, name) }
        }
        guard let best else {
            throw AgentError(.systemProblem, "no omsagent-*.universal.x64.sh bundle in \(dir)")
        }
        return dir + "/" + best.name
    }
}
