import AgentSupport
import Testing

@testable import AgentInstaller

@Suite("omsadmin.conf")
struct OmsAdminConfTests {
    static let ws = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    static let guid = "11111111-2222-4333-8444-555555555555"

    @Test("ten keys in order, parentheses escaped, read back unescaped")
    func roundTrip() throws {
        var conf = OmsAdminConf(workspaceID: Self.ws, agentGUID: Self.guid, urlTLD: "opinsights.azure.com")
        conf.certificateUpdateEndpoint = "https://\(Self.ws).oms.opinsights.azure.com/ConfigurationService.Svc/RenewCertificate"
        conf.dscEndpoint = "https://\(Self.ws).agentsvc.azure-automation.net/Accounts/\(Self.ws)/Nodes(AgentId='\(Self.guid)')"
        conf.azureResourceID = "/subscriptions/abc/resourceGroups/rg(1)/providers/Microsoft.Compute/virtualMachines/vm"
        conf.dscEndpoint += "'"  // unbalanced quotes are refused
        #expect(throws: AgentError.self) { try conf.render() }
        conf.dscEndpoint.removeLast()
        let text = try conf.render()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 11 && lines.last == "")
        #expect(lines.dropLast().map { String($0.split(separator: "=")[0]) } == OmsAdminConf.keys)
        #expect(lines[5] == "DSC_ENDPOINT=https://\(Self.ws).agentsvc.azure-automation.net/Accounts/\(Self.ws)/Nodes\\(AgentId='\(Self.guid)'\\)")
        #expect(lines[6] == "OMS_ENDPOINT=https://\(Self.ws).ods.opinsights.azure.com/OperationalData.svc/PostJsonDataItems")
        #expect(lines[2] == "LOG_FACILITY=local0")
        #expect(OmsAdminConf.parse(text) == conf)
        #expect(OmsAdminConf.agentGUID(in: text) == Self.guid)
    }

    @Test("shell-active characters are refused in every value")
    func refusesShellCharacters() {
        for bad in [" ", "'", "\"", "$", "`", ";", "&", "|", "<", ">", "\n"] {
            var conf = OmsAdminConf(workspaceID: Self.ws, agentGUID: Self.guid, urlTLD: "opinsights.azure.com")
            conf.uuid = "abc\(bad)def"
            #expect(throws: AgentError.self, "\(bad.debugDescription)") { try conf.render() }
        }
    }

    @Test("reader splits at the first = and requires the keys")
    func reader() {
        let text = "WORKSPACE_ID=\(Self.ws)\nAGENT_GUID=\(Self.guid)=x\n"
        #expect(OmsAdminConf.agentGUID(in: text) == "\(Self.guid)=x")
        #expect(OmsAdminConf.parse(text) == nil)
        #expect(OmsAdminConf.parse("") == nil)
    }

    @Test("resource ids: /subscriptions/ paths only")
    func resourceIDs() throws {
        try OmsAdminConf.validateResourceID("/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1")
        for bad in ["subscriptions/x", "/subscriptions/a b", "/subscriptions/a;rm", "/other/x", "/subscriptions/$(id)"] {
            #expect(throws: AgentError.self, "\(bad)") { try OmsAdminConf.validateResourceID(bad) }
        }
    }
}
