import AgentInstaller
import AgentSupport
import Testing
import TestSupport

@Suite struct InstallContextTests {
    @Test func liveContextIsLive() {
        #expect(InstallContext(root: .live).root.isLive)
    }
}
