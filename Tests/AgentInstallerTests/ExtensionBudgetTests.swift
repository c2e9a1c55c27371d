import AgentInstaller
import AgentSupport
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The pieces behind the extension's budgets and its no-op enable: `ProcessStart`, `RetryPolicy` and the settings
/// record of `ExtensionMarker`.
@Suite struct ExtensionBudgetTests {
    /// The process's age agrees with `ps -o etimes=` (whole seconds): ps's figure lies between ours taken just
    /// before and just after running it (a loaded machine may take a while to start ps), within 1 s of rounding.
    @Test func processStartAgreesWithPs() async throws {
        let before = try #require(ProcessStart.elapsed())
        let ps = try await Oracle.output(["ps", "-o", "etimes=", "-p", String(getpid())])
        let after = try #require(ProcessStart.elapsed())
        let seconds = try #require(Int64(ps.filter(\.isNumber)))
        #expect(before.components.seconds - 1 <= seconds && seconds <= after.components.seconds + 1,
                "ours \(before)…\(after), ps \(seconds) s")
        #expect(ProcessStart.instant() <= ContinuousClock.now)
    }

    @Test func retryPolicyKeepsItsReserve() {
        let policy = RetryPolicy(attempts: 3, interval: .seconds(2), reserve: .seconds(5))
        let now = ContinuousClock.now
        #expect(policy.usable(until: now + .seconds(8), now: now) == .seconds(3))
        #expect(policy.usable(until: now + .seconds(4), now: now) == .zero)
        #expect(policy.allows(attempt: 2, pausing: .seconds(2), until: .now + .seconds(60)))
        #expect(!policy.allows(attempt: 4, pausing: .zero, until: .now + .seconds(60)), "attempts are bounded")
        #expect(!policy.allows(attempt: 2, pausing: .seconds(2), until: .now + .seconds(6)), "no pause into the reserve")
        #expect(!policy.allows(attempt: 2, pausing: .zero, until: .now + .seconds(5)), "nothing left beyond the reserve")
        #expect(RetryPolicy(attempts: 0, interval: .zero, reserve: .zero).attempts == 1)
        #expect(RetryPolicy.install.attempts == 10 && RetryPolicy.install.interval == .seconds(30))
        #expect(RetryPolicy.enable.attempts == 5 && RetryPolicy.enable.interval == .seconds(30))
    }

    /// The record is HMAC-SHA256 under the decoded key of the documented fields (python3's hmac as the oracle); any
    /// changed field or key changes it; an empty (upstream) marker has no record.
    @Test func markerRecordsTheSettingsWithoutTheKey() async throws {
        let key = ExtensionFixture.key
        let ws = try WorkspaceID(ExtensionFixture.workspace.uppercased())
        let resource = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/v"
        let proxy = try ProxyConfiguration.parse("http://user:\(ExtensionFixture.proxyPassword)@proxy.example:3128")
        func options(key k: String = key, resource r: String? = resource) throws -> OnboardingOptions {
            try OnboardingOptions(workspace: ws, key: WorkspaceKey(Secret(k)), domain: ServiceDomain("opinsights.azure.us"),
                                  proxy: proxy, azureResourceID: r, endpoint: "https://127.0.0.1:1", caFile: "/ca.pem")
        }
        let marker = ExtensionMarker(options: try options(), handlerVersion: "1.19.0")
        let fields = [ExtensionFixture.workspace.lowercased(), "opinsights.azure.us", resource, proxy.fileLine.reveal(),
                      "https://127.0.0.1:1", "/ca.pem"].joined(separator: "\n")
        let expected = try await Oracle.output(["python3", "-c", """
            import base64, hashlib, hmac, sys
            print(hmac.new(base64.b64decode(sys.argv[1]), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())
            """, key], input: Array(fields.utf8))
        #expect(marker.settingsDigest + "\n" == expected)
        #expect(ExtensionMarker.parse(marker.text) == marker)
        #expect(!marker.text.contains(key) && !marker.text.contains(ExtensionFixture.proxyPassword))
        #expect(ExtensionMarker.parse("") == nil && ExtensionMarker.parse("settings-digest=abc\nhandler-version=1\n") == nil)
        #expect(ExtensionMarker(options: try options(resource: nil), handlerVersion: "1.19.0") != marker)
        #expect(ExtensionMarker(options: try options(key: Base64.encode(Array("another key".utf8))), handlerVersion: "1.19.0") != marker)
        #expect(ExtensionMarker(options: try options(), handlerVersion: "1.20.0") != marker)
    }
}
