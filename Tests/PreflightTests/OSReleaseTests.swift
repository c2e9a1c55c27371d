import Preflight
import Testing

@Suite struct OSReleaseTests {
    @Test func toleratesQuotesCommentsBlankLinesAndCRLF() {
        let text = "# comment\r\nNAME=\"Red Hat Enterprise Linux\"\r\n\r\n  ID='rhel'\r\nVERSION_ID=8.6 # inline\r\nPRETTY_NAME=\"A \\\"quoted\\\" name\"\r\nnot a line\n"
        let os = OSRelease(text: text)
        #expect(os.id == "rhel")
        #expect(os.versionID == "8.6")
        #expect(os["NAME"] == "Red Hat Enterprise Linux")
        #expect(os.prettyName == "A \"quoted\" name")
    }

    @Test func missingVersionIDIsNil() {
        let os = OSRelease(text: "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\n")
        #expect(os.versionID == nil)
        #expect(os.id == "debian")
    }

    @Test func agreesWithTheShellOnTheHostFile() async throws {
        // Independent oracle: the host's /bin/sh sources the file (read-only) and prints the values.
        guard let text = FileIOText.read("/etc/os-release") else { return }
        let os = OSRelease(text: text)
        let out = try await TestSupportShell.values(of: "/etc/os-release", keys: ["ID", "VERSION_ID", "PRETTY_NAME"])
        #expect(out["ID"] == os["ID"])
        #expect(out["VERSION_ID"] == os["VERSION_ID"])
        #expect(out["PRETTY_NAME"] == os["PRETTY_NAME"])
    }
}
