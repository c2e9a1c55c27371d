import AgentSupport

/// The guest agent's `HandlerEnvironment.json` (extension contract §2): where the handler logs, finds its settings
/// and writes its status. Folder values are host paths; callers re-root them under `--root`.
public struct HandlerEnvironment: Sendable, Equatable {
    public var name: String
    /// The schema version (`1.0`), not the extension version.
    public var version: String
    public var logFolder: String
    public var configFolder: String
    public var statusFolder: String
    public var heartbeatFile: String
    /// `eventsFolder` when the agent supports extension telemetry.
    public var eventsFolder: String?

    public static let fileName = "HandlerEnvironment.json"

    /// Reads `HandlerEnvironment.json` in the handler directory (a real path).
    /// - Throws: exit 1 when the file is missing or not JSON; exit 11 when a required key is missing.
    public static func read(handlerDirectory: String) throws(AgentError) -> HandlerEnvironment {
        let path = handlerDirectory + "/" + fileName
        guard let bytes = FileIO.read(path, limit: 1 << 20) else {
            throw AgentError(.generic, "cannot read \(path): missing or unreadable")
        }
        return try parse(bytes, path: path)
    }

    /// Parses the file's content: a one-element array (its `[0]` is used) or an object.
    public static func parse(_ bytes: [UInt8], path: String = fileName) throws(AgentError) -> HandlerEnvironment {
        guard let json = JSONValue.parse(bytes) else {
            throw AgentError(.generic, "cannot read \(path): not valid JSON")
        }
        var element = json
        if let array = json.arrayValue {
            guard let first = array.first else { throw AgentError(.generic, "cannot read \(path): empty array") }
            element = first
        }
        guard element.objectValue != nil else { throw AgentError(.generic, "cannot read \(path): not a JSON object") }
        func required(_ value: JSONValue?, _ key: String) throws(AgentError) -> String {
            switch value {
            case .string(let s)? where !s.isEmpty: return s
            // A whole number prints as `1.0`; only magnitudes an Int holds exactly (1e300 would trap in Int()).
            case .number(let n)?: return n == n.rounded() && abs(n) < 1e15 ? String(format1: n) : String(n)
            default: throw AgentError(.invalidSettings, "\(path) lacks the required key \(key)")
            }
        }
        let name = try required(element["name"], "name")
        let version = try required(element["version"], "version")
        guard let handler = element["handlerEnvironment"], handler.objectValue != nil else {
            throw AgentError(.invalidSettings, "\(path) lacks the required key handlerEnvironment")
        }
        return HandlerEnvironment(
            name: name, version: version,
            logFolder: try required(handler["logFolder"], "handlerEnvironment.logFolder"),
            configFolder: try required(handler["configFolder"], "handlerEnvironment.configFolder"),
            statusFolder: try required(handler["statusFolder"], "handlerEnvironment.statusFolder"),
            heartbeatFile: try required(handler["heartbeatFile"], "handlerEnvironment.heartbeatFile"),
            eventsFolder: handler["eventsFolder"]?.stringValue)
    }
}

extension String {
    /// `1.0` for a whole number (the schema version is written as a JSON number).
    init(format1 value: Double) { self = String(Int(value)) + ".0" }
}

/// The directory part of a real path (`/` for a top-level name, `.` without a slash).
func directoryPart(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let dir = String(path[..<slash])
    return dir.isEmpty ? "/" : dir
}
