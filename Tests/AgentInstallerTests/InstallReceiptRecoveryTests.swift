import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// A run killed before its receipt (or one whose receipt write hit a full disk) leaves packages without a receipt;
/// the next install, with nothing to change, records them (found by scripts/test-faults).
@Suite struct InstallReceiptRecoveryTests {
    @Test("a no-change install writes the missing receipt, agreeing with dpkg-query; an existing one is kept")
    func missingReceiptIsWritten() async throws {
        let r = try InstallRoot()
        let bundle = try await r.bundle()
        let first = try await r.install(bundle)
        #expect(first.exitCode == 0)
        try FileIO.remove(r.root.lexical(InstallReceipt.path))

        let again = try await r.install(bundle)
        #expect(again.exitCode == 0 && !again.changed)
        let receipt = try #require(InstallReceipt.read(root: r.root))
        #expect(receipt.packages == (try await r.dpkgQuery()))
        #expect(!receipt.changed && receipt.exitCode == 0 && receipt.newlyInstalled.isEmpty)

        let written = r.dir.read("root" + InstallReceipt.path)
        _ = try await r.install(bundle)
        #expect(r.dir.read("root" + InstallReceipt.path) == written, "a present receipt is not rewritten by a no-change run")
    }
}
