import AgentSupport
import Glibc

/// The in-process package readers of the disk check: the `.deb` control file and the rpm header's installed size.
/// Neither crashes; a refusal is always `.integrity` (bytes in memory cannot fail to read); an accepted answer does
/// not change when bytes are appended (the readers never look past what they need) nor when the input is read from a
/// file instead of memory.
enum PackageTargets {
    static func debianControl(_ bytes: [UInt8]) {
        let result = outcome { () throws(AgentError) in try DebianPackageFile.control(bytes: bytes) }
        if case .success(.control(let control)) = result {
            require(control.count <= 4 << 20, "control of \(control.count) bytes accepted")
        }
        let longer = outcome { () throws(AgentError) in try DebianPackageFile.control(bytes: bytes + [0x0A, 0x60, 0]) }
        if case .success = result { require(longer == result, "appending bytes changed \(result) to \(longer)") }
        let file = fileOutcome(bytes) { path throws(AgentError) in try DebianPackageFile.control(path: path) }
        require(file == result, "the file gave \(file), memory \(result)")
    }

    static func rpmHeader(_ bytes: [UInt8]) {
        let result = outcome { () throws(AgentError) in try RPMPackageHeader.installedSize(bytes: bytes) }
        if case .success(let size?) = result { require(size >= 0, "negative size \(size)") }
        let longer = outcome { () throws(AgentError) in try RPMPackageHeader.installedSize(bytes: bytes + [0x8E, 0xAD, 0]) }
        if case .success = result { require(longer == result, "appending bytes changed \(result) to \(longer)") }
        let file = fileOutcome(bytes) { path throws(AgentError) in try RPMPackageHeader.installedSize(path: path) }
        require(file == result, "the file gave \(file), memory \(result)")
    }

    /// The answer, or the refusal reduced to its code (which must be `.integrity`).
    enum Outcome<T: Equatable>: Equatable { case success(T), refused }

    static func outcome<T: Equatable>(_ body: () throws(AgentError) -> T) -> Outcome<T> {
        do {
            return .success(try body())
        } catch {
            require(error.code == .integrity, "refused with \(error.code): \(error.message)")
            require(!error.message.contains("\n"), "a multi-line message: \(error.message)")
            return .refused
        }
    }

    /// The same reader on a file holding `bytes` (in the per-target TMPDIR scripts/fuzz sets).
    static func fileOutcome<T: Equatable>(_ bytes: [UInt8], _ body: (String) throws(AgentError) -> T) -> Outcome<T> {
        let path = "\(StaleTemporaries.temporaryBase)/agent-fuzz-package.\(getpid())"
        // A plain write (no fsync per input): the file only has to be readable back.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        require(fd >= 0, "cannot create \(path)")
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        require(written == bytes.count, "cannot write \(path)")
        defer { unlink(path) }
        return outcome { () throws(AgentError) in try body(path) }
    }
}
