#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Temporary files and directories named after the process that made them (`…<pid>…`), so that a later run can
/// remove what a run killed with SIGKILL left behind: a half-written `AtomicFile` temporary next to its target, an
/// extracted bundle or a staged key pair in `$TMPDIR`. Only entries of processes that no longer exist are removed.
public enum StaleTemporaries {
    /// `$TMPDIR`, or `/tmp` when unset or empty.
    public static var temporaryBase: String {
        guard let value = getenv("TMPDIR").map({ String(cString: $0) }), !value.isEmpty else { return "/tmp" }
        return value
    }

    /// Creates `<base>/<prefix>.<pid>.XXXXXX` with mode 0700, after removing the `<prefix>.<pid>.*` directories of
    /// this user in `base` whose process has ended (and those of the `alsoRemoving` prefixes, in the same one pass
    /// over `base`, which can hold thousands of entries).
    public static func makeDirectory(prefix: String, alsoRemoving others: [String] = [],
                                     in base: String = temporaryBase) throws(AgentError) -> String {
        removeEnded(in: base, prefixes: ([prefix] + others).map { $0 + "." }, separator: ".", ownedBy: geteuid())
        var template = Array("\(base)/\(prefix).\(getpid()).XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw AgentError(.systemProblem, "cannot create a temporary directory in \(base): \(FileIO.errnoText())")
        }
        return String(cString: made)
    }

    /// Removes the entries of directory `dir` named `<prefix><pid><separator>…` whose process `pid` has ended (and,
    /// when `ownedBy` is given, that belong to that user).
    public static func removeEnded(in dir: String, prefix: String, separator: Character, ownedBy uid: uid_t? = nil) {
        removeEnded(in: dir, prefixes: [prefix], separator: separator, ownedBy: uid)
    }

    /// The same for several prefixes, in one listing of `dir` (the longest matching prefix is the one cut off).
    public static func removeEnded(in dir: String, prefixes: [String], separator: Character, ownedBy uid: uid_t? = nil) {
        let ordered = prefixes.sorted { $0.count > $1.count }
        for name in FileIO.list(dir) {
            guard let prefix = ordered.first(where: { name.hasPrefix($0) }) else { continue }
            let rest = name.dropFirst(prefix.count)
            guard let end = rest.firstIndex(of: separator), let pid = pid_t(rest[..<end]), pid > 0,
                  !processExists(pid) else { continue }
            let path = (dir == "/" ? "" : dir) + "/" + name
            if let uid, FileIO.attributes(path)?.uid != uid { continue }
            try? FileIO.removeTree(path)
        }
    }

    /// Whether a process with this id exists (in this PID namespace).
    public static func processExists(_ pid: pid_t) -> Bool {
        pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH
    }
}
