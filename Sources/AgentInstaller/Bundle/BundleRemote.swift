import AgentSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Bundles from a URL: `fetch` (download to a file that appears only when complete and verified) and
/// one-pass fetch + verify + extract (the download streams through a pipe into the extractor; no temporary copy).
public enum BundleRemote {
    /// What `fetch` delivered.
    public struct FetchResult: Sendable, Codable, Equatable {
        public var file: String
        public var bytes: Int64
        public var sha256: String
        public var verifiedAgainst: String?
        public var attempts: Int
        public var resumes: Int
    }

    /// The checksum expected for `url`: `--sha256`, then `--sha256sums` (a file or URL), then `<url>.sha256sums`
    /// when the server has it (a 404 means none is published).
    public static func expectedDigest(url: String, sha256: String?, sha256sums: String?,
                                      client: HTTPClient) async throws(AgentError) -> BundleDigest? {
        let name = fileName(of: url)
        if let sha256 { return BundleDigest(hex: try SHA256Sums.normalizedDigest(sha256), source: "--sha256") }
        if let sha256sums, !(sha256sums.hasPrefix("https://") || sha256sums.hasPrefix("http://")) {
            return try BundleDigest.forLocalBundle(path: name, sha256: nil, sumsFile: sha256sums)
        }
        let sumsURL = sha256sums ?? url + ".sha256sums"
        let response: HTTPResponse
        do {
            response = try await client.get(sumsURL)
        } catch {
            throw networkError(error, what: sumsURL)
        }
        if response.status == 404 && sha256sums == nil { return nil }
        guard response.isSuccess else {
            throw AgentError(.httpStatus, "the checksum file \(sumsURL) answered HTTP \(response.status)")
        }
        return try BundleDigest(sumsText: response.text, source: sumsURL, bundleName: name)
    }

    /// The last path component of a URL, without query or fragment.
    static func fileName(of url: String) -> String {
        var path = Substring(url)
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        return path.split(separator: "/").last.map(String.init) ?? String(path)
    }

    /// Downloads `url` to `file` (written as `file.part`, renamed when complete and verified).
    public static func fetch(url: String, to file: String, sha256: String?, sha256sums: String?,
                             configuration: HTTPClientConfiguration,
                             progress: BundleProgressHandler?) async throws(AgentError) -> FetchResult {
        let client = HTTPClient(configuration)
        let expected = try await expectedDigest(url: url, sha256: sha256, sha256sums: sha256sums, client: client)
        let part = file + ".part"
        let fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AgentError(.usage, "cannot create \(part): \(FileIO.errnoText())") }
        var keep = false
        defer {
            close(fd)
            if !keep { unlink(part) }
        }
        let hasher = HashingFileSink(fd: fd)
        let result: HTTPDownloadResult
        do {
            result = try await client.download(url, into: hasher.sink, progress: { p in
                progress?(BundleProgress(phase: .download, bytes: p.bytes, total: p.total))
            })
        } catch {
            throw networkError(error, what: url)
        }
        guard fsync(fd) == 0 else { throw AgentError(.systemProblem, "cannot write \(part): \(FileIO.errnoText())") }
        let digest = hasher.digest()
        if let expected { try expected.check(digest, what: url) }
        guard rename(part, file) == 0 else {
            throw AgentError(.systemProblem, "cannot move \(part) to \(file): \(FileIO.errnoText())")
        }
        keep = true
        progress?(BundleProgress(phase: .done, bytes: result.bytes, total: result.bytes))
        return FetchResult(file: file, bytes: result.bytes, sha256: digest, verifiedAgainst: expected?.source,
                           attempts: result.attempts, resumes: result.resumes)
    }

    /// Fetches `url` and extracts its payload into `destination` in one pass over the bytes: the download is
    /// hashed as it arrives, its header parsed, and its payload piped into the extractor, which writes into a
    /// staging directory that becomes `destination` only when the download completed and the checksum matched.
    public static func extract(url: String, destination: String, sha256: String?, sha256sums: String?,
                               configuration: HTTPClientConfiguration,
                               progress: BundleProgressHandler?) async throws(AgentError) -> BundleExtraction {
        let client = HTTPClient(configuration)
        let expected = try await expectedDigest(url: url, sha256: sha256, sha256sums: sha256sums, client: client)
        let staging = try BundleStaging(destination: destination)
        defer { staging.discard() }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw AgentError(.systemProblem, "cannot create a pipe: \(FileIO.errnoText())") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        let sink = BundleStreamSink(pipeWrite: writeEnd, name: url)
        let stagingPath = staging.path
        // The extractor blocks on the pipe: it runs on a dedicated thread, never on the cooperative pool.
        async let extraction = DedicatedThread.run { () -> Result<ArchiveExtractionResult, AgentError> in
            defer { close(readEnd) }
            let outcome: Result<ArchiveExtractionResult, AgentError>
            do throws(AgentError) {
                outcome = .success(try BundlePayload.extractor.extract(from: readEnd, skipping: 0, into: stagingPath))
            } catch {
                sink.stop()
                outcome = .failure(error)
            }
            // Keep the pipe drained to its end so the transfer never blocks on a full pipe (after a failure the
            // sink refuses the next chunk, which stops the transfer).
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if n > 0 || (n < 0 && errno == EINTR) { continue }
                break
            }
            return outcome
        }
        var download: Result<HTTPDownloadResult, HTTPError>
        do {
            download = .success(try await client.download(url, into: sink.sinkValue, progress: { p in
                progress?(BundleProgress(phase: .download, bytes: p.bytes, total: p.total))
            }))
        } catch {
            download = .failure(error)
        }
        var headerFailure: AgentError?
        do { try sink.finish() } catch { headerFailure = error }
        close(writeEnd)
        let extracted = await extraction
        // The most specific reason wins: a refused entry, a bad header, the network, then the checksum.
        if case .failure(let error) = extracted, error.message.hasPrefix("archive entry") { throw error }
        if let headerFailure { throw headerFailure }
        if case .failure(let error) = download { throw networkError(error, what: url) }
        let digest = sink.digest()
        if let expected { try expected.check(digest, what: url) }
        let result: ArchiveExtractionResult
        switch extracted {
        case .success(let r): result = r
        case .failure(let error):
            throw AgentError(.usage, "\(url): the payload is truncated or corrupt (\(error.message))")
        }
        try staging.commit()
        progress?(BundleProgress(phase: .done, bytes: sink.bytes, total: sink.bytes))
        return BundleExtraction(
            destination: staging.destination, version: sink.header?.version, sha256: digest,
            verifiedAgainst: expected?.source, entries: result.entries.count, payloadBytes: result.payloadBytes,
            manifest: BundleManifest(entryPaths: result.entries.map(\.name)))
    }

    /// Exit codes for download failures, as for onboarding (§13): DNS 7, proxy 4, HTTP status 6, others 8.
    static func networkError(_ error: any Error, what: String) -> AgentError {
        guard let error = error as? HTTPError else {
            if let error = error as? AgentError { return error }
            return AgentError(.transport, "downloading \(what) failed: \(error)")
        }
        switch error.kind {
        case .dns: return error.agentError(.hostUnresolvable)
        case .proxy, .proxyAuthentication: return error.agentError(.proxyOrFormatMismatch)
        case .httpStatus: return error.agentError(.httpStatus)
        case .tlsVerification:
            return error.agentError(.transport, hint: "give the server's CA with --cacert, or fix the certificate")
        default: return error.agentError(.transport)
        }
    }
}

/// Writes downloaded bytes to a file and hashes them; a restart from byte 0 truncates and resets the hash.
final class HashingFileSink: @unchecked Sendable {
    private let fd: Int32
    private var sha = SHA256()
    private let inner: HTTPSink

    init(fd: Int32) {
        self.fd = fd
        inner = HTTPSink.fileDescriptor(fd)
    }

    var sink: HTTPSink {
        HTTPSink(write: { [self] chunk in
            sha.update(chunk)
            return inner.write(chunk)
        }, restart: { [self] in
            sha = SHA256()
            return inner.restart()
        })
    }

    func digest() -> String { Hex.encode(sha.finalize()) }
}
