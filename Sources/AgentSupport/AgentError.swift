/// An error a person can act on: one line of text and the exit code the process ends with.
///
/// Errors carry their code from where they arise; the CLI prints `message` and exits with `code`.
/// A message must never contain a secret (workspace key, proxy password).
public struct AgentError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The documented exit code.
    public var code: ExitCode
    /// One line, no trailing period needed, no secrets.
    public var message: String
    /// An optional hint shown after the message (`remedy:`), also one line.
    public var hint: String?

    public init(_ code: ExitCode, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}
