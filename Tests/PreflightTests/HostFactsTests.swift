import AgentSupport
import Preflight
import Testing
import TestSupport

@Suite struct HostFactsTests {
    @Test func factsKeepTheirRoot() throws {
        let dir = TemporaryDirectory()
        let facts = HostFacts(root: try HostRoot(dir.path))
        #expect(facts.root.path.hasSuffix(dir.path.split(separator: "/").last.map(String.init)!))
    }
}
