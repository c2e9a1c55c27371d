/// The documented exit codes of the agent contract (§13), one place for every layer.
///
/// Some numbers mean different things for the package stages and the onboarding step; the raw value is what
/// the process exits with, the case name is the stable symbolic reason shown in JSON output.
public enum ExitCode: Int32, Sendable, Codable, CaseIterable {
    case success = 0
    case generic = 1
    case usage = 2
    case missingModeOrInvalidID = 3
    case proxyOrFormatMismatch = 4
    case notRootOrForbidden = 5
    case httpStatus = 6
    case hostUnresolvable = 7
    case transport = 8
    case multipleConnections = 10
    case invalidSettings = 11
    case omsagentStage = 17
    case omsconfigStage = 18
    case omiStage = 19
    case scxStage = 20
    case providerKit = 21
    case auoms = 22
    case existingAgent = 23
    case internalError = 30
    case guidGeneration = 31
    case certificateGeneration = 32
    case dscFailed = 33
    case dscHelperMissing = 34
    /// VM extension, managed-identity flow (extension contract §9.1): 40 timeout, 41 `ManagedIdentity-Settings`
    /// missing, 42 token, 43 tenant discovery, 44 validation call.
    case managedIdentityTimeout = 40
    case managedIdentitySettingsMissing = 41
    case managedIdentityToken = 42
    case managedIdentityTenant = 43
    case managedIdentityValidation = 44
    case unsupportedOS = 51
    case systemProblem = 52
    case wrongKeyOrParameters = 53
    case dependencyUnusable = 55
    case pythonMissing = 60
    case ctypesMissing = 61
    case tarMissing = 62
    case sedMissing = 63
    case gpgMissing = 65
    case noPackageManager = 66
    case integrity = 80

    /// A stable, machine-readable reason name (the case name in kebab form).
    public var reason: String {
        switch self {
        case .success: "success"
        case .generic: "generic-failure"
        case .usage: "usage"
        case .missingModeOrInvalidID: "invalid-workspace-or-key"
        case .proxyOrFormatMismatch: "proxy-or-format"
        case .notRootOrForbidden: "not-root-or-forbidden"
        case .httpStatus: "http-status"
        case .hostUnresolvable: "host-unresolvable"
        case .transport: "transport"
        case .multipleConnections: "multiple-connections"
        case .invalidSettings: "invalid-settings"
        case .omsagentStage: "omsagent-stage-failed"
        case .omsconfigStage: "omsconfig-stage-failed"
        case .omiStage: "omi-stage-failed"
        case .scxStage: "scx-stage-failed"
        case .providerKit: "provider-kit-failed"
        case .auoms: "auoms-failed"
        case .existingAgent: "existing-agent"
        case .internalError: "internal-error"
        case .guidGeneration: "guid-generation-failed"
        case .certificateGeneration: "certificate-generation-failed"
        case .dscFailed: "dsc-failed"
        case .dscHelperMissing: "dsc-helper-missing"
        case .managedIdentityTimeout: "managed-identity-timeout"
        case .managedIdentitySettingsMissing: "managed-identity-settings-missing"
        case .managedIdentityToken: "managed-identity-token"
        case .managedIdentityTenant: "managed-identity-tenant"
        case .managedIdentityValidation: "managed-identity-validation"
        case .unsupportedOS: "unsupported-os"
        case .systemProblem: "system-problem"
        case .wrongKeyOrParameters: "wrong-key-or-parameters"
        case .dependencyUnusable: "dependency-unusable"
        case .pythonMissing: "python-missing"
        case .ctypesMissing: "ctypes-missing"
        case .tarMissing: "tar-missing"
        case .sedMissing: "sed-missing"
        case .gpgMissing: "gpg-missing"
        case .noPackageManager: "no-package-manager"
        case .integrity: "integrity"
        }
    }
}
