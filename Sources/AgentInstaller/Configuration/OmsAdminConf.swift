import AgentSupport

/// `ETC/<ws>/conf/omsadmin.conf`: exactly ten `KEY=value` lines in the contract's order (§10.8).
///
/// Upstream scripts source this file, so every value is checked for shell-active characters and `(`/`)` are
/// written as `\(`/`\)`. We never source it: `parse` splits each line at the first `=` and undoes the escapes.
public struct OmsAdminConf: Sendable, Equatable {
    public var workspaceID: String
    public var agentGUID: String
    public var logFacility: String = "local0"
    public var certificateUpdateEndpoint: String = ""
    public var urlTLD: String
    public var dscEndpoint: String = ""
    public var omsEndpoint: String
    public var azureResourceID: String = ""
    public var omsCloudID: String = ""
    public var uuid: String = ""

    /// The keys in file order.
    public static let keys = [
        "WORKSPACE_ID", "AGENT_GUID", "LOG_FACILITY", "CERTIFICATE_UPDATE_ENDPOINT", "URL_TLD", "DSC_ENDPOINT",
        "OMS_ENDPOINT", "AZURE_RESOURCE_ID", "OMSCLOUD_ID", "UUID",
    ]

    public init(workspaceID: String, agentGUID: String, urlTLD: String) {
        self.workspaceID = workspaceID
        self.agentGUID = agentGUID
        self.urlTLD = urlTLD
        omsEndpoint = "https://\(workspaceID).ods.\(urlTLD)/OperationalData.svc/PostJsonDataItems"
    }

    /// The values in file order.
    public var values: [String] {
        [workspaceID, agentGUID, logFacility, certificateUpdateEndpoint, urlTLD, dscEndpoint, omsEndpoint,
         azureResourceID, omsCloudID, uuid]
    }

    /// Characters refused in every value (the file is shell-sourced upstream).
    static let forbidden: Set<Character> = [" ", "\t", "\n", "\r", "'", "\"", "$", "`", ";", "&", "|", "<", ">", "\\"]

    /// Throws exit 30 naming the key when a value holds a forbidden character. The one exception: `DSC_ENDPOINT`
    /// may hold balanced single quotes (the service sends `Nodes(AgentId='<guid>')`; quoted text is inert when
    /// sourced, and the DSC helper cuts the URL at `/Nodes`).
    public func validate() throws(AgentError) {
        for (key, value) in zip(Self.keys, values) {
            let quotesAllowed = key == "DSC_ENDPOINT" && value.count(where: { $0 == "'" }) % 2 == 0
            if let bad = value.first(where: {
                (Self.forbidden.contains($0) && !(quotesAllowed && $0 == "'")) || $0.isNewline || ($0.asciiValue ?? 32) < 32
            }) {
                throw AgentError(.internalError, "refusing to write \(key) with the character \(bad.debugDescription)")
            }
        }
    }

    /// The file text: ten lines, each ending in `\n`, `(`/`)` escaped.
    public func render() throws(AgentError) -> String {
        try validate()
        return zip(Self.keys, values).map { "\($0)=\(Self.escape($1))\n" }.joined()
    }

    static func escape(_ v: String) -> String {
        v.replacing("(", with: "\\(").replacing(")", with: "\\)")
    }

    static func unescape(_ v: Substring) -> String {
        String(v).replacing("\\(", with: "(").replacing("\\)", with: ")")
    }

    /// Every `KEY=value` of a file (first `=` split, escapes undone); lines without `=` are skipped.
    public static func entries(_ text: String) -> [(key: String, value: String)] {
        text.split(separator: "\n").compactMap { line in
            guard let eq = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<eq]), unescape(line[line.index(after: eq)...]))
        }
    }

    /// Reads a file; nil when a required key is missing or `WORKSPACE_ID`/`AGENT_GUID` are not GUIDs.
    public static func parse(_ text: String) -> OmsAdminConf? {
        var map: [String: String] = [:]
        for (k, v) in entries(text) where map[k] == nil { map[k] = v }
        guard Self.keys.allSatisfy({ map[$0] != nil }), let ws = map["WORKSPACE_ID"], let guid = map["AGENT_GUID"],
              WorkspaceID.isGUID(ws), WorkspaceID.isGUID(guid), let tld = map["URL_TLD"] else { return nil }
        var conf = OmsAdminConf(workspaceID: ws, agentGUID: guid, urlTLD: tld)
        conf.logFacility = map["LOG_FACILITY"]!
        conf.certificateUpdateEndpoint = map["CERTIFICATE_UPDATE_ENDPOINT"]!
        conf.dscEndpoint = map["DSC_ENDPOINT"]!
        conf.omsEndpoint = map["OMS_ENDPOINT"]!
        conf.azureResourceID = map["AZURE_RESOURCE_ID"]!
        conf.omsCloudID = map["OMSCLOUD_ID"]!
        conf.uuid = map["UUID"]!
        return conf
    }

    /// The `AGENT_GUID` of a file as the reuse rule reads it: the text after the first `=` of that line (§10.3).
    public static func agentGUID(in text: String) -> String? {
        entries(text).first { $0.key == "AGENT_GUID" }?.value
    }

    /// Validates an Azure resource id (`-a`): a `/subscriptions/…` path of resource-id characters; else exit 2.
    public static func validateResourceID(_ id: String) throws(AgentError) {
        let allowed = id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/-_.():".contains($0)) }
        guard id.lowercased().hasPrefix("/subscriptions/"), id.count > 15, allowed else {
            throw AgentError(.usage, "the Azure resource id must be a /subscriptions/… path without spaces or shell characters")
        }
    }
}
