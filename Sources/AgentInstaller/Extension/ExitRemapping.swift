import AgentSupport

/// The §9.2 remapping of bundle and onboarding results to the extension's codes, as data.
///
/// The first rule for the result's rc applies, then the generic rules (rc ∉ {0, 52}, and never for 18, the
/// omsconfig stage). Do better: when the onboarding engine knows the real cause (`OnboardingFailureCause`),
/// DNS/TCP/TLS/proxy failures become 55 and only an HTTP 403 becomes 53.
public enum ExitRemapping {
    /// One row: results with `rc` (nil = any rc ∉ {0, 52, 18}) whose output contains any of `needles` become
    /// `result`, with `cause` as the short reason shown in the status message.
    public struct Rule: Sendable {
        public var rc: Int32?
        public var needles: [String]
        public var result: ExitCode
        public var cause: String
    }

    /// The table, in order.
    public static let rules: [Rule] = [
        Rule(rc: 17, needles: ["Failed dependencies:", "waiting for transaction lock", "dpkg: error processing package systemd",
                               "dpkg-deb", "dpkg:", "Errors were encountered while processing:", "Cannot allocate memory"],
             result: .systemProblem, cause: "the omsagent package could not be installed (dependency or package manager problem)"),
        Rule(rc: 19, needles: ["rpmdb", "cannot open Packages database", "SELinux", "is locked by another process",
                               "libc6 is not installed", "libpam-runtime is not installed", "exited with status 52",
                               "/bin/sh is needed"],
             result: .systemProblem, cause: "the OMI package could not be installed (package database or system problem)"),
        Rule(rc: 33, needles: ["Permission denied"], result: .systemProblem,
             cause: "DSC registration failed: permission denied"),
        Rule(rc: 5, needles: ["Reason: InvalidWorkspaceKey", "Reason: MissingHeader"], result: .wrongKeyOrParameters,
             cause: "the workspace rejected the key (HTTP 403)"),
        Rule(rc: 8, needles: ["Check the correctness of the workspace ID and shared key", "internet connectivity"],
             result: .wrongKeyOrParameters, cause: "onboarding failed: check the workspace id, key and connectivity"),
        Rule(rc: nil, needles: ["dpkg:", "dpkg :", "rpmdb:", "rpm.lock", "locked by another process",
                                "conflicts with file from package", "Failed dependencies:", "Please install curl", "is needed by",
                                "check_version_installable", "Error: curl was not installed",
                                "Please install the ctypes package", "gpg is not installed", "Permission denied"],
             result: .systemProblem, cause: "a missing dependency or a system problem"),
    ]

    /// The remapped result: the code and, when a rule matched, the matched text and its cause.
    public struct Outcome: Sendable, Equatable {
        public var code: Int32
        public var matched: String?
        public var cause: String?
        /// The status message: the cause, the matched text, and a pointer to the log.
        public var message: String {
            guard let cause, let matched else { return "exit code \(code); see extension.log" }
            return "\(cause) (\"\(matched)\"); see extension.log"
        }
    }

    /// Applies the table to a bundle or onboarding result. Unmatched codes pass through; rc 127 becomes 52.
    public static func map(rc: Int32, output: String) -> Outcome {
        if rc == 0 { return Outcome(code: 0) }
        if rc == 127 {
            return Outcome(code: ExitCode.systemProblem.rawValue, matched: "exit 127", cause: "a program was not found")
        }
        for rule in rules {
            if let r = rule.rc { guard r == rc else { continue } } else { guard rc != 52, rc != 18 else { continue } }
            if let needle = rule.needles.first(where: { output.contains($0) }) {
                return Outcome(code: rule.result.rawValue, matched: needle, cause: rule.cause)
            }
        }
        return Outcome(code: rc)
    }

    /// The failure classes the in-process onboarding can tell apart.
    public enum OnboardingFailureCause: Sendable, Equatable {
        case dns, tcp, tls, proxy
        case forbidden(reason: String?)
        case httpStatus(Int)
        case other
    }

    /// The extension code for a classified onboarding failure (do better of §9.2): network classes → 55,
    /// HTTP 403 → 53, anything else → nil (keep the onboarding's own code).
    public static func map(onboardingFailure cause: OnboardingFailureCause) -> ExitCode? {
        switch cause {
        case .dns, .tcp, .tls, .proxy: .dependencyUnusable
        case .forbidden: .wrongKeyOrParameters
        case .httpStatus, .other: nil
        }
    }

    /// An `AgentError` for a failed step: the remapped code and a one-line message naming the step.
    public static func error(step: String, rc: Int32, output: String) -> AgentError {
        let outcome = map(rc: rc, output: output)
        let code = ExitCode(rawValue: outcome.code) ?? .generic
        return AgentError(code, "\(step) failed (exit \(rc)): \(outcome.message)")
    }
}
