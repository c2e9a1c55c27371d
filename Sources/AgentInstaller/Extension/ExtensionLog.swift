import AgentSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The handler's log (§13): `var/log/waagent.log` under the root until the handler environment is read, then
/// `<logFolder>/extension.log` re-rooted under the root.
///
/// Line format: `YYYY/MM/DD HH:MM:SS ` (local time) + `ERROR:` for errors + `[<extension>-<version>] ` + text, one
/// prefix per line of a multi-line message; non-printable and non-ASCII characters are dropped. Registered secrets
/// are replaced by `***` in every line as a last line of defence; callers still never pass settings plaintext.
public final class ExtensionLog: Sendable {
    private struct State {
        var path: String
        var secrets: [String] = []
    }
    private let state: Mutex<State>
    /// The handler version shown in every line.
    public let version: String
    /// The host root the log folders are re-rooted under.
    public let root: HostRoot

    public static let fileName = "extension.log"

    /// A log writing to `var/log/waagent.log` under `root` until `switchTo(logFolder:)`.
    public init(root: HostRoot, version: String) {
        self.root = root
        self.version = version
        state = Mutex(State(path: root.lexical("/var/log/waagent.log")))
    }

    /// The real path lines currently go to.
    public var path: String { state.withLock { $0.path } }

    /// Sends further lines to `extension.log` in the handler environment's `logFolder` (a host path).
    public func switchTo(logFolder: String) {
        let target = root.lexical(logFolder) + "/" + Self.fileName
        info("Switching logging to \(target)")
        state.withLock { $0.path = target }
    }

    /// Registers a secret: its text is replaced by `***` wherever it would appear in a line.
    public func redact(_ secret: Secret) {
        let text = secret.reveal()
        guard text.count >= 4 else { return }
        state.withLock { $0.secrets.append(text) }
    }

    public func info(_ message: String) { write(message, error: false) }
    public func error(_ message: String) { write(message, error: true) }

    /// The formatted lines for `message` (exposed for tests).
    public func format(_ message: String, error: Bool, now: time_t = time(nil)) -> String {
        var t = now
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let stamp = "\(parts.tm_year + 1900)/\(two(parts.tm_mon + 1))/\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) "
        let prefix = stamp + (error ? "ERROR:" : "") + "[\(StatusFile.extensionName)-\(version)] "
        let secrets = state.withLock { $0.secrets }
        var scrubbed = message
        for secret in secrets { scrubbed = scrubbed.replacing(secret, with: "***") }
        return scrubbed.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let kept = line.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7f }
            return prefix + String(String.UnicodeScalarView(kept)) + "\n"
        }.joined()
    }

    private func write(_ message: String, error: Bool) {
        let text = format(message, error: error)
        state.withLock { s in
            let dir = directoryPart(of: s.path)
            try? FileIO.makeDirectories(dir, mode: 0o755)
            let fd = open(s.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else { return }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        }
    }

    /// The handler version: `<Version>` of `manifest.xml` in the handler directory, else the directory name's part
    /// after the last `-`.
    public static func handlerVersion(handlerDirectory: String) -> String {
        if let xml = FileIO.read(handlerDirectory + "/manifest.xml", limit: 1 << 20).map({ String(decoding: $0, as: UTF8.self) }),
           let open = xml.firstRange(of: "<Version>"), let close = xml[open.upperBound...].firstRange(of: "</Version>") {
            let v = xml[open.upperBound..<close.lowerBound].filter { !$0.isWhitespace }
            if !v.isEmpty { return String(v) }
        }
        let base = handlerDirectory.split(separator: "/").last.map(String.init) ?? ""
        if let dash = base.lastIndex(of: "-") { return String(base[base.index(after: dash)...]) }
        return "unknown"
    }
}

/// A proxy string shown without its password: `[scheme://]user:***@host:port` (§13 do better).
public enum ProxyDisplay {
    public static func redacted(_ proxy: Secret) -> String {
        var text = proxy.reveal()
        var scheme = ""
        if let r = text.firstRange(of: "://") {
            scheme = String(text[..<r.upperBound])
            text = String(text[r.upperBound...])
        }
        guard let at = text.lastIndex(of: "@") else { return scheme + text }
        let credentials = text[..<at]
        let host = text[text.index(after: at)...]
        let user = credentials.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return scheme + user + ":***@" + host
    }
}
