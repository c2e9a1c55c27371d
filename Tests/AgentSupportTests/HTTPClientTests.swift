import AgentSupport
import FoundationEssentials
import Synchronization
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Real transfers against the servers `scripts/test-servers` starts (nginx, squid, the faulty server).
@Suite(.enabled(if: TestEnvironment.serversAvailable, "needs scripts/test (test servers)"))
struct HTTPClientTests {
    let www = TestEnvironment.value("AGENT_TEST_WWW") ?? ""
    let ca = TestEnvironment.value("AGENT_TEST_CA")
    let httpsPort = TestEnvironment.value("AGENT_TEST_HTTPS_PORT") ?? "0"
    let untrustedPort = TestEnvironment.value("AGENT_TEST_UNTRUSTED_PORT") ?? "0"
    let faultyPort = TestEnvironment.value("AGENT_TEST_FAULTY_PORT") ?? "0"
    let faultyTLSPort = TestEnvironment.value("AGENT_TEST_FAULTY_TLS_PORT") ?? "0"
    let proxyPort = Int(TestEnvironment.value("AGENT_TEST_PROXY_PORT") ?? "0") ?? 0
    let proxyUser = TestEnvironment.value("AGENT_TEST_PROXY_USER") ?? ""
    let proxyPassword = TestEnvironment.value("AGENT_TEST_PROXY_PASSWORD") ?? ""
    let proxyLog = TestEnvironment.value("AGENT_TEST_PROXY_ACCESS_LOG") ?? ""

    // MARK: helpers

    /// A client trusting the test CA, direct, with quick retries.
    func client(_ adjust: (inout HTTPClientConfiguration) -> Void = { _ in }) -> HTTPClient {
        var c = HTTPClientConfiguration(caFile: ca, proxy: .direct)
        c.retryDelay = .milliseconds(100)
        c.connectTimeout = .seconds(5)
        adjust(&c)
        return HTTPClient(c)
    }

    /// Publishes `size` random bytes in the docroot under a fresh name.
    func publish(_ size: Int) throws -> String {
        let name = "t-\(UInt64.random(in: 0...UInt64.max)).bin"
        var bytes = [UInt8](repeating: 0, count: size)
        let random = open("/dev/urandom", O_RDONLY | O_CLOEXEC)  // fast even in a debug build
        defer { close(random) }
        var filled = 0
        while filled < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(random, $0.baseAddress! + filled, size - filled) }
            try #require(n > 0)
            filled += n
        }
        try AtomicFile.write(www + "/" + name, bytes, mode: 0o644)
        return name
    }

    func sha256(_ path: String) async throws -> String {
        String(try await Oracle.output(["sha256sum", path]).prefix(64))
    }

    /// Downloads `url` into a new file in `dir`; returns the file's path with the result or the error.
    func download(_ client: HTTPClient, _ url: String, in dir: TemporaryDirectory,
                  progress: (@Sendable (HTTPProgress) -> Void)? = nil) async -> (String, Result<HTTPDownloadResult, HTTPError>) {
        let path = dir.url("download-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer { close(fd) }
        do {
            return (path, .success(try await client.download(url, to: fd, progress: progress)))
        } catch {
            return (path, .failure(error))
        }
    }

    func proxy(password: String? = nil, user: String? = nil) -> HTTPProxy {
        HTTPProxy(host: "127.0.0.1", port: proxyPort, user: user ?? proxyUser, password: Secret(password ?? proxyPassword))
    }

    /// The proxy's access log size now: lines after it belong to what a test does next.
    func proxyLogMark() -> Int { FileIO.read(proxyLog)?.count ?? 0 }

    /// Access-log lines of the test proxy written after `mark`, waiting up to 5 s for one that satisfies
    /// `match` (squid logs a CONNECT when its tunnel closes).
    func proxyLogLines(after mark: Int, matching match: (String) -> Bool) async throws -> [String] {
        for _ in 0..<50 {
            let lines = (FileIO.read(proxyLog).map { String(decoding: $0.dropFirst(mark), as: UTF8.self) } ?? "")
                .split(separator: "\n").map(String.init)
            let found = lines.filter(match)
            if !found.isEmpty { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        return []
    }

    // MARK: downloads

    @Test func downloadsOverHTTPSWithTheTestCAAndReportsProgress() async throws {
        let name = try publish(3 << 20 | 12345)
        let dir = TemporaryDirectory()
        let last = Mutex<HTTPProgress?>(nil)
        let (path, result) = await download(client(), "https://localhost:\(httpsPort)/\(name)", in: dir) { p in
            last.withLock { $0 = p }
        }
        let done = try result.get()
        #expect(done.response.status == 200)
        #expect(done.bytes == Int64(3 << 20 | 12345))
        #expect(done.attempts == 1 && done.resumes == 0)
        #expect(try await sha256(path) == sha256(www + "/" + name))
        #expect(last.withLock { $0 } == HTTPProgress(bytes: Int64(3 << 20 | 12345), total: Int64(3 << 20 | 12345)))
        #expect(done.response.header("content-length") == String(3 << 20 | 12345))
    }

    @Test func downloadsThroughSquidWithBasicAuthAndAPasswordContainingAtAndColon() async throws {
        #expect(proxyPassword.contains("@") && proxyPassword.contains(":"))
        let name = try publish(700_001)
        let dir = TemporaryDirectory()
        let mark = proxyLogMark()
        let c = client { $0.proxy = .proxy(proxy()) }
        let (path, result) = await download(c, "https://127.0.0.1:\(httpsPort)/\(name)", in: dir)
        let done = try result.get()
        #expect(done.response.status == 200 && done.bytes == 700_001)
        #expect(try await sha256(path) == sha256(www + "/" + name))
        // The tunnel went through squid, authenticated as `agent`, to the nginx port.
        let lines = try await proxyLogLines(after: mark) {
            $0.contains("TCP_TUNNEL/200") && $0.contains(" CONNECT 127.0.0.1:\(httpsPort) \(proxyUser) ")
        }
        #expect(!lines.isEmpty)
    }

    @Test func proxyWithoutOrWithWrongCredentialsIsClassifiedAsProxyAuthentication() async throws {
        let name = try publish(10)
        let url = "https://127.0.0.1:\(httpsPort)/\(name)"
        let anonymous = client { $0.proxy = .proxy(HTTPProxy(host: "127.0.0.1", port: proxyPort)) }
        await #expect(throws: HTTPError.self) { try await anonymous.get(url) }
        do { _ = try await anonymous.get(url) } catch { #expect(error.kind == .proxyAuthentication) }

        let wrongPassword = "wr@ng:pass%word/2"
        let wrong = client { $0.proxy = .proxy(proxy(password: wrongPassword)) }
        do {
            _ = try await wrong.get(url)
            Issue.record("a wrong proxy password was accepted")
        } catch {
            #expect(error.kind == .proxyAuthentication)
            #expect(!error.message.contains(wrongPassword) && !"\(error)".contains(wrongPassword))
            #expect(error.message.contains("407"))
        }
    }

    @Test func aConnectionDroppedMidTransferIsResumedWithRange() async throws {
        let size = 1_500_000
        let name = try publish(size)
        let dir = TemporaryDirectory()
        let (path, result) = await download(client(), "http://127.0.0.1:\(faultyPort)/drop/\(name)?after=600000", in: dir)
        let done = try result.get()
        #expect(done.attempts == 2)
        #expect(done.resumes == 1)
        #expect(done.response.status == 206)
        #expect(done.bytes == Int64(size))
        #expect(FileIO.attributes(path)?.size == Int64(size))
        #expect(try await sha256(path) == sha256(www + "/" + name))
    }

    @Test func aServerIgnoringRangeMakesTheDownloadRestartCleanlyFromZero() async throws {
        let size = 800_000
        let name = try publish(size)
        let dir = TemporaryDirectory()
        let url = "http://127.0.0.1:\(faultyPort)/drop-norange/\(name)?after=300000"
        let (path, result) = await download(client(), url, in: dir)
        let done = try result.get()
        #expect(done.attempts == 2 && done.resumes == 0)
        #expect(done.response.status == 200)
        #expect(FileIO.attributes(path)?.size == Int64(size))
        #expect(try await sha256(path) == sha256(www + "/" + name))
    }

    @Test func aByteSinkSeesEveryByteInOrderAndIsToldToRestart() async throws {
        let size = 600_000
        let name = try publish(size)
        let received = Mutex<(bytes: [UInt8], restarts: Int)>(([], 0))
        let sink = HTTPSink(
            write: { chunk in received.withLock { $0.bytes.append(contentsOf: chunk) }; return true },
            restart: { received.withLock { $0 = ([], $0.restarts + 1) }; return true })
        let url = "http://127.0.0.1:\(faultyPort)/drop-norange/\(name)?after=250000"
        let done = try await client().download(url, into: sink)
        #expect(done.attempts == 2 && done.bytes == Int64(size))
        let (bytes, restarts) = received.withLock { $0 }
        #expect(restarts == 1)
        #expect(bytes == FileIO.read(www + "/" + name))

        // A sink that refuses data stops the transfer, classified as aborted and not retried.
        let refusing = HTTPSink(write: { _ in false }, restart: { true })
        let error = await #expect(throws: HTTPError.self) {
            try await client().download("https://localhost:\(httpsPort)/\(name)", into: refusing)
        }
        #expect(error?.kind == .aborted)
    }

    @Test func aResetConnectionIsRetriedAndAPersistentResetIsClassified() async throws {
        let name = try publish(50_000)
        let dir = TemporaryDirectory()
        let (path, result) = await download(client(), "http://127.0.0.1:\(faultyPort)/reset/\(name)", in: dir)
        #expect(try result.get().attempts == 2)
        #expect(try await sha256(path) == sha256(www + "/" + name))

        let (_, failed) = await download(client { $0.retries = 1 }, "http://127.0.0.1:\(faultyPort)/reset-always", in: dir)
        #expect(throws: HTTPError.self) { try failed.get() }
        if case .failure(let error) = failed { #expect(error.kind == .connectionLost) }
    }

    @Test func twoServiceUnavailableAnswersAreRetriedToSuccess() async throws {
        let name = try publish(4096)
        let dir = TemporaryDirectory()
        let (path, result) = await download(client(), "http://127.0.0.1:\(faultyPort)/flaky/\(name)?failures=2", in: dir)
        let done = try result.get()
        #expect(done.attempts == 3 && done.response.status == 200)
        #expect(try await sha256(path) == sha256(www + "/" + name))
        let seen = try await client().get("http://127.0.0.1:\(faultyPort)/flaky-count/\(name)?failures=2")
        #expect(seen.text == "3")

        // With too few retries the 503 is the error, for downloads and in-memory requests alike.
        let other = try publish(10)
        let (_, failed) = await download(client { $0.retries = 1 },
                                         "http://127.0.0.1:\(faultyPort)/flaky/\(other)?failures=2", in: dir)
        if case .failure(let error) = failed {
            #expect(error.kind == .httpStatus(503))
            #expect(error.response?.status == 503)
        } else {
            Issue.record("expected a 503 failure")
        }
        let memory = try await client { $0.retries = 0 }.get("http://127.0.0.1:\(faultyPort)/flaky/\(other)?failures=5")
        #expect(memory.status == 503 && memory.text == "try again\n")
    }

    @Test func aStalledTransferTimesOutQuicklyAsTimeout() async throws {
        let dir = TemporaryDirectory()
        let c = client {
            $0.stallTimeout = .seconds(1)
            $0.retries = 0
        }
        let clock = ContinuousClock()
        let start = clock.now
        let (_, result) = await download(c, "http://127.0.0.1:\(faultyPort)/stall?after=100", in: dir)
        let elapsed = clock.now - start
        guard case .failure(let error) = result else { Issue.record("a stalled transfer succeeded"); return }
        #expect(error.kind == .timeout)
        #expect(error.message.contains("stalled"))
        #expect(elapsed < .seconds(15))  // the server stalls for 120 s

        // A server that never answers at all is bounded the same way.
        let silent = await #expect(throws: HTTPError.self) {
            try await c.get("http://127.0.0.1:\(faultyPort)/stall-headers")
        }
        #expect(silent?.kind == .timeout)
    }

    @Test func theTotalBoundStopsRetriesAndSlowTransfers() async throws {
        let c = client {
            $0.stallTimeout = .seconds(30)
            $0.totalTimeout = .milliseconds(1500)
            $0.retries = 5
        }
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: HTTPError.self) {
            try await c.get("http://127.0.0.1:\(faultyPort)/stall-headers")
        }
        #expect(error?.kind == .timeout)
        #expect(clock.now - start < .seconds(15))  // stall rule 30 s, server silent for 120 s
    }

    @Test func anUntrustedCertificateIsRefusedUnlessInsecureIsExplicit() async throws {
        let name = try publish(100)
        let url = "https://localhost:\(untrustedPort)/\(name)"
        let error = await #expect(throws: HTTPError.self) { try await client().get(url) }
        #expect(error?.kind == .tlsVerification)
        // The system bundle does not know the test CA either.
        let system = await #expect(throws: HTTPError.self) {
            try await HTTPClient(HTTPClientConfiguration(caFile: nil, proxy: .direct)).get("https://localhost:\(httpsPort)/\(name)")
        }
        #expect(system?.kind == .tlsVerification)
        let insecure = try await client { $0.insecure = true }.get(url)
        #expect(insecure.status == 200 && insecure.body.count == 100)
    }

    @Test func aRefusedConnectionIsClassifiedAsConnect() async throws {
        // A bound socket that does not listen refuses connections, and its port is reserved meanwhile.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let error = await #expect(throws: HTTPError.self) {
            try await client { $0.retries = 1 }.get("https://127.0.0.1:\(port)/x")
        }
        #expect(error?.kind == .connect)
        #expect(error?.message.contains("refused") == true)
        // The same through a proxy that is not there is a proxy failure.
        let viaProxy = await #expect(throws: HTTPError.self) {
            try await client {
                $0.retries = 0
                $0.proxy = .proxy(HTTPProxy(host: "127.0.0.1", port: port))
            }.get("https://127.0.0.1:\(httpsPort)/x")
        }
        #expect(viaProxy?.kind == .proxy)
    }

    @Test func redirectsAreFollowedAndOnlyTheFinalBodyIsWritten() async throws {
        let name = "d-\(UInt64.random(in: 0...UInt64.max))"
        let page = Array("final page \(name)\n".utf8)
        try FileIO.makeDirectories(www + "/" + name)
        try AtomicFile.write(www + "/\(name)/index.html", page, mode: 0o644)
        let dir = TemporaryDirectory()
        // nginx answers /NAME with a 301 (and an HTML body) to /NAME/.
        let (path, result) = await download(client(), "https://localhost:\(httpsPort)/\(name)", in: dir)
        #expect(try result.get().response.status == 200)
        #expect(FileIO.read(path) == page)
        let memory = try await client().get("https://localhost:\(httpsPort)/\(name)")
        #expect(memory.body == page)
        let unfollowed = try await client { $0.maximumRedirects = 0 }.get("https://localhost:\(httpsPort)/\(name)")
        #expect(unfollowed.status == 301)
    }

    @Test func aMissingFileIsAnHTTPStatusError() async throws {
        let dir = TemporaryDirectory()
        let (path, result) = await download(client(), "https://localhost:\(httpsPort)/does-not-exist", in: dir)
        guard case .failure(let error) = result else { Issue.record("404 succeeded"); return }
        #expect(error.kind == .httpStatus(404))
        #expect(FileIO.attributes(path)?.size == 0)  // the error page never reaches the sink
        let status = try await client().get("http://127.0.0.1:\(faultyPort)/status/404")
        #expect(status.status == 404)
    }

    @Test func environmentProxiesAreUsedAndNoProxyIsHonoured() async throws {
        let name = try publish(2000)
        let url = "http://127.0.0.1:\(faultyPort)/file/\(name)"
        let proxyURL = "http://\(proxyUser):\(proxyPassword)@127.0.0.1:\(proxyPort)"
        let tunnel = " CONNECT 127.0.0.1:\(faultyPort) \(proxyUser) "
        let mark = proxyLogMark()

        let bypassed = client { $0.proxy = .environment(ProxyEnvironment(["http_proxy": proxyURL, "no_proxy": "localhost,127.0.0.1"])) }
        #expect(try bypassed.proxy(for: url) == nil)
        #expect(try await bypassed.get(url).body.count == 2000)
        let direct = try await proxyLogLines(after: mark) { $0.contains(tunnel) }
        #expect(direct.isEmpty)

        let proxied = client { $0.proxy = .environment(ProxyEnvironment(["http_proxy": proxyURL, "no_proxy": "example.invalid"])) }
        #expect(try proxied.proxy(for: url)?.password?.reveal() == proxyPassword)
        #expect(try await proxied.get(url).body.count == 2000)
        let tunnelled = try await proxyLogLines(after: mark) { $0.contains(tunnel) }
        #expect(!tunnelled.isEmpty)
    }

    // MARK: requests with a body

    struct Echo: Decodable {
        var method: String
        var target: String
        var version: String
        var headers: [[String]]
        var body: String
        var client_subject: String?
    }

    @Test func postSendsExactBytesAndHeadersOverHTTP11WithAClientCertificate() async throws {
        var body = Array("<?xml version=\"1.0\"?>\n<Body>\r\n\u{0}é</Body>".utf8)
        body += (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let c = client {
            $0.forceHTTP11 = true
            $0.clientCertificate = TestEnvironment.value("AGENT_TEST_CLIENT_CERT")
            $0.clientKey = TestEnvironment.value("AGENT_TEST_CLIENT_KEY")
        }
        let response = try await c.post("https://localhost:\(faultyTLSPort)/echo?q=1", body: body,
                                        headers: [HTTPHeader("x-ms-Date", "Sat, 21 Nov 2026 10:00:00 GMT"),
                                                  HTTPHeader("Content-Type", "application/xml")])
        #expect(response.status == 200)
        #expect(response.httpVersion == "1.1")
        let echo = try JSONDecoder().decode(Echo.self, from: Data(response.body))
        #expect(echo.method == "POST")
        #expect(echo.target == "/echo?q=1")
        #expect(echo.version == "HTTP/1.1")
        #expect(Data(base64Encoded: echo.body).map(Array.init) == body)
        func header(_ name: String) -> String? { echo.headers.first { $0.first?.lowercased() == name.lowercased() }?.last }
        #expect(header("x-ms-Date") == "Sat, 21 Nov 2026 10:00:00 GMT")
        #expect(header("Content-Type") == "application/xml")
        #expect(header("Content-Length") == String(body.count))
        #expect(header("Expect") == nil)
        #expect(echo.client_subject == "agent-installer-test-client")
        // The response's Date header is the server's clock.
        let date = try #require(response.dateEpochSeconds)
        #expect(abs(date - Int64(time(nil))) < 300)
    }

    @Test func cancellingTheTaskAbortsAStalledTransferPromptly() async throws {
        let c = client {
            $0.stallTimeout = .seconds(60)
            $0.retries = 0
        }
        let url = "http://127.0.0.1:\(faultyPort)/stall-headers"
        let task = Task { () -> HTTPFailureKind? in
            do throws(HTTPError) { _ = try await c.get(url); return nil } catch { return error.kind }
        }
        try await Task.sleep(for: .milliseconds(500))
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        #expect(await task.value == .aborted)
        #expect(clock.now - start < .seconds(10))  // stall rule 60 s
    }
}
