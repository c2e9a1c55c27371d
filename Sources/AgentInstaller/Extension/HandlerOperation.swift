import AgentSupport

/// One guest-agent operation of the VM-extension handler (extension contract §1.1).
public enum HandlerOperation: String, Sendable, CaseIterable {
    case install, enable, disable, uninstall, update, telemetry

    /// The operation named by the first command-line argument: an optional run of `-`/`/` characters followed by an
    /// operation name in lower case; anything after the name is ignored (the contract's prefix match).
    /// - Throws: `AgentError(.generic, "No valid operation provided")` (exit 1) otherwise.
    public static func parse(_ argument: String?) throws(AgentError) -> HandlerOperation {
        guard let argument else { throw AgentError(.generic, "No valid operation provided") }
        let name = argument.drop(while: { $0 == "-" || $0 == "/" })
        // `uninstall` is tried before `install`; the match is anchored, so the order only documents intent.
        for operation in [HandlerOperation.disable, .uninstall, .install, .enable, .update, .telemetry]
        where name.hasPrefix(operation.rawValue) {
            return operation
        }
        throw AgentError(.generic, "No valid operation provided")
    }

    /// The name used in status files and the summary line (`Install`, `Enable`…).
    public var displayName: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// The guest agent's time limit for the command, in seconds (§1.2); the handler must finish inside it,
    /// retries included.
    public var timeLimitSeconds: Int {
        switch self {
        case .install, .disable, .update: 900
        case .enable, .uninstall: 300
        case .telemetry: 0
        }
    }

    /// True for the operations that must work on a full or broken host: no disk or gpg step (§8.1 do better).
    public var skipsHostPreconditions: Bool { self == .disable || self == .uninstall }
}
