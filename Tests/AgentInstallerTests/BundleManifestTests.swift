import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// The manifest built from a payload listing (the listing comes from `tar tzf`, an independent reader) and the
/// sums-file parser.
@Suite("Bundle manifest and sums")
struct BundleManifestTests {
    @Test("the fixture payload: three flavours, four packages in two formats each, the docker kit, auoms")
    func fixtureManifest() async throws {
        let dir = TemporaryDirectory()
        let path = try await Fixtures.bundle(in: dir.path)
        let h = try BundleFile(path: path).header
        let listing = try await Oracle.output(["sh", "-c", "tail -c +\"$1\" \"$2\" | tar tzf -", "sh",
                                               String(h.payloadOffset + 1), path])
        let m = BundleManifest(entryPaths: listing.split(separator: "\n").map(String.init))
        #expect(m.flavours == ["100", "110", "300"])
        #expect(m.packages.count == 24)
        #expect(m.inconsistentBaseNames.isEmpty)
        let distinct = m.distinctPackages.map { "\($0.name) \($0.version) \($0.format)" }
        #expect(distinct == [
            "omi 1.6.10-2 deb", "omi 1.6.10-2 rpm", "omsagent 1.14.19-0 deb", "omsagent 1.14.19-0 rpm",
            "omsconfig 1.1.1-932 deb", "omsconfig 1.1.1-932 rpm", "scx 1.6.10-1 deb", "scx 1.6.10-1 rpm",
        ])
        // The header's *_PKG values are the package base names.
        let bases = Set(m.packages.map(\.baseName))
        #expect(bases == [h.omiPackage, h.scxPackage, h.omsPackage, h.dscPackage])
        #expect(m.kits.map { [$0.name, $0.path, $0.testPath ?? "-"] } == [
            ["docker", "oss-kits/docker-cimprov-1.0.0-1.universal.x86_64.sh", "oss-kits/docker-oss-test.sh"]])
        #expect(m.extras == ["bundles/auoms-2.3.2-3.universal.x64.sh", "bundles/auoms-bundle-test.sh"])
        #expect(m.packages(flavour: "110", format: "deb").map(\.name) == ["omi", "omsagent", "omsconfig", "scx"])
    }

    @Test("a package missing from one flavour directory is reported")
    func inconsistent() {
        let m = BundleManifest(entryPaths: ["./100/", "./100/omi-1.6.10-2.ulinux.s.x64.deb", "110/",
                                            "110/omi-1.6.10-2.ulinux.s.x64.deb", "300/"])
        #expect(m.flavours == ["100", "110", "300"])
        #expect(m.inconsistentBaseNames == ["omi-1.6.10-2.ulinux.s.x64.deb"])
    }

    @Test("sha256sum output is parsed (two spaces and binary '*'), compared with the real sha256sum")
    func sums() async throws {
        let dir = TemporaryDirectory()
        try dir.write("a b.sh", "x")
        try dir.write("c.sh", "y")
        let text = try await Oracle.output(["sh", "-c", "sha256sum 'a b.sh'; sha256sum -b c.sh"], workingDirectory: dir.path)
        let sums = try SHA256Sums(text: text)
        #expect(sums.digest(for: "/some/dir/a b.sh") == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881")
        #expect(sums.digest(for: "c.sh") == "a1fce4363854ff888cff4b8e7875d600c2682390412a8cf79b37d0b11148b0fa")
        #expect(sums.digest(for: "d.sh") == nil)
    }

    @Test("malformed sums files are refused with exit 80", arguments: [
        "", "abc  file\n", String(repeating: "A", count: 64) + "  file\n", String(repeating: "a", count: 64) + " file\n",
        String(repeating: "a", count: 64) + "  x\n" + String(repeating: "b", count: 64) + "  x\n",
    ])
    func badSums(text: String) {
        #expect(throws: AgentError.self) { _ = try SHA256Sums(text: text) }
        do { _ = try SHA256Sums(text: text) } catch { #expect(error.code == .integrity) }
    }

    @Test("--sha256 values: 64 hex digits in any case; anything else is a usage error")
    func digestArgument() throws {
        let upper = String(repeating: "AB", count: 32)
        #expect(try SHA256Sums.normalizedDigest(upper) == upper.lowercased())
        for bad in ["", "abc", String(repeating: "g", count: 64), String(repeating: "a", count: 65)] {
            do { _ = try SHA256Sums.normalizedDigest(bad); Issue.record("accepted \(bad)") } catch {
                #expect(error.code == .usage)
            }
        }
    }
}
