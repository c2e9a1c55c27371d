import AgentInstaller
import AgentSupport
import Preflight
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Operation parsing, HandlerEnvironment, settings-file selection, remapping and the OS table.
@Suite struct ExtensionProtocolTests {
    @Test(arguments: [("-install", HandlerOperation.install), ("install", .install), ("/enable", .enable),
                      ("--/-uninstall", .uninstall), ("-disable", .disable), ("-update", .update),
                      ("-telemetry", .telemetry), ("-enableX", .enable)])
    func parsesOperations(_ argument: String, _ expected: HandlerOperation) throws {
        #expect(try HandlerOperation.parse(argument) == expected)
    }

    @Test(arguments: ["", "-Install", "x-install", "-", "-instal", "reinstall"])
    func refusesOtherArguments(_ argument: String) {
        #expect(throws: AgentError(.generic, "No valid operation provided")) { try HandlerOperation.parse(argument) }
    }

    @Test func timeLimitsFollowTheAgent() {
        #expect([HandlerOperation.install, .disable, .update].allSatisfy { $0.timeLimitSeconds == 900 })
        #expect([HandlerOperation.enable, .uninstall].allSatisfy { $0.timeLimitSeconds == 300 })
    }

    static let environmentObject = """
        {"name":"Microsoft.EnterpriseCloud.Monitoring.OmsAgentForLinux","version":1.0,"handlerEnvironment":{\
        "logFolder":"/var/log/azure/x","configFolder":"/ext/config","statusFolder":"/ext/status","heartbeatFile":"/ext/h"}}
        """

    @Test func readsEnvironmentAsArrayOrObject() throws {
        let object = try HandlerEnvironment.parse(Array(Self.environmentObject.utf8))
        let array = try HandlerEnvironment.parse(Array("[\(Self.environmentObject)]".utf8))
        #expect(object == array)
        #expect(object.version == "1.0" && object.configFolder == "/ext/config" && object.eventsFolder == nil)
    }

    /// Regression (reproduced with the handler-environment fuzz target, fuzz/corpus/handler-environment/
    /// big-version-number): a whole number too large for Int as the schema version trapped in `Int(_:)`.
    @Test(arguments: ["1e300", "-1e300", "123456789012345678901234567890", "1e15", "2.5", "7"])
    func numericSchemaVersionNeverTraps(_ number: String) throws {
        let text = Self.environmentObject.replacing(#""version":1.0"#, with: #""version":\#(number)"#)
        let environment = try HandlerEnvironment.parse(Array(text.utf8))
        let expected = Double(number).map { abs($0) < 1e15 && $0 == $0.rounded() ? "\(Int($0)).0" : "\($0)" }
        #expect(environment.version == expected)
    }

    @Test(arguments: ["logFolder", "configFolder", "statusFolder", "heartbeatFile"])
    func missingEnvironmentKeyIs11(_ key: String) {
        let text = Self.environmentObject.replacing("\"\(key)\"", with: "\"other\"")
        #expect(throws: AgentError.self) { try HandlerEnvironment.parse(Array(text.utf8)) }
        do { _ = try HandlerEnvironment.parse(Array(text.utf8)) } catch { #expect(error.code == .invalidSettings) }
    }

    @Test func missingOrBrokenEnvironmentIs1() throws {
        let dir = TemporaryDirectory()
        do { _ = try HandlerEnvironment.read(handlerDirectory: dir.path); Issue.record("read a missing file") } catch {
            #expect(error.code == .generic)
        }
        try dir.write("HandlerEnvironment.json", "[{\"name\":")
        do { _ = try HandlerEnvironment.read(handlerDirectory: dir.path); Issue.record("read broken JSON") } catch {
            #expect(error.code == .generic)
        }
    }

    /// Sets the modification time of `path` to `seconds` since the epoch.
    static func touch(_ path: String, _ seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    @Test func selectsSettingsFiles() throws {
        let dir = TemporaryDirectory()
        for (name, time) in [("1.settings", 100), ("2.settings", 300), ("10.settings", 200), ("HandlerState", 900),
                             ("HandlerStatus", 900), ("99999999999.settings", 900), ("7.settings.bak", 900),
                             ("x.settings", 900)] {
            try dir.write(name, "{}")
            Self.touch(dir.url(name), time)
        }
        // Newest mtime, not the largest number; bad names and the agent's own files ignored.
        #expect(try SettingsFileLocator.locate(configFolder: dir.path, configSequenceNumber: nil).sequenceNumber == 2)
        // ConfigSequenceNumber wins when its file exists; otherwise it is ignored.
        #expect(try SettingsFileLocator.locate(configFolder: dir.path, configSequenceNumber: "10").sequenceNumber == 10)
        #expect(try SettingsFileLocator.locate(configFolder: dir.path, configSequenceNumber: "5").sequenceNumber == 2)
        #expect(try SettingsFileLocator.locate(configFolder: dir.path, configSequenceNumber: "../1").sequenceNumber == 2)
        // Ties go to the larger number.
        Self.touch(dir.url("10.settings"), 300)
        #expect(try SettingsFileLocator.locate(configFolder: dir.path, configSequenceNumber: nil).sequenceNumber == 10)
    }

    @Test func noSettingsFileIs1() throws {
        let dir = TemporaryDirectory()
        try dir.write("HandlerState", "Enabled")
        #expect(throws: AgentError.self) { try SettingsFileLocator.locate(configFolder: dir.path, configSequenceNumber: "0") }
        do { _ = try SettingsFileLocator.locate(configFolder: dir.path, configSequenceNumber: nil) } catch {
            #expect(error.code == .generic && error.message.hasPrefix("Unable to locate a .settings file!"))
        }
    }

    @Test func remapsBundleAndOnboardingResults() {
        #expect(ExitRemapping.map(rc: 17, output: "dpkg: error processing archive").code == 52)
        #expect(ExitRemapping.map(rc: 17, output: "something else").code == 17)
        #expect(ExitRemapping.map(rc: 18, output: "dpkg: error").code == 18)
        #expect(ExitRemapping.map(rc: 19, output: "error: rpmdb open failed").code == 52)
        #expect(ExitRemapping.map(rc: 33, output: "Permission denied").code == 52)
        #expect(ExitRemapping.map(rc: 33, output: "meta config failed").code == 33)
        #expect(ExitRemapping.map(rc: 5, output: "Reason: InvalidWorkspaceKey").code == 53)
        #expect(ExitRemapping.map(rc: 8, output: "please check internet connectivity").code == 53)
        #expect(ExitRemapping.map(rc: 55, output: "Please install curl").code == 52)
        #expect(ExitRemapping.map(rc: 52, output: "Please install curl").code == 52)
        #expect(ExitRemapping.map(rc: 55, output: "unsupported OpenSSL").code == 55)
        #expect(ExitRemapping.map(rc: 127, output: "").code == 52)
        #expect(ExitRemapping.map(rc: 0, output: "dpkg:").code == 0)
        let outcome = ExitRemapping.map(rc: 20, output: "file conflicts with file from package x")
        #expect(outcome.code == 52 && outcome.message.contains("conflicts with file from package") && outcome.message.hasSuffix("see extension.log"))
        #expect(ExitRemapping.map(onboardingFailure: .dns) == .dependencyUnusable)
        #expect(ExitRemapping.map(onboardingFailure: .proxy) == .dependencyUnusable)
        #expect(ExitRemapping.map(onboardingFailure: .tls) == .dependencyUnusable)
        #expect(ExitRemapping.map(onboardingFailure: .forbidden(reason: "InvalidWorkspaceKey")) == .wrongKeyOrParameters)
        #expect(ExitRemapping.map(onboardingFailure: .httpStatus(500)) == nil)
    }

    @Test func supportedOperatingSystems() {
        let table = ExtensionOSSupport.contract
        #expect(table.supports(distribution: "centos", version: "7.9.2009"))
        #expect(table.supports(distribution: "Red Hat Enterprise Linux Server", version: "8.6"))
        #expect(table.supports(distribution: "ubuntu", version: "20.04"))
        #expect(!table.supports(distribution: "ubuntu", version: "20.10"))
        #expect(!table.supports(distribution: "ubuntu", version: "20"))
        #expect(!table.supports(distribution: "debian", version: "12"))
        #expect(table.supports(distribution: "debian", version: "11"))
        #expect(table.supports(distribution: "amzn", version: "2"))
        #expect(!table.supports(distribution: "fedora", version: "8"))
    }

    /// The OS rule is a view of the support matrix's data: a matrix with other extension versions changes it, and
    /// the built-in view agrees with the matrix's extension scope for every row and listed version.
    @Test func osSupportIsAViewOfTheSupportMatrix() throws {
        let custom = try SupportMatrix(json: Array(#"{"schemaVersion":1,"architectures":["x86_64"],"distributions":[{"name":"Debian","prefixes":["debian"],"versions":["11","12"],"extensionVersions":["12"]}]}"#.utf8), source: "test")
        let view = ExtensionOSSupport(matrix: custom)
        #expect(view.supports(distribution: "debian", version: "12"))
        #expect(!view.supports(distribution: "debian", version: "11"), "extensionVersions, not versions, apply")
        #expect(!view.supports(distribution: "ubuntu", version: "22.04"))
        for row in SupportMatrix.default.distributions {
            for version in row.versions + (row.extensionVersions ?? []) {
                #expect(ExtensionOSSupport.contract.supports(distribution: row.prefixes[0], version: version)
                        == (row.extensionVersions ?? row.versions).contains(version), "\(row.name) \(version)")
            }
        }
    }

    @Test func osCheckReadsOsRelease() throws {
        let dir = TemporaryDirectory()
        let root = try HostRoot(dir.path)
        do { _ = try ExtensionOSSupport.contract.check(root: root); Issue.record("no os-release passed") } catch {
            #expect(error.code == .unsupportedOS && error.message.hasPrefix("Indeterminate operating system"))
        }
        try dir.write("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
        do { _ = try ExtensionOSSupport.contract.check(root: root); Issue.record("debian 12 passed") } catch {
            #expect(error == AgentError(.unsupportedOS, "Unsupported operating system: debian 12"))
        }
        try dir.write("etc/os-release", "ID=\"rhel-like\"\nVERSION_ID=\"9.2\"\n")
        #expect(try ExtensionOSSupport.contract.check(root: root).distribution == "rhel")
    }

    @Test func logLineFormat() throws {
        let dir = TemporaryDirectory()
        let log = ExtensionLog(root: try HostRoot(dir.path), version: "1.19.0")
        let text = log.format("first\nsecond \u{1}é", error: true, now: 0)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let pattern = #"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ERROR:\[Microsoft\.EnterpriseCloud\.Monitoring\.OmsAgentForLinux-1\.19\.0\] "#
        for line in lines { #expect(line.contains(try Regex(pattern))) }
        #expect(lines[1].hasSuffix("] second "))
        #expect(!log.format("x", error: false).contains("ERROR:"))
        log.info("before the environment")
        #expect(dir.read("var/log/waagent.log")?.contains("before the environment") == true)
        #expect(ProxyDisplay.redacted(Secret("http://user:pa:ss@proxy.example:3128")) == "http://user:***@proxy.example:3128")
        #expect(ProxyDisplay.redacted(Secret("proxy.example:3128")) == "proxy.example:3128")
    }

    @Test func statusMessagesAreOneShortLine() {
        #expect(StatusFile.oneLine("a\nb\r\tc") == "a b  c")
        #expect(StatusFile.oneLine(String(repeating: "x", count: 5000)).count == StatusFile.messageLimit)
        #expect(StatusFile.summaryLine(operation: .install, status: .error, code: 51, message: "Unsupported\nOS")
                == "Install,error,51,Unsupported OS")
    }
}
