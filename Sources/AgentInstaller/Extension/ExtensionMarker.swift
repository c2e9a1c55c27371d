import AgentSupport

/// `ETC/<ws>/conf/.azure_extension_marker`: marks a workspace as the extension's (§8.3 step 9; enable removes other
/// marked workspaces) and, doing better than upstream's empty file, records what enable applied, so that an enable
/// whose settings did not change is a no-op that does not contact the service.
///
/// The record is `settings-digest=<hex>` — HMAC-SHA256 under the workspace key of the workspace id, domain,
/// resource id, proxy, endpoint and CA file (so a new key changes it too; neither the key nor the proxy password is
/// recoverable from it) — and `handler-version=<v>` (a new handler version re-onboards, §10).
public struct ExtensionMarker: Sendable, Equatable {
    /// The file name inside `ETC/<ws>/conf`.
    public static let name = ".azure_extension_marker"

    /// Lower-case hexadecimal HMAC-SHA256 of the applied settings.
    public var settingsDigest: String
    /// The handler version that applied them.
    public var handlerVersion: String

    /// A record as read from a marker.
    public init(settingsDigest: String, handlerVersion: String) {
        self.settingsDigest = settingsDigest
        self.handlerVersion = handlerVersion
    }

    /// The record for onboarding `options` with handler `version`.
    public init(options: OnboardingOptions, handlerVersion version: String) {
        let fields = [
            options.workspace.value.lowercased(), options.domain.value, options.azureResourceID ?? "",
            options.proxy.map { $0.fileLine.reveal() } ?? "", options.endpoint ?? "", options.caFile ?? "",
        ]
        let message = Array(fields.joined(separator: "\n").utf8)
        self.init(settingsDigest: Hex.encode(HMACSHA256.authenticationCode(key: options.key.bytes, message: message)),
                  handlerVersion: version)
    }

    /// The file's text.
    public var text: String { "settings-digest=\(settingsDigest)\nhandler-version=\(handlerVersion)\n" }

    /// The record in a marker's text; nil for an empty (upstream) or unrecognised marker.
    public static func parse(_ text: String) -> ExtensionMarker? {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            fields[line[..<eq]] = line[line.index(after: eq)...]
        }
        guard let digest = fields["settings-digest"], digest.count == 64, digest.allSatisfy(\.isHexDigit),
              let version = fields["handler-version"], !version.isEmpty else { return nil }
        return ExtensionMarker(settingsDigest: String(digest), handlerVersion: String(version))
    }
}
