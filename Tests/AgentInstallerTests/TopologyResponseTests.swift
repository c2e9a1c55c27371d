import AgentSupport
import Testing

@testable import AgentInstaller

@Suite("Topology response")
struct TopologyResponseTests {
    static let ws = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    static let guid = "11111111-2222-4333-8444-555555555555"
    static var certURL: String { "https://\(ws).oms.opinsights.azure.com/ConfigurationService.Svc/RenewCertificate" }
    static var dscURL: String { "https://\(ws).agentsvc.azure-automation.net/Accounts/\(ws)/Nodes(AgentId='\(guid)')" }

    static func response(cert: String, dsc: String? = nil) -> [UInt8] {
        let dscPart = dsc ?? "<DscConfiguration><Endpoint>\(TopologyRequest.escape(dscURL))</Endpoint></DscConfiguration>"
        return Array("""
            <?xml version="1.0" encoding="utf-8"?>
            <LinuxAgentTopologyResponse queryInterval="PT1H" telemetryReportInterval="PT1H" id="\(guid)" \
            xmlns="http://schemas.microsoft.com/WorkloadMonitoring/HealthServiceProtocol/2014/09/">
              \(cert)
              \(dscPart)
            </LinuxAgentTopologyResponse>
            """.utf8)
    }

    @Test("full response gives both endpoints; attribute order and whitespace do not matter")
    func full() {
        for cert in [
            "<CertificateUpdateEndpoint updateCertificate=\"false\">\(Self.certURL)</CertificateUpdateEndpoint>",
            "<CertificateUpdateEndpoint  a=\"1\"\n updateCertificate = 'true' >\n  \(Self.certURL)\n</CertificateUpdateEndpoint>",
            "<x:CertificateUpdateEndpoint xmlns:x=\"urn:x\" x:updateCertificate=\"false\">\(Self.certURL)</x:CertificateUpdateEndpoint>",
        ] {
            let r = TopologyResponse(parsing: Self.response(cert: cert))
            #expect(r.certificateUpdateEndpoint == Self.certURL)
            #expect(r.dscEndpoint == Self.dscURL)
            #expect(r.parseCode == nil && r.problem == nil)
        }
    }

    @Test("missing parts give the upstream parser codes and empty values")
    func missing() {
        let noText = TopologyResponse(parsing: Self.response(
            cert: "<CertificateUpdateEndpoint updateCertificate=\"false\"></CertificateUpdateEndpoint>"))
        #expect(noText.parseCode == 10 && noText.certificateUpdateEndpoint.isEmpty && noText.dscEndpoint == Self.dscURL)
        let noAttr = TopologyResponse(parsing: Self.response(
            cert: "<CertificateUpdateEndpoint>\(Self.certURL)</CertificateUpdateEndpoint>"))
        #expect(noAttr.parseCode == 9)
        let noDSC = TopologyResponse(parsing: Self.response(
            cert: "<CertificateUpdateEndpoint updateCertificate=\"false\">\(Self.certURL)</CertificateUpdateEndpoint>",
            dsc: ""))
        #expect(noDSC.parseCode == 9 && noDSC.dscEndpoint.isEmpty && noDSC.certificateUpdateEndpoint == Self.certURL)
        for body in ["", "not xml", "<a><b></a>"] {
            let r = TopologyResponse(parsing: Array(body.utf8))
            #expect(r.parseCode == 9 && r.certificateUpdateEndpoint.isEmpty && r.dscEndpoint.isEmpty)
        }
    }

    @Test("403 reason extracted; none without Reason")
    func reasons() {
        let body = "<?xml version=\"1.0\"?><Error xmlns=\"urn:x\"><Reason>InvalidWorkspaceKey</Reason></Error>"
        #expect(TopologyResponse.reason(in: Array(body.utf8)) == "InvalidWorkspaceKey")
        #expect(TopologyResponse.reason(in: Array("<Error/>".utf8)) == nil)
        #expect(TopologyResponse.reason(in: []) == nil)
    }

    @Test("documents with a DTD or entities are refused")
    func noEntities() {
        let evil = """
            <?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r><Reason>&e;</Reason></r>
            """
        #expect(throws: XMLDocument.ParseError.self) { try XMLDocument(parsing: evil) }
        #expect(TopologyResponse.reason(in: Array(evil.utf8)) == nil)
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(throws: XMLDocument.ParseError.self) { try XMLDocument(parsing: deep) }
    }
}

@Suite("403 handling")
struct ForbiddenTests {
    static func httpDate(_ epoch: Int) -> String {
        // RequestDate with offset 0 gives the calendar fields; rebuild the IMF-fixdate shape from them.
        let t = RequestDate(epochSeconds: epoch, nanoseconds: 0, utcOffsetSeconds: 0).text
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let y = t.prefix(4), m = Int(t.dropFirst(5).prefix(2))!, d = t.dropFirst(8).prefix(2), hms = t.dropFirst(11).prefix(8)
        return "Mon, \(d) \(months[m - 1]) \(y) \(hms) GMT"
    }

    @Test("reason shown, exit 5; skew named from the response Date")
    func skew() {
        let body = Array("<Error><Reason>InvalidWorkspaceKey</Reason></Error>".utf8)
        let now = RequestDate.now().epochSeconds
        let behind = Onboarding.forbidden(TopologyAnswer(status: 403, date: Self.httpDate(now + 3600), body: body))
        #expect(behind.code == .notRootOrForbidden && behind.message.hasSuffix("(HTTP 403): InvalidWorkspaceKey"))
        #expect(behind.hint?.contains("behind the service") == true)
        let ahead = Onboarding.forbidden(TopologyAnswer(status: 403, date: Self.httpDate(now - 7200), body: body))
        #expect(ahead.hint?.contains("ahead of the service") == true)
        let fine = Onboarding.forbidden(TopologyAnswer(status: 403, date: Self.httpDate(now), body: []))
        #expect(fine.message == "the service refused the onboarding request (HTTP 403)")
        #expect(fine.hint?.contains("check the workspace key") == true)
        let noDate = Onboarding.forbidden(TopologyAnswer(status: 403, date: nil, body: body))
        #expect(noDate.hint?.contains("clock") == true)
    }
}
