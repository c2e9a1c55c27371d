import AgentSupport
import Preflight
import Testing
import TestSupport

@Suite struct SupportMatrixTests {
    @Test func embeddedMatrixIsTheDataFile() throws {
        let file = try #require(FileIO.read(Repository.root + "/data/support-matrix.json"))
        #expect(String(decoding: file, as: UTF8.self) == SupportMatrix.defaultJSON + "\n")
    }

    @Test(arguments: [
        ("8", "8.6", true), ("7", "7.9.2009", true), ("20.04", "20.04", true), ("20.04", "20.4", true),
        ("22.04", "22", false), ("8", "18.04", false), ("2", "2017.09", false), ("2017.09", "2017.09", true),
        ("12", "12", true), ("12", "13", false), ("15", "15-SP4", true), ("9", "", false),
    ])
    func versionMatchesByLeadingComponents(_ allowed: String, _ actual: String, _ expected: Bool) {
        #expect(SupportMatrix.versionMatches(allowed: allowed, actual: actual) == expected)
    }

    @Test func distributionPrefixesAndScopes() {
        let m = SupportMatrix.default
        #expect(m.supports(id: "rhel", version: "6.10"))
        #expect(!m.supports(id: "rhel", version: "6.10", scope: .extensionHandler))
        #expect(m.supports(id: "Red Hat Enterprise Linux Server", version: "7.9", scope: .extensionHandler))
        #expect(m.supports(id: "opensuse-leap", version: "15.5"))
        #expect(m.supports(id: "almalinux", version: "9.3"))
        #expect(!m.supports(id: "fedora", version: "39"))
        #expect(!m.supports(id: "debian", version: nil))
        #expect(m.supports(id: "debian", version: "12"))
        #expect(!m.supports(id: "debian", version: "12", scope: .extensionHandler))
    }

    @Test func overrideFileIsValidatedWithExit2() {
        #expect(throws: AgentError.self) { try SupportMatrix(json: Array("{\"schemaVersion\":2}".utf8), source: "x") }
        let custom = try? SupportMatrix(json: Array(#"{"schemaVersion":1,"architectures":["aarch64"],"distributions":[{"name":"Debian","prefixes":["debian"],"versions":["13"]}]}"#.utf8), source: "x")
        #expect(custom?.supports(id: "debian", version: "13") == true)
        #expect(custom?.supports(id: "debian", version: "12") == false)
    }
}
