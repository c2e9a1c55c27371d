#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The package-manager lock files of a host tree and who holds them, seen through the same POSIX record locks
/// (`fcntl`) that dpkg, apt and rpm take.
///
/// Inspection never takes a lock: it asks the kernel with `F_GETLK` whether a whole-file write lock would conflict.
/// Locks are host-wide, so the holder's command line is read from the live `/proc` even for a `--root` tree.
public enum PackageLock {
    /// A lock found held by another process.
    public struct Holder: Sendable, Equatable, CustomStringConvertible {
        /// Host path of the lock file (`/var/lib/dpkg/lock-frontend`).
        public var file: String
        /// The holder's process id, nil when the kernel does not say (open-file-description locks).
        public var pid: Int32?
        /// The holder's command line from `/proc/<pid>/cmdline` (arguments joined by spaces), nil when unreadable.
        public var commandLine: String?

        public init(file: String, pid: Int32?, commandLine: String?) {
            self.file = file
            self.pid = pid
            self.commandLine = commandLine
        }

        public var description: String {
            var text = "\(file) is locked"
            if let pid { text += " by pid \(pid)" }
            // A command line is the holder's own text: its control characters are escaped to keep one line.
            if let commandLine { text += " (\(OneLine.escaped(commandLine)))" }
            return text
        }
    }

    /// The dpkg lock files in the order apt and dpkg take them.
    public static let dpkgFiles = ["/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock"]
    /// The rpm transaction lock file.
    public static let rpmFiles = ["/var/lib/rpm/.rpm.lock"]

    /// The first held lock among `files` (host paths) of `root`; nil when none is held. A missing file is no lock.
    public static func holder(in root: HostRoot, files: [String]) -> Holder? {
        for file in files {
            guard let real = root.resolve(file), let pid = heldBy(realPath: real) else { continue }
            return Holder(file: file, pid: pid > 0 ? pid : nil, commandLine: pid > 0 ? commandLine(of: pid) : nil)
        }
        return nil
    }

    /// The pid holding a conflicting lock on the file at `realPath` (-1 when held but the pid is unknown),
    /// nil when the file is absent, unopenable or free.
    public static func heldBy(realPath: String) -> Int32? {
        var fd = open(realPath, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        if fd < 0 { fd = open(realPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 0
        lock.l_len = 0
        guard fcntl(fd, F_GETLK, &lock) == 0 else { return nil }
        if lock.l_type == Int16(F_UNLCK) { return nil }
        return lock.l_pid > 0 ? lock.l_pid : -1
    }

    /// The command line of a live process, arguments joined by spaces; nil when it is gone or unreadable.
    public static func commandLine(of pid: Int32) -> String? {
        guard let bytes = FileIO.read("/proc/\(pid)/cmdline", limit: 1 << 16), !bytes.isEmpty else { return nil }
        let args = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let text = args.joined(separator: " ")
        return text.isEmpty ? nil : text
    }
}
