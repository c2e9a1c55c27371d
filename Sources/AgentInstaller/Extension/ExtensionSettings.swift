import AgentSupport

/// The extension's settings (§7): public settings from the `.settings` file and the decrypted protected ones.
///
/// Secrets (`workspaceKey`, `proxy`) are `Secret`s. Nothing here is validated beyond its JSON type; the operations
/// call `validWorkspaceID()` / `validWorkspaceKey()` where the contract requires them.
public struct ExtensionSettings: Sendable {
    /// Public settings as given, nil when missing (`null` or an empty `0.settings`).
    public var publicSettings: [String: JSONValue]?
    /// True when decrypted protected settings are present.
    public var hasProtectedSettings: Bool

    public var workspaceId: String?
    public var stopOnMultipleConnections = false
    public var skipDockerProviderInstall = false
    public var noDigest = false
    public var enableAutomaticManagement = false

    public var workspaceKey: Secret?
    public var proxy: Secret?
    public var vmResourceId: String?
    public var domain: String?

    /// Lines for the log (e.g. a boolean given as a string).
    public var warnings: [String] = []

    /// Settings from the public object and the decrypted protected object.
    public init(publicSettings: [String: JSONValue]?, protectedSettings: [String: JSONValue]?) {
        self.publicSettings = publicSettings
        hasProtectedSettings = protectedSettings != nil
        let pub = publicSettings ?? [:]
        workspaceId = pub["workspaceId"]?.stringValue
        stopOnMultipleConnections = flag(pub, "stopOnMultipleConnections")
        skipDockerProviderInstall = flag(pub, "skipDockerProviderInstall")
        noDigest = flag(pub, "noDigest")
        enableAutomaticManagement = flag(pub, "enableAutomaticManagement")
        let prot = protectedSettings ?? [:]
        workspaceKey = prot["workspaceKey"]?.stringValue.map(Secret.init)
        proxy = prot["proxy"]?.stringValue.flatMap { $0.isEmpty ? nil : Secret($0) }
        vmResourceId = prot["vmResourceId"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        domain = prot["domain"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A boolean setting: JSON `true`, or the strings `"true"`/`"false"` (any case) with a warning.
    private mutating func flag(_ object: [String: JSONValue], _ key: String) -> Bool {
        switch object[key] {
        case .bool(let b)?: return b
        case .string(let s)? where s.lowercased() == "true" || s.lowercased() == "false":
            warnings.append("\(key) is the string \"\(s)\"; accepted as a boolean (write a JSON boolean)")
            return s.lowercased() == "true"
        case nil, .null?: return false
        case let other?:
            warnings.append("\(key) is not a boolean (\(other.compactText)); taken as false")
            return false
        }
    }

    /// The workspace id, required to be a GUID (agent contract §10.1).
    /// - Throws: exit 11 when missing or not a GUID.
    public func validWorkspaceID() throws(AgentError) -> String {
        guard let id = workspaceId, !id.isEmpty else {
            throw AgentError(.invalidSettings, "workspaceId is missing from the public settings")
        }
        guard Self.isGUID(id) else {
            throw AgentError(.invalidSettings, "workspaceId \(Self.printable(id)) is not a GUID")
        }
        return id
    }

    /// The workspace key, required to be canonical Base64 (strict decode then encode reproduces it).
    /// - Throws: exit 11 when missing or not round-trip Base64; the message never quotes the key.
    public func validWorkspaceKey() throws(AgentError) -> Secret {
        guard let key = workspaceKey, !key.isEmpty else {
            throw AgentError(.invalidSettings, "workspaceKey is missing from the protected settings")
        }
        _ = try Base64.decodeStrict(key.reveal(), what: "workspaceKey", code: .invalidSettings)
        return key
    }

    /// The validated workspace id as the onboarding engine's type (exit 11, not onboarding's 3, on failure).
    public func validWorkspace() throws(AgentError) -> WorkspaceID {
        let id = try validWorkspaceID()
        do throws(AgentError) { return try WorkspaceID(id) } catch {
            throw AgentError(.invalidSettings, error.message)
        }
    }

    /// True for `8-4-4-4-12` hexadecimal groups (the onboarding rule, `WorkspaceID.isGUID`).
    public static func isGUID(_ text: String) -> Bool { WorkspaceID.isGUID(text) }

    /// User text made safe for a one-line message: printable ASCII only, at most 64 characters.
    static func printable(_ text: String) -> String {
        let kept = text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7f }
        let s = String(String.UnicodeScalarView(kept))
        return s.count > 64 ? String(s.prefix(64)) + "..." : s
    }
}
