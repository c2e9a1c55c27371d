import AgentSupport
import ArgumentParser

/// The proxy options of every command that can use a proxy (`onboard`, `install`, `preflight`, `bundle fetch`,
/// `bundle extract`): `-p PROXY`, `--proxy-file FILE` or `--proxy-stdin`, at most one.
///
/// `-p` puts the value on the command line, which every local user can read: it still works, but a value with
/// credentials draws one warning on stderr. `--proxy-file` takes the first line of FILE and refuses (exit 4) a
/// file that group or others may read. `--proxy-stdin` takes one line of standard input; when `--key-stdin` is
/// also given, the key is line 1 and the proxy line 2.
struct ProxyArguments: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("proxy")],
            help: "Proxy: [http(s)://][user:password@]host[:port] (a password here is visible to local users; prefer --proxy-file or --proxy-stdin).")
    var proxy: String?

    @Option(name: .customLong("proxy-file"),
            help: "Read the proxy from the first line of FILE (mode 600: not readable by group or others).")
    var proxyFile: String?

    @Flag(name: .customLong("proxy-stdin"),
          help: "Read the proxy from one line of standard input (line 2 when --key-stdin is also given).")
    var proxyStdin = false

    /// True when any proxy option was given.
    var given: Bool { proxy != nil || proxyFile != nil || proxyStdin }

    /// The proxy text from the one source given, nil when none; reads standard input itself for `--proxy-stdin`.
    func text() throws(AgentError) -> String? {
        try text(standardInputLine: proxyStdin ? SecretStandardInput.read().line(0) : nil)
    }

    /// The proxy text from the one source given, nil when none. `standardInputLine` is the line of standard input
    /// that holds the proxy (nil when it is missing); it is used only with `--proxy-stdin`.
    func text(standardInputLine: [UInt8]?) throws(AgentError) -> String? {
        let sources = [proxy != nil, proxyFile != nil, proxyStdin].filter { $0 }.count
        guard sources <= 1 else { throw AgentError(.usage, "give the proxy once: -p, --proxy-file or --proxy-stdin") }
        if let proxy {
            // Any '@' means credentials were written on the command line (even when the value does not parse).
            if proxy.unicodeScalars.contains("@") {
                CommandFailure.printError("agent-installer: warning: a proxy password given with -p is visible to every "
                                          + "local user; use --proxy-file or --proxy-stdin")
            }
            return proxy
        }
        if let proxyFile { return try Self.firstLine(ofFile: proxyFile) }
        if proxyStdin {
            guard let line = standardInputLine, !line.isEmpty else {
                throw AgentError(.proxyOrFormatMismatch, "--proxy-stdin: no proxy on standard input")
            }
            return String(decoding: line, as: UTF8.self)
        }
        return nil
    }

    /// The first line of a proxy file that only its owner can read (exit 4 otherwise, with the fix).
    static func firstLine(ofFile path: String) throws(AgentError) -> String {
        guard FileIO.kind(path, followLinks: true) == .regular, let attributes = FileIO.attributes(path) else {
            throw AgentError(.proxyOrFormatMismatch, "cannot read the proxy file \(path)")
        }
        if attributes.mode & 0o044 != 0 {
            throw AgentError(.proxyOrFormatMismatch, "the proxy file \(path) is readable by other users (mode "
                             + String(attributes.mode & 0o7777, radix: 8) + "); run: chmod 600 \(path)")
        }
        guard let bytes = FileIO.read(path, limit: 8192) else {
            throw AgentError(.proxyOrFormatMismatch, "cannot read the proxy file \(path)")
        }
        let line = SecretStandardInput(bytes: bytes).line(0) ?? []
        guard !line.isEmpty else { throw AgentError(.proxyOrFormatMismatch, "the proxy file \(path) is empty") }
        return String(decoding: line, as: UTF8.self)
    }
}

/// Standard input as the secret-taking options read it: once, whole. `--key-stdin` alone takes all of it;
/// `--proxy-stdin` alone takes line 1; both together: the key is line 1 and the proxy line 2.
struct SecretStandardInput {
    let bytes: [UInt8]

    /// All of standard input (up to 8 KiB; more is treated as nothing).
    static func read() -> SecretStandardInput {
        SecretStandardInput(bytes: FileIO.read("/dev/stdin", limit: 8192) ?? [])
    }

    /// Line `index` (0-based) without its line break (LF or CRLF); nil when there is no such line.
    func line(_ index: Int) -> [UInt8]? {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // A final line break does not start another line.
        let count = bytes.last == UInt8(ascii: "\n") ? lines.count - 1 : lines.count
        guard index < count else { return nil }
        var line = Array(lines[index])
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }
}
