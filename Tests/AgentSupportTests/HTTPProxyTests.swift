@testable import AgentSupport
import Testing
import TestSupport

@Suite struct HTTPProxyTests {
    @Test func parsesPasswordsWithAtColonPercentAndSlashVerbatim() throws {
        let p = try HTTPProxy.parse("http://agent:p@ss:w%rd/1@proxy.example:3128")
        #expect(p.scheme == .http)
        #expect(p.host == "proxy.example")
        #expect(p.port == 3128)
        #expect(p.user == "agent")
        #expect(p.password?.reveal() == "p@ss:w%rd/1")

        let encoded = try HTTPProxy.parse("https://user:pa%40ss@host")
        #expect(encoded.scheme == .https)
        #expect(encoded.password?.reveal() == "pa%40ss")  // never percent-decoded
        #expect(encoded.port == 80)
    }

    /// Found by scripts/fuzz (http-proxy): a user name starting with a combining mark merged with the `/` of
    /// `http://` into one Character, so `://` was not found and the scheme became the user name.
    @Test func combiningMarkAfterASeparatorDoesNotHideIt() throws {
        let p = try HTTPProxy.parse("http://\u{301}user:pw@proxy:3128")
        #expect(p.scheme == .http)
        #expect(p.user == "\u{301}user")
        #expect(p.password?.reveal() == "pw")
        #expect(p.host == "proxy" && p.port == 3128)
        let crash: [UInt8] = [0xcd, 0x95, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                              0xff, 0x2f, 0x3a, 0x70, 0x75, 0x40, 0x68]
        let first = try HTTPProxy.parse(String(decoding: crash, as: UTF8.self))
        let written = "http://\(first.user!):\(first.password!.reveal())@\(first.host):\(first.port)"
        #expect(try HTTPProxy.parse(written) == first)
        // A combining mark right after `:` in the credentials no longer hides the user/password split.
        let colon = try HTTPProxy.parse("u:\u{301}p@h")
        #expect(colon.user == "u" && colon.password?.reveal() == "\u{301}p")
    }

    /// Every separator with a combining mark glued after it (the fuzzer's finding, generalised).
    @Test func combiningMarkAfterEachSeparator() throws {
        let mark = "\u{301}"
        let scheme = try HTTPProxy.written("https://\(mark)u:pw@h:1")
        #expect(scheme.scheme == .https && scheme.user == "\(mark)u" && scheme.host == "h" && scheme.port == 1)
        let at = try HTTPProxy.parse("u:p@\(mark)w@h:1")   // the last `@` splits; the mark stays in the password
        #expect(at.password?.reveal() == "p@\(mark)w" && at.host == "h")
        let bracket = try HTTPProxy.parse("[fd00::1]:3128")
        #expect(bracket.host == "fd00::1")
        for bad in ["u:pw@\(mark)h:1", "h:\(mark)1", "h:1/\(mark)", "[fd00::1]\(mark):3128", "[fd00::1]:\(mark)3128",
                    "http:\(mark)//h:1"] {
            #expect(throws: AgentError.self, "\(bad.unicodeScalars.map { $0.value })") { try HTTPProxy.parse(bad) }
        }
        // No scheme is written: nil in the written form, http in the client's view.
        #expect(try HTTPProxy.written("h").scheme == nil && HTTPProxy.parse("h").scheme == .http)
        #expect(try HTTPProxy.written("h").port == nil)
    }

    @Test func defaultPortIsAParameterAndFormsAreTolerated() throws {
        #expect(try HTTPProxy.parse("proxyhost").port == 80)
        #expect(try HTTPProxy.parse("proxyhost", defaultPort: 1080).port == 1080)
        let trimmed = try HTTPProxy.parse("  http://proxyhost:8080/\n")
        #expect(trimmed.host == "proxyhost" && trimmed.port == 8080 && trimmed.user == nil && trimmed.password == nil)
        let v6 = try HTTPProxy.parse("http://u:p@[fd00::1]:3128")
        #expect(v6.host == "fd00::1" && v6.port == 3128)
        #expect(v6.curlAddress == "http://[fd00::1]:3128")
        // The client always speaks plain HTTP to the proxy and never puts credentials into libcurl's proxy URL.
        #expect(try HTTPProxy.parse("https://u:secret@h:1").curlAddress == "http://h:1")
    }

    @Test(arguments: ["", "socks://h:1080", "ftp://h:21", "user@host", "user:@host:80", ":pass@host:80",
                      "host:", "host:abc", "host:70000", "host:80/x", "ho st:80", "[::1", "http://"])
    func rejectsMalformedProxies(_ text: String) {
        #expect(throws: AgentError.self) { try HTTPProxy.parse(text) }
        do { _ = try HTTPProxy.parse(text) } catch { #expect(error.code == .proxyOrFormatMismatch) }
    }

    @Test func noProxyMatchesHostsAndDomains() {
        let env = ProxyEnvironment(["https_proxy": "http://p:3128", "no_proxy": "localhost, .corp.example,10.1.2.3:443,[::1]"])
        #expect(env.bypasses(host: "localhost"))
        #expect(env.bypasses(host: "LOCALHOST"))
        #expect(env.bypasses(host: "a.corp.example"))
        #expect(env.bypasses(host: "corp.example"))
        #expect(!env.bypasses(host: "evilcorp.example"))
        #expect(env.bypasses(host: "10.1.2.3"))
        #expect(env.bypasses(host: "::1"))
        #expect(!env.bypasses(host: "10.1.2.30"))
        #expect(ProxyEnvironment(["no_proxy": "*"]).bypasses(host: "anything"))
        #expect(!ProxyEnvironment([:]).bypasses(host: "localhost"))
    }

    @Test func environmentPicksTheVariableByScheme() throws {
        let env = ProxyEnvironment(["HTTPS_PROXY": "http://agent:a@b:c@secure:8443", "http_proxy": "plain",
                                    "HTTP_PROXY": "ignored-for-safety", "NO_PROXY": "skip.example"])
        let secure = try #require(try env.proxy(for: "https://x.example/path"))
        #expect(secure.host == "secure" && secure.port == 8443 && secure.user == "agent")
        #expect(secure.password?.reveal() == "a@b:c")
        #expect(try env.proxy(for: "http://x.example/")?.host == "plain")
        #expect(try env.proxy(for: "https://skip.example/") == nil)
        #expect(try ProxyEnvironment(["HTTP_PROXY": "only-upper"]).proxy(for: "http://x/") == nil)
    }

    @Test func theProxyPasswordNeverAppearsInAnyMessageOrDescription() throws {
        let password = "p@ss:w%rd/1"
        let proxy = try HTTPProxy.parse("http://agent:\(password)@proxy.example:3128")
        #expect(!proxy.description.contains(password))
        #expect(!String(reflecting: proxy).contains(password))
        #expect(!"\(proxy)".contains(password))

        // Parse errors never repeat the input.
        for bad in ["http://agent:\(password)@host:abc", "socks://agent:\(password)@h", "agent:\(password)@",
                    "http://agent:\(password)@ho st"] {
            do {
                _ = try HTTPProxy.parse(bad)
                Issue.record("accepted \(bad.count) characters of malformed proxy")
            } catch {
                #expect(!error.message.contains(password) && !(error.hint ?? "").contains(password))
                #expect(!"\(error)".contains(password))
            }
        }
        // A malformed environment variable is named, not shown.
        do {
            _ = try ProxyEnvironment(["https_proxy": "agent:\(password)@h:x"]).proxy(for: "https://t/")
            Issue.record("accepted a malformed https_proxy")
        } catch {
            #expect(error.message.contains("https_proxy"))
            #expect(!error.message.contains(password))
        }
        // Every classification, even when libcurl's own text echoed the password, is masked.
        let target = try HTTPURL("https://user:urlsecret@target.example:8443/bundle.sh?sig=token#frag")
        #expect(target.display == "https://target.example:8443/bundle.sh")
        let codes: [UInt32] = [1, 5, 6, 7, 18, 23, 28, 35, 42, 52, 55, 56, 58, 60, 77, 97, 999]
        for code in codes {
            for connect in [0, 407, 403] {
                let outcome = CurlOutcome(curlCode: code, detail: "echo \(password) from libcurl",
                                          connectStatus: connect, osErrno: 111)
                let (error, _) = HTTPError.classify(outcome, target: target, proxy: proxy,
                                                    configuration: HTTPClientConfiguration())
                #expect(!error.message.contains(password), "code \(code) connect \(connect)")
                #expect(!error.message.contains("urlsecret") && !error.message.contains("token"))
                #expect(!error.message.contains("\n"))
            }
        }
    }

    @Test func classificationOfLibcurlResults() throws {
        let target = try HTTPURL("https://target.example/x")
        let proxy = HTTPProxy(host: "proxy.example", port: 3128, user: "agent", password: Secret("pw"))
        let config = HTTPClientConfiguration()
        func kind(_ code: UInt32, connect: Int = 0, detail: String = "", via: HTTPProxy? = nil) -> HTTPFailureKind {
            HTTPError.classify(CurlOutcome(curlCode: code, detail: detail, connectStatus: connect), target: target,
                               proxy: via, configuration: config).error.kind
        }
        #expect(kind(6) == .dns)  // CURLE_COULDNT_RESOLVE_HOST
        #expect(kind(5, via: proxy) == .proxy)  // CURLE_COULDNT_RESOLVE_PROXY
        #expect(kind(7) == .connect)
        #expect(kind(7, via: proxy) == .proxy)
        #expect(kind(56, connect: 407, via: proxy) == .proxyAuthentication)
        #expect(kind(56, connect: 403, via: proxy) == .proxy)
        #expect(kind(60) == .tlsVerification)
        #expect(kind(35) == .tls)
        #expect(kind(28, detail: "Operation too slow. Less than 1 bytes/sec transferred the last 1 seconds") == .timeout)
        #expect(kind(18) == .connectionLost)
        #expect(kind(42) == .aborted)
        #expect(kind(3) == .other)
    }
}
