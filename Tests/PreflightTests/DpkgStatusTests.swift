import AgentSupport
import Preflight
import Testing
import TestSupport

@Suite struct DpkgStatusTests {
    @Test func parsesStanzasStatesAndSizes() {
        let text = "Package: libc6\r\nStatus: install ok installed\r\nInstalled-Size: 12345\r\nArchitecture: amd64\r\n"
            + "Version: 2.36-9+deb12u4\r\nDescription: x\r\n continuation: not a field\r\n\r\n"
            + "Package: rsyslog\nStatus: deinstall ok config-files\nVersion: 8.2302.0-1\n\n"
            + "Package: openssl\nStatus: install ok installed\nVersion: 1:3.0.11-1~deb12u2\n"
        let s = DpkgStatus(bytes: Array(text.utf8))
        #expect(s.packages.map(\.name) == ["libc6", "rsyslog", "openssl"])
        #expect(s.installed("libc6")?.installedSizeKiB == 12345)
        #expect(s.installed("libc6")?.upstreamVersion == "2.36")
        #expect(s.installed("libc6")?.architecture == "amd64")
        #expect(s.installed("rsyslog") == nil)
        #expect(s.installed("openssl")?.upstreamVersion == "3.0.11")
    }

    @Test func agreesWithDpkgQueryOnARealDatabase() async throws {
        // Oracle: dpkg-query reading the same database (the host's, read-only) through --admindir.
        guard let status = DpkgStatus(root: .live) else { return }
        let out = try await Oracle.output(["dpkg-query", "--admindir=/var/lib/dpkg", "-W",
                                           "-f", "${Package}\t${Version}\t${Installed-Size}\t${db:Status-Abbrev}\n"])
        var expected: [String: (String, Int?)] = [:]
        for line in out.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 4, f[3].hasPrefix("ii") else { continue }
            expected[f[0].split(separator: ":").first.map(String.init) ?? f[0]] = (f[1], Int(f[2]))
        }
        let ours = status.packages.filter(\.isInstalled)
        #expect(ours.count == expected.count)
        #expect(!ours.isEmpty)
        for p in ours {
            #expect(expected[p.name]?.0 == p.version, "\(p.name)")
            #expect(expected[p.name]?.1 == p.installedSizeKiB, "\(p.name)")
        }
    }
}
