import AgentSupport
import Testing

@testable import AgentInstaller

@Suite("Proxy configuration")
struct ProxyConfigurationTests {
    typealias P = DaemonProxyGrammar.Parsed

    static let daemonAccepted: [(String, P)] = [
        ("proxyhost", P(user: nil, password: nil, host: "proxyhost", port: nil)),
        ("proxyhost:8080", P(user: nil, password: nil, host: "proxyhost", port: "8080")),
        ("http://proxyhost:8080", P(user: nil, password: nil, host: "proxyhost", port: "8080")),
        ("https://1.2.3.4:1234", P(user: nil, password: nil, host: "1.2.3.4", port: "1234")),
        ("user:pass@proxyhost:8080", P(user: "user", password: "pass", host: "proxyhost", port: "8080")),
        ("http://user:pass@proxyhost", P(user: "user", password: "pass", host: "proxyhost", port: nil)),
        ("user:pa:ss@proxyhost:8080", P(user: "user", password: "pa:ss", host: "proxyhost", port: "8080")),
        ("http://user:pa%40ss@host:80", P(user: "user", password: "pa%40ss", host: "host", port: "80")),
        ("pr oxy:80", P(user: nil, password: nil, host: "pr oxy", port: "80")),
    ]

    static let daemonRejected = [
        "user:p@ss@host:8080", "user:pass@proxyhost:", "user:pass/proxyhost", "userandpass@proxyhost",
        "user:@host:80", ":pass@host:80", "[::1]:8080", "proxyhost:8080/", "user:pass@host:80/x", "host:abc", "",
        "socks://proxyhost:1080", "ftp://host:21", "HTTP://host:80", "http://http://host:80",
    ]

    @Test("daemon grammar accepts the contract's table, also with a trailing newline")
    func daemonAccepts() {
        for (line, expected) in Self.daemonAccepted {
            #expect(DaemonProxyGrammar.parse(line) == expected, "\(line)")
            #expect(DaemonProxyGrammar.parse(line + "\n") == expected, "\(line)\\n")
        }
    }

    @Test("daemon grammar rejects the contract's table")
    func daemonRejects() {
        for line in Self.daemonRejected {
            #expect(DaemonProxyGrammar.parse(line) == nil, "\(line)")
        }
    }

    @Test("tolerant input becomes a canonical line the daemon reads back identically")
    func tolerantInput() throws {
        let cases: [(String, String, String?, String?, String, Int?)] = [
            ("  http://proxyhost:8080/ \n", "http://proxyhost:8080", nil, nil, "proxyhost", 8080),
            ("HTTPS://User:pa:ss@Proxy.example.com", "https://User:pa:ss@Proxy.example.com", "User", "pa:ss",
             "Proxy.example.com", nil),
            ("user:pa%40ss@host:80", "user:pa%40ss@host:80", "user", "pa%40ss", "host", 80),
            ("proxyhost", "proxyhost", nil, nil, "proxyhost", nil),
            ("https://1.2.3.4:1234//", "https://1.2.3.4:1234", nil, nil, "1.2.3.4", 1234),
        ]
        for (input, line, user, password, host, port) in cases {
            let p = try ProxyConfiguration.parse(input)
            #expect(p.fileLine.reveal() == line)
            #expect(p.user == user)
            #expect(p.password?.reveal() == password)
            #expect(p.host == host)
            #expect(p.port == port)
            #expect(p.effectivePort == (port ?? 80))
            let d = try #require(DaemonProxyGrammar.parse(p.fileLine.reveal()))
            #expect(d.host == host && d.user == user && d.password == password)
        }
    }

    @Test("values the daemon cannot use are refused with exit 4 and a reason")
    func refusals() {
        let cases: [(String, String)] = [
            ("user:p@ss@host:8080", "'@'"), ("[::1]:8080", "IPv6"), ("http://[fe80::1%25eth0]:3128", "IPv6"),
            ("fe80::1:3128", "IPv6"), ("pr oxy:80", "whitespace"), ("socks://proxyhost:1080", "scheme"),
            ("user:pass@host:80/x", "path"), ("host:abc", "port"), ("host:70000", "port"), ("host:", "port"),
            ("", "empty"), ("userandpass@proxyhost", "user:password"), ("user:@host:80", "password is empty"),
            (":pass@host:80", "user name is empty"), ("http://http://host:80", "more than one scheme"), ("ho$t:80", "host"),
            ("a\nb:80", "whitespace"),
        ]
        for (input, why) in cases {
            do {
                let p = try ProxyConfiguration.parse(input)
                Issue.record("accepted \(input.debugDescription) as \(p)")
            } catch {
                #expect(error.code == .proxyOrFormatMismatch, "\(input)")
                #expect(error.message.contains(why), "\(input): \(error.message)")
            }
        }
    }

    @Test("the password never appears in the description or an error message")
    func passwordMasked() throws {
        let p = try ProxyConfiguration.parse("http://user:s3cretPW@proxy:3128")
        #expect(p.description == "http://user:****@proxy:3128")
        #expect(!"\(p)".contains("s3cretPW"))
        do {
            _ = try ProxyConfiguration.parse("user:s3cr@tPW@proxy:3128")
        } catch {
            #expect(!error.message.contains("s3cr"))
        }
    }

    /// A combining mark (U+0301) written right after a separator merges with it into one `Character`; splitting on
    /// Characters then misses the separator that libcurl, squid and the daemon all see. Every separator of the
    /// grammar, with a mark glued after it:
    @Test("a combining mark after /, :, @ or ] never hides the separator (proxy.conf and daemon grammar)")
    func combiningMarksAfterSeparators() throws {
        let mark = "\u{301}"
        // After the `/` of `://`: the scheme is still found, the mark belongs to the user name.
        let scheme = try ProxyConfiguration.parse("http://\(mark)u:pw@host:3128")
        #expect(scheme.scheme == .http && scheme.user == "\(mark)u" && scheme.password?.reveal() == "pw")
        #expect(scheme.host == "host" && scheme.port == 3128)
        // After the `:` of the credentials: still the user/password split.
        let colon = try ProxyConfiguration.parse("u:\(mark)pw@host:3128")
        #expect(colon.user == "u" && colon.password?.reveal() == "\(mark)pw" && colon.host == "host")
        #expect(DaemonProxyGrammar.parse(colon.fileLine.reveal()) == P(user: "u", password: "\(mark)pw", host: "host", port: "3128"))
        let refused: [(String, String)] = [
            ("u:pw@\(mark)x@host:3128", "'@'"),       // an `@` inside the password, hidden by the mark
            ("u:pw@\(mark)host:3128", "host"),         // after the splitting `@`: the mark is part of the host
            ("host:\(mark)3128", "port"),              // after the port's `:`
            ("host:3128/\(mark)", "path"),             // after a trailing `/`: not trailing any more
            ("[::1]\(mark):3128", "IPv6"),             // after `]`
            ("http:\(mark)//host:3128", "path"),       // inside `://`: no scheme, and `/` in the host part
        ]
        for (input, why) in refused {
            do {
                let p = try ProxyConfiguration.parse(input)
                Issue.record("accepted \(input.unicodeScalars.map { String($0.value, radix: 16) }) as \(p)")
            } catch {
                #expect(error.code == .proxyOrFormatMismatch)
                #expect(error.message.contains(why), "\(input.debugDescription): \(error.message)")
            }
        }
        // The daemon's grammar sees the `@` behind the mark too (it used to accept this password).
        #expect(DaemonProxyGrammar.parse("u:pw@\(mark)x@host:80") == nil)
        #expect(DaemonProxyGrammar.parse("http://\(mark)u:pw@host:80") == P(user: "\(mark)u", password: "pw", host: "host", port: "80"))
        #expect(DaemonProxyGrammar.parse("host:\(mark)80") == nil)
    }

    @Test("proxy.conf's parser is a view of the HTTP client's: every accepted value means the same to both")
    func oneGrammar() throws {
        let inputs = ["proxyhost", "proxyhost:8080", " HTTPS://User:pa:ss@Proxy.example.com// ", "user:pa%40ss@host:80",
                      "http://\u{301}u:pw@h:1", "https://1.2.3.4:1234"]
        for input in inputs {
            let configuration = try ProxyConfiguration.parse(input)
            #expect(configuration.httpProxy == (try HTTPProxy.parse(input)), "\(input)")
            let written = try HTTPProxy.written(input)
            #expect(configuration.port == written.port && configuration.scheme == written.scheme, "\(input)")
        }
        // What only the daemon cannot represent is still valid for the HTTP client.
        for input in ["user:p@ss@host:8080", "http://u:p@[fd00::1]:3128"] {
            #expect(throws: AgentError.self) { try ProxyConfiguration.parse(input) }
            #expect(try HTTPProxy.parse(input).user == "user" || (try HTTPProxy.parse(input)).host == "fd00::1")
        }
    }
}
