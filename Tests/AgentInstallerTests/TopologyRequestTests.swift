import AgentSupport
import Testing
import TestSupport

@testable import AgentInstaller

@Suite("Topology request signing")
struct TopologyRequestTests {
    static let ws = "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"

    static let oracle = """
        import base64, hashlib, hmac, sys
        for line in sys.stdin.read().splitlines():
            date, key, body = line.split("\\t")
            body = base64.b64decode(body)
            h = base64.b64encode(hashlib.sha256(body).digest()).decode()
            msg = (date + "\\n" + h + "\\n").encode()
            sig = base64.b64encode(hmac.new(base64.b64decode(key), msg, hashlib.sha256).digest()).decode()
            print(h + "\\t" + sig)
        """

    static func bodies() -> [[UInt8]] {
        var out: [[UInt8]] = [[], Array("\n".utf8), Array("<?xml version=\"1.0\"?>\n<a>ünïcødé ✓</a>".utf8),
                               Array("<a>x</a>\n".utf8)]
        for n in [1, 2, 3, 63, 64, 65, 1000, 4096] { out.append((0..<n).map { _ in UInt8.random(in: 0...255) }) }
        return out
    }

    @Test("hash and HMAC agree with Python hashlib/hmac on generated bodies, keys and dates")
    func pythonOracle() async throws {
        var lines: [String] = []
        var mine: [String] = []
        for (i, body) in Self.bodies().enumerated() {
            let keyBytes = (0..<64).map { _ in UInt8.random(in: 0...255) }
            let keyText = Base64.encode(keyBytes)
            #expect(keyText.count == 88)
            let key = try WorkspaceKey(Secret(keyText))
            let date = RequestDate(epochSeconds: 1_700_000_000 + i * 977, nanoseconds: Int.random(in: 0..<1_000_000_000),
                                   utcOffsetSeconds: [0, 3600, -18000, 19800][i % 4])
            let s = TopologyRequestSignature(body: body, date: date, workspaceID: Self.ws, key: key)
            #expect(s.contentHash.count == 44)
            #expect(s.authorization == "\(Self.ws); \(s.signature)")
            lines.append("\(date.text)\t\(keyText)\t\(Base64.encode(body))")
            mine.append("\(s.contentHash)\t\(s.signature)")
        }
        let out = try await Oracle.output(["python3", "-c", Self.oracle], input: Array(lines.joined(separator: "\n").utf8))
        #expect(out.split(separator: "\n").map(String.init) == mine)
    }

    @Test("one flipped body byte or date character changes the signature")
    func sensitivity() throws {
        let key = try WorkspaceKey(Secret(Base64.encode((0..<64).map { UInt8($0) })))
        let body = TopologyRequest(fullyQualifiedDomainName: "h.example", agentGUID: "g", certificateBody: "AAAA",
                                   operatingSystem: nil).body
        let date = RequestDate(epochSeconds: 1_700_000_000, nanoseconds: 5, utcOffsetSeconds: 0)
        let base = TopologyRequestSignature(body: body, date: date, workspaceID: Self.ws, key: key)
        var flipped = body
        flipped[10] ^= 1
        #expect(TopologyRequestSignature(body: flipped, date: date, workspaceID: Self.ws, key: key).signature != base.signature)
        let later = RequestDate(epochSeconds: 1_700_000_000, nanoseconds: 6, utcOffsetSeconds: 0)
        #expect(TopologyRequestSignature(body: body, date: later, workspaceID: Self.ws, key: key).signature != base.signature)
    }

    @Test("date format: nine fraction digits and a ±hh:mm offset")
    func dateFormat() {
        #expect(RequestDate(epochSeconds: 0, nanoseconds: 7, utcOffsetSeconds: 0).text == "1970-01-01T00:00:00.000000007+00:00")
        #expect(RequestDate(epochSeconds: 1_700_000_000, nanoseconds: 123_456_789, utcOffsetSeconds: -16200).text
                == "2023-11-14T17:43:20.123456789-04:30")
        #expect(RequestDate(epochSeconds: 1_700_000_000, nanoseconds: 0, utcOffsetSeconds: 19800).text
                == "2023-11-15T03:43:20.000000000+05:30")
        #expect(RequestDate.parseHTTPDate("Tue, 14 Nov 2023 22:13:20 GMT") == 1_700_000_000)
        let now = RequestDate.now()
        #expect(now.text.count == 35)
    }

    @Test("body: declaration, one newline, one-line root, escaped text, OperatingSystem only when complete")
    func body() {
        let os = TopologyRequest.OperatingSystem(name: "Debian <GNU/Linux>", version: "12", manufacturer: "A & B",
                                                 inContainer: false)
        let r = TopologyRequest(fullyQualifiedDomainName: "host.example", agentGUID: "guid",
                                certificateBody: "MIIB\nAAAA", operatingSystem: os)
        let xml = r.xml
        #expect(xml.hasPrefix("<?xml version=\"1.0\"?>\n<AgentTopologyRequest "))
        #expect(xml.split(separator: "\n").count == 3) // the certificate's own line break only
        #expect(!xml.hasSuffix("\n"))
        #expect(xml.contains("<FullyQualfiedDomainName>host.example</FullyQualfiedDomainName><EntityTypeId>guid</EntityTypeId>"))
        #expect(xml.contains("<OperatingSystem><InContainer>False</InContainer><Name>Debian &lt;GNU/Linux&gt;</Name>"))
        #expect(xml.contains("<Manufacturer>A &amp; B</Manufacturer>"))
        #expect(xml.contains("<ProcessorArchitecture>x64</ProcessorArchitecture></OperatingSystem></AgentTopologyRequest>"))
        let doc = try? XMLDocument(parsing: xml)
        #expect(doc?.root.first("AuthenticationCertificate")?.text == "MIIB\nAAAA")
        let none = TopologyRequest(fullyQualifiedDomainName: "h", agentGUID: "g", certificateBody: "c", operatingSystem: nil)
        #expect(!none.xml.contains("OperatingSystem"))
    }

    @Test("keys: canonical Base64 only; the key never appears in the error")
    func keys() {
        for bad in ["", "abc", "QUJD=", "QUJDRA=", "QUJ DRA==", "not base64!!"] {
            do {
                _ = try WorkspaceKey(Secret(bad))
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.code == .missingModeOrInvalidID)
                if bad.count > 3 { #expect(!error.message.contains(bad)) }
            }
        }
        #expect((try? WorkspaceKey(Secret("QUJDRA==\n"))) != nil)
    }

    @Test("workspace ids, GUIDs and domains")
    func identifiers() throws {
        #expect(throws: AgentError.self) { try WorkspaceID("scom") }
        #expect(throws: AgentError.self) { try WorkspaceID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4") }
        #expect(throws: AgentError.self) { try WorkspaceID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4g") }
        #expect(try WorkspaceID(Self.ws).value == Self.ws)
        let g = AgentGUID.random().value
        #expect(WorkspaceID.isGUID(g) && g == g.lowercased() && Array(g)[14] == "4" && "89ab".contains(Array(g)[19]))
        #expect(AgentGUID.random() != AgentGUID.random())
        for d in ServiceDomain.known { #expect(try ServiceDomain(d).value == d) }
        for bad in ["", "localhost", "a..b", "-a.b", "a b.c", "x.y/z"] {
            #expect(throws: AgentError.self, "\(bad)") { try ServiceDomain(bad) }
        }
    }
}

@Suite("Host identity facts")
struct HostIdentityFactsTests {
    @Test("dmidecode UUID as printed, asset tag only when it starts with 77")
    func dmidecode() {
        let text = """
            Handle 0x0001, DMI type 1, 27 bytes
            System Information
            \tManufacturer: Microsoft Corporation
            \tUUID: 1A2B3C4D-0000-1111-2222-333344445555
            Handle 0x0003, DMI type 3, 22 bytes
            \tAsset Tag: No Asset Tag
            \tAsset Tag: 7783-7084 3265-9085 8269-3286 77
            """
        let p = HostIdentityFacts.parseDmidecode(text)
        #expect(p.uuid == "1A2B3C4D-0000-1111-2222-333344445555")
        #expect(p.cloudID == "7783-70843265-90858269-328677")
        #expect(HostIdentityFacts.parseDmidecode("\tAsset Tag: 1234").cloudID == nil)
    }

    @Test("FQDN from /etc/hosts without DNS")
    func fqdn() {
        let hosts = "127.0.0.1 localhost\n10.0.0.5 web1.corp.example web1 # main\n"
        #expect(HostIdentityFacts.fqdnFromHosts(hosts, host: "web1") == "web1.corp.example")
        #expect(HostIdentityFacts.fqdnFromHosts(hosts, host: "db1") == nil)
        #expect(HostIdentityFacts.fqdnFromHosts("127.0.1.1 web1\n", host: "web1") == nil)
    }

    @Test("scx-release, installinfo, sys dmi files and hostname under the root")
    func fromRoot() throws {
        let r = try OnboardingRoot()
        try r.dir.write("sys/devices/virtual/dmi/id/product_uuid", "ABCDEF01-2345-6789-ABCD-EF0123456789\n")
        try r.dir.write("sys/devices/virtual/dmi/id/chassis_asset_tag", "7783 1234\n")
        let f = HostIdentityFacts(root: r.root)
        #expect(f.fullyQualifiedDomainName == "testhost")
        #expect(f.operatingSystem == .init(name: "Debian", version: "12", manufacturer: "Debian Project", inContainer: false))
        #expect(f.agentVersion == "1.19.0-0")
        #expect(f.machineUUID == "abcdef01-2345-6789-abcd-ef0123456789")
        #expect(f.cloudID == "77831234")
        try FileIO.remove(r.path("/etc/opt/microsoft/scx/conf/scx-release"))
        let g = HostIdentityFacts(root: r.root)
        #expect(g.operatingSystem == nil && g.warnings.count == 1)
    }
}
