import Preflight
import Testing

@Suite struct OpenSSLFlavourTests {
    @Test(arguments: [
        ("1.0.2k", "100"), ("1.0.1e", "100"), ("1.1.0l", "110"), ("1.1.1w", "110"), ("3.0.11", "300"),
        ("3.2.1", "300"),
    ])
    func versionsMapToFlavours(_ version: String, _ flavour: String) {
        #expect(OpenSSLFlavourRule.rule(forVersion: version)?.flavour.rawValue == flavour)
    }

    @Test(arguments: ["0.9.8zh", "1.0.0t", "2.0.0", "garbage"])
    func unsupportedVersionsHaveNoFlavour(_ version: String) {
        #expect(OpenSSLFlavourRule.rule(forVersion: version) == nil)
    }

    @Test func testedRange() throws {
        let three = try #require(OpenSSLFlavourRule.table.first { $0.soname == "libssl.so.3" })
        #expect(three.isTested(version: "3.0.13"))
        #expect(!three.isTested(version: "3.1.4"))
        #expect(three.accepts(version: "3.1.4"))
        let ten = try #require(OpenSSLFlavourRule.table.first { $0.soname == "libssl.so.10" })
        #expect(!ten.accepts(version: nil))
        #expect(!ten.accepts(version: "1.0.0"))
    }
}
