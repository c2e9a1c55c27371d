import AgentSupport

/// Reads a `<seq>.settings` file (§3) and decrypts its protected settings (§4) in process.
///
/// Recipient material is `var/lib/waagent/<THUMB>.crt` and `.prv` under the root; the certificate's SHA-1 must be
/// `THUMB` (case-insensitive). The plaintext never reaches a log; only `ExtensionSettings`' secrets carry it on.
public struct ExtensionSettingsReader: Sendable {
    public var root: HostRoot
    /// Host directory of the guest agent's certificates.
    public var certificateDirectory = "/var/lib/waagent"

    public init(root: HostRoot) { self.root = root }

    /// The parsed `handlerSettings` of a settings file, before decryption.
    public struct HandlerSettings: Sendable {
        public var publicSettings: [String: JSONValue]?
        public var protectedSettings: String?
        public var thumbprint: String?
        /// The whole file with protected fields replaced, for the log.
        public var redactedText: String
    }

    /// Parses the settings file at real path `path`.
    /// - Throws: exit 11 when the file is empty (the agent's empty `0.settings`) or not the documented JSON.
    public func readHandlerSettings(path: String) throws(AgentError) -> HandlerSettings {
        guard let bytes = FileIO.read(path, limit: 4 << 20) else {
            throw AgentError(.generic, "cannot read the settings file \(path)")
        }
        return try Self.parseHandlerSettings(bytes, name: path.split(separator: "/").last.map(String.init) ?? path)
    }

    /// Parses the text of a settings file named `name` (for messages); no file access, no decryption.
    /// - Throws: exit 11 when the text is empty or not the documented JSON.
    public static func parseHandlerSettings(_ bytes: [UInt8], name: String) throws(AgentError) -> HandlerSettings {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
            throw AgentError(.invalidSettings, "the settings file \(name) is empty: Public configuration must be provided")
        }
        guard let json = JSONValue.parse(bytes) else {
            throw AgentError(.invalidSettings, "the settings file \(name) is not valid JSON")
        }
        guard let first = json["runtimeSettings"]?.arrayValue?.first, let handler = first["handlerSettings"],
              handler.objectValue != nil else {
            throw AgentError(.invalidSettings, "the settings file \(name) lacks runtimeSettings[0].handlerSettings")
        }
        return HandlerSettings(
            publicSettings: handler["publicSettings"]?.objectValue,
            protectedSettings: handler["protectedSettings"]?.stringValue,
            thumbprint: handler["protectedSettingsCertThumbprint"]?.stringValue,
            redactedText: SettingsRedaction.redact(json).compactText)
    }

    /// Decrypts `protectedSettings` when both it and the thumbprint are non-null; nil otherwise.
    /// - Throws: exit 1 "cannot decrypt protectedSettings with <THUMB>.crt/.prv: <reason>".
    public func decryptProtected(_ settings: HandlerSettings) throws(AgentError) -> [String: JSONValue]? {
        guard let blob = settings.protectedSettings, let thumb = settings.thumbprint, !blob.isEmpty, !thumb.isEmpty
        else { return nil }
        let safeThumb = ExtensionSettings.printable(thumb)
        func failure(_ reason: String) -> AgentError {
            AgentError(.generic, "cannot decrypt protectedSettings with \(safeThumb).crt/.prv: \(reason)")
        }
        guard thumb.count == 40, thumb.allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
            throw failure("the thumbprint is not 40 hexadecimal characters")
        }
        // The agent names the files in upper case; a thumbprint given in another case still finds them.
        var base = certificateDirectory + "/" + thumb
        if !root.exists(base + ".crt") { base = certificateDirectory + "/" + thumb.uppercased() }
        guard let certPEM = root.readFile(base + ".crt", limit: 1 << 20) else {
            throw failure("\(base).crt is missing or unreadable")
        }
        guard let keyPEM = root.readFile(base + ".prv", limit: 1 << 20) else {
            throw failure("\(base).prv is missing or unreadable")
        }
        let plaintext: Secret
        do throws(AgentError) {
            let certificate = try X509Certificate(pem: certPEM, what: "\(thumb).crt", code: .generic)
            guard certificate.sha1Thumbprint == thumb.uppercased() else {
                throw failure("the certificate's SHA-1 thumbprint is \(certificate.sha1Thumbprint)")
            }
            let key = try RSAPrivateKey(pem: keyPEM, what: "\(thumb).prv", code: .generic)
            let der = try Base64.decodeLenient(blob, what: "protectedSettings", code: .generic)
            plaintext = try CMSEnvelope.decrypt(der, certificate: certificate, key: key, what: "protectedSettings",
                                                code: .generic)
        } catch {
            if error.message.hasPrefix("cannot decrypt protectedSettings with") { throw error }
            throw failure(error.message)
        }
        guard let object = plaintext.withBytes({ JSONValue.parse($0) })?.objectValue else {
            throw AgentError(.invalidSettings, "the decrypted protectedSettings are not a JSON object")
        }
        return object
    }
}

/// Structural redaction of a settings document for the log (§13 do better).
public enum SettingsRedaction {
    /// Keys whose values are replaced wherever they occur.
    public static let redactedKeys: Set<String> = ["protectedSettings", "protectedSettingsCertThumbprint"]
    public static let marker = "*** REDACTED ***"

    /// `value` with every `protectedSettings` / `protectedSettingsCertThumbprint` member replaced, whatever its form.
    public static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var out: [String: JSONValue] = [:]
            for (k, v) in object { out[k] = redactedKeys.contains(k) && !v.isNull ? .string(marker) : redact(v) }
            return .object(out)
        case .array(let array): return .array(array.map(redact))
        default: return value
        }
    }
}
