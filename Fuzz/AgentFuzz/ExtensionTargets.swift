@testable import AgentInstaller
import AgentSupport

/// The VM-extension handler's readers of guest-agent files: `<seq>.settings` and `HandlerEnvironment.json`.
enum ExtensionTargets {
    /// `ExtensionSettingsReader.parseHandlerSettings` never crashes. For an accepted file: the redacted text is JSON
    /// in which every `protectedSettings` / `protectedSettingsCertThumbprint` member, at any depth, is null or the
    /// marker (redaction is structural and idempotent); the settings built from the public object (also given as
    /// the protected one) never crash, accept only a GUID as workspace id and a canonical Base64 key, and their
    /// printable forms are short printable ASCII.
    static func settings(_ bytes: [UInt8]) {
        guard let parsed = try? ExtensionSettingsReader.parseHandlerSettings(bytes, name: "0.settings") else { return }
        let redacted = JSONValue.parse(Array(parsed.redactedText.utf8))
        require(redacted != nil, "redacted settings are not JSON: \(parsed.redactedText)")
        if let redacted {
            require(onlyRedacted(redacted), "a protected member survived redaction: \(parsed.redactedText)")
            require(SettingsRedaction.redact(redacted) == redacted, "redaction is not idempotent")
        }
        let settings = ExtensionSettings(publicSettings: parsed.publicSettings, protectedSettings: parsed.publicSettings)
        if let id = try? settings.validWorkspaceID() {
            require(WorkspaceID.isGUID(id) && (try? settings.validWorkspace()) != nil, "non-GUID workspace id \(id) accepted")
        }
        if let key = try? settings.validWorkspaceKey() {
            let text = key.reveal()
            require(Base64.encode((try? Base64.decodeStrict(text, what: "k", code: .invalidSettings)) ?? []) == text,
                    "a non-canonical key was accepted")
        }
        for text in [settings.workspaceId, parsed.thumbprint, settings.domain].compactMap({ $0 }) {
            let shown = ExtensionSettings.printable(text)
            require(shown.count <= 67 && shown.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f },
                    "printable() returned \(shown.unicodeScalars.count) scalars")
        }
        // The settings-file name rule on the same bytes.
        let name = String(decoding: bytes.prefix(24), as: UTF8.self)
        if let seq = SettingsFileLocator.sequenceNumber(ofName: name) {
            require(name == "\(name.dropLast(9)).settings" && UInt64(name.dropLast(9)) == seq, "name \(name) accepted")
        }
    }

    /// `HandlerEnvironment.parse` never crashes; an accepted file has non-empty folders.
    static func handlerEnvironment(_ bytes: [UInt8]) {
        guard let environment = try? HandlerEnvironment.parse(bytes) else { return }
        require(!environment.logFolder.isEmpty && !environment.configFolder.isEmpty && !environment.statusFolder.isEmpty,
                "an accepted HandlerEnvironment has an empty folder")
    }

    /// True when no `protectedSettings`/`protectedSettingsCertThumbprint` member holds anything but null or the marker.
    static func onlyRedacted(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object):
            return object.allSatisfy { key, member in
                SettingsRedaction.redactedKeys.contains(key)
                    ? (member.isNull || member == .string(SettingsRedaction.marker))
                    : onlyRedacted(member)
            }
        case .array(let array): return array.allSatisfy(onlyRedacted)
        default: return true
        }
    }
}
