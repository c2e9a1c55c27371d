import AgentInstaller
import AgentSupport
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The deadline-budgeted retries of install (package manager locked, §8.2) and the managed-identity codes of enable
/// (40, 41), with the real engine; the lock is a POSIX record lock held by a python3 process, as dpkg takes it.
@Suite struct ExtensionRetryTests {
    /// Holds dpkg's frontend lock of the fixture until released (`BackgroundProgram.release(in: f.dir)`).
    static func lockHolder(_ f: ExtensionFixture) async throws -> BackgroundProgram {
        try await BackgroundProgram.lockHolder(on: f.dir.url("var/lib/dpkg/lock-frontend"), in: f.dir)
    }

    /// The start of the holder's description in messages: its pid and command line.
    static func holderText(_ f: ExtensionFixture, _ holder: BackgroundProgram) -> String {
        "package manager locked by pid \(holder.pid) (/usr/bin/python3 \(f.dir.url("hold-lock.py"))"
    }

    /// The tests' deadlines leave seconds of slack: in a full `swift test` run the suites share two cooperative
    /// threads, and a sleeping handler task was seen waking 3 s late (an enable with a 3 s limit took 4.4 s).
    static func engine(interval: Duration, attempts: Int = 10, reserve: Duration = .seconds(1)) -> ExtensionEngine {
        var engine = ExtensionEngine(metadataURL: nil)
        engine.installRetry = RetryPolicy(attempts: attempts, interval: interval, reserve: reserve)
        return engine
    }

    static func log(_ f: ExtensionFixture) -> String {
        FileIO.read(f.extensionLog).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    @Test func installWaitsOutAShortLockThenSucceeds() async throws {
        let f = try await ExtensionEndToEndTests.fixture()
        try await f.writeStandardSettings(seq: 0)
        let holder = try await Self.lockHolder(f)
        let clock = ContinuousClock(), started = clock.now
        let handler = f.handler(sequence: 0, timeLimit: .seconds(120))
        let install = Task { await handler.run(.install, operations: Self.engine(interval: .seconds(1))) }
        // The lock is released once the handler has reported two locked attempts.
        while !Self.log(f).contains("attempt 2/10: package manager locked"), clock.now - started < .seconds(90) {
            try await Task.sleep(for: .milliseconds(100))
        }
        try BackgroundProgram.release(in: f.dir)
        let outcome = await install.value
        let elapsed = clock.now - started
        _ = await holder.finished()
        #expect(outcome.code == 0, "\(outcome.message)")
        #expect(try await f.statusFields(seq: 0).prefix(3) == ["Install", "success", "0"])
        #expect(f.root.exists("/opt/microsoft/omsagent/bin/omsadmin.sh"))
        let log = Self.log(f)
        #expect(log.contains("attempt 1/10: " + Self.holderText(f, holder)), "\(log)")
        #expect(log.contains("attempt 2/10: package manager locked by pid \(holder.pid)"))
        #expect(elapsed >= .seconds(2), "the install waited for the lock")
    }

    @Test func installGivesUpWith55BeforeTheBudgetEnds() async throws {
        let f = try await ExtensionEndToEndTests.fixture()
        try await f.writeStandardSettings(seq: 0)
        let holder = try await Self.lockHolder(f)
        let clock = ContinuousClock(), started = clock.now
        // Lock waiting may use the limit less the 0.1 s final-status margin and the 6 s reserve: about 7.9 s.
        let limit = Duration.seconds(14)
        let outcome = await f.handler(sequence: 0, timeLimit: limit)
            .run(.install, operations: Self.engine(interval: .seconds(1), attempts: 100, reserve: .seconds(6)))
        let elapsed = clock.now - started
        await holder.stop()
        #expect(outcome.code == 55, "\(outcome.message)")
        #expect(outcome.message.hasPrefix(Self.holderText(f, holder)),
                "\(outcome.message)")
        #expect(outcome.message.contains("to finish before the guest agent's time limit"))
        #expect(elapsed >= .seconds(7) && elapsed < limit, "waited for the lock, gave up before the agent's limit (\(elapsed))")
        let fields = try await f.statusFields(seq: 0)
        #expect(fields.prefix(3) == ["Install", "error", "55"] && fields[3].contains("pid \(holder.pid)"))
        #expect(!f.root.exists("/opt/microsoft/omsagent/bin/omsadmin.sh"), "nothing installed")
        // The attempts themselves are bounded too: two attempts, then 55 naming the holder.
        let second = try await Self.lockHolder(f)
        let bounded = await f.handler(sequence: 0, timeLimit: .seconds(120))
            .run(.install, operations: Self.engine(interval: .milliseconds(300), attempts: 2))
        await second.stop()
        #expect(bounded.code == 55 && bounded.message.contains("pid \(second.pid)") && bounded.message.contains("after 2 attempts"),
                "\(bounded.message)")
    }

    /// The command as the agent runs it: the budget runs from the process's start (`--time-limit` replacing the
    /// agent's 900 s, `--retry-interval` the 30 s pause): with the install reserve of 60 s, a 75 s limit leaves
    /// about 7.5 s of lock waiting (the final-status margin is 7.5 s), fewer than the 10 attempts of 1 s; then one
    /// summary line with 55 and the holder.
    @Test func commandGivesUpWithinItsBudget() async throws {
        let f = try await ExtensionEndToEndTests.fixture()
        try await f.writeStandardSettings(seq: 0)
        let holder = try await Self.lockHolder(f)
        let clock = ContinuousClock(), started = clock.now
        let out = try await Oracle.run([ExtensionEndToEndTests.binary, "extension", "--root", f.dir.path,
                                        "--handler-dir", f.handlerDirectory, "--metadata-url", "",
                                        "--time-limit", "75", "--retry-interval", "1", "-install"],
                                       environment: ["ConfigSequenceNumber": "0"])
        let elapsed = clock.now - started
        await holder.stop()
        #expect(out.status == 55, "\(out.standardOutput) \(out.standardError)")
        #expect(out.standardOutput.hasPrefix("Install,error,55,package manager locked by pid \(holder.pid) "), "\(out.standardOutput)")
        #expect(out.standardOutput.split(separator: "\n").count == 1)
        #expect(out.standardOutput.contains("to finish before the guest agent's time limit"), "\(out.standardOutput)")
        #expect(elapsed < .seconds(67), "\(elapsed)")
        let attempts = Self.log(f).split(separator: "\n").filter { $0.contains("/10: package manager locked by pid \(holder.pid)") }.count
        #expect((2...9).contains(attempts), "about one attempt a second for ~7.5 s (\(attempts))")
    }

    @Test func automaticManagementCodes() async throws {
        let f = try await ExtensionFixture()
        try f.writeSettings(seq: 0, publicSettings: #"{"workspaceId":"\#(ExtensionFixture.workspace)","enableAutomaticManagement":true}"#,
                            protectedBase64: nil)
        var engine = ExtensionEngine(metadataURL: nil)
        // 41: the managed identity extension's settings never appear within the attempts.
        engine.enableRetry = RetryPolicy(attempts: 3, interval: .milliseconds(50), reserve: .zero)
        var outcome = await f.handler(sequence: 0, timeLimit: .seconds(60)).run(.enable, operations: engine)
        #expect(outcome.code == 41 && outcome.message.contains("/var/lib/waagent/ManagedIdentity-Settings is missing"), "\(outcome.message)")
        #expect(try await f.statusFields(seq: 0).prefix(3) == ["Enable", "error", "41"])
        #expect(Self.log(f).contains("attempt 3/3: /var/lib/waagent/ManagedIdentity-Settings is missing"))
        // 40: the time budget ends first (waits may use 10 s less the 0.1 s margin and the 7 s reserve: five
        // pauses of 0.5 s), and the handler says so before the agent's limit.
        engine.enableRetry = RetryPolicy(attempts: 100, interval: .milliseconds(500), reserve: .seconds(7))
        let clock = ContinuousClock(), started = clock.now
        outcome = await f.handler(sequence: 0, timeLimit: .seconds(10)).run(.enable, operations: engine)
        let elapsed = clock.now - started
        #expect(outcome.code == 40 && outcome.message.contains("timed out"), "\(outcome.message)")
        #expect(elapsed > .milliseconds(2400) && elapsed < .seconds(10), "\(elapsed)")
        let attempts = Self.log(f).split(separator: "\n").filter { $0.contains("/100: /var/lib/waagent/ManagedIdentity-Settings is missing") }.count
        #expect((2...6).contains(attempts), "at most five pauses fit, late wake-ups leave fewer (\(attempts))")
        // The settings present: the rest of the flow is not implemented, and the handler says so (exit 1).
        try f.dir.write("var/lib/waagent/ManagedIdentity-Settings", "{}\n")
        outcome = await f.handler(sequence: 0, timeLimit: .seconds(60)).run(.enable, operations: engine)
        #expect(outcome.code == 1 && outcome.message.contains("not supported by this handler"), "\(outcome.message)")
        #expect(f.dir.read(f.handlerHost.dropFirst() + "/mrseq") == nil)
    }
}
