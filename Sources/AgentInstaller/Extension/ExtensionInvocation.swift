import AgentSupport

/// One run of the handler as the guest agent starts it: the manifest's argument (`-install`, `/enable`…), the
/// handler directory (the working directory unless overridden), `--root` and the process environment.
public enum ExtensionInvocation {
    /// The process's result: the one stdout line and the exit code.
    public struct Result: Sendable, Equatable {
        public var summaryLine: String
        public var code: Int32
        public init(summaryLine: String, code: Int32) {
            self.summaryLine = summaryLine
            self.code = code
        }
    }

    /// Parses the operation and root, runs `ExtensionHandler` and returns the summary line and exit code.
    /// An unknown operation gives `Unknown,error,1,No valid operation provided` without touching anything.
    /// `processStart` is when the process started (the agent's limit runs from there); `timeLimit` replaces the
    /// agent's limit (tests only).
    public static func run(arguments: [String], handlerDirectory: String, root: String,
                           environment: [String: String], operations: some ExtensionOperations,
                           processStart: ContinuousClock.Instant? = nil, timeLimit: Duration? = nil) async -> Result {
        let operation: HandlerOperation
        do throws(AgentError) {
            operation = try HandlerOperation.parse(arguments.first)
        } catch {
            return Result(summaryLine: "Unknown,error,\(error.code.rawValue),\(error.message)", code: error.code.rawValue)
        }
        let hostRoot: HostRoot
        do throws(AgentError) {
            hostRoot = try HostRoot(root)
        } catch {
            return Result(summaryLine: StatusFile.summaryLine(operation: operation, status: .error,
                                                              code: error.code.rawValue, message: error.message),
                          code: error.code.rawValue)
        }
        var configuration = ExtensionHandler.Configuration(
            root: hostRoot, handlerDirectory: handlerDirectory, processEnvironment: environment)
        configuration.processStart = processStart
        if let timeLimit {
            configuration.timeLimit = timeLimit
            configuration.finalStatusMargin = min(configuration.finalStatusMargin, timeLimit / 10)
        }
        let handler = ExtensionHandler(configuration: configuration)
        let outcome = await handler.run(operation, operations: operations)
        return Result(summaryLine: outcome.summaryLine, code: outcome.code)
    }
}
