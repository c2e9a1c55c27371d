import AgentSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A private staging directory (mode 0700) next to an extraction destination: the payload is unpacked there and
/// moved to the destination with one `rename` only after everything verified, so the destination either does not
/// exist or holds a complete, verified payload. Dropped without `commit()`, the staging tree is removed.
public final class BundleStaging {
    /// The destination as given, made absolute against the parent's real path.
    public let destination: String
    /// The staging directory (same file system as the destination, so the final move is a rename).
    public let path: String
    private let parent: String
    private var committed = false

    /// Creates the staging directory. The destination's parent must exist; the destination must not exist or be
    /// an empty directory (exit 2 otherwise: nothing is overwritten).
    public init(destination: String) throws(AgentError) {
        var trimmed = destination
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let slash = trimmed.lastIndex(of: "/")
        let parent = slash.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
        let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        guard !name.isEmpty, name != ".", name != ".." else {
            throw AgentError(.usage, "--dest \(destination) must name a new directory")
        }
        guard let realParent = Self.realpath(parent), FileIO.kind(realParent, followLinks: true) == .directory else {
            throw AgentError(.usage, "the parent directory of \(destination) does not exist")
        }
        let dest = (realParent == "/" ? "" : realParent) + "/" + name
        switch FileIO.kind(dest, followLinks: false) {
        case nil: break
        case .directory where FileIO.list(dest).isEmpty: break
        default: throw AgentError(.usage, "\(destination) already exists and is not an empty directory")
        }
        var template = Array("\(realParent == "/" ? "" : realParent)/.\(name).staging-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw AgentError(.systemProblem, "cannot create a staging directory next to \(destination): \(FileIO.errnoText())")
        }
        path = String(cString: made)
        chmod(path, 0o700)
        self.destination = dest
        self.parent = realParent
    }

    /// Moves the staging tree to the destination (the tree keeps mode 0700 on its top directory; callers that
    /// want another mode set it afterwards).
    public func commit() throws(AgentError) {
        guard rename(path, destination) == 0 else {
            let text = FileIO.errnoText()
            throw AgentError(.systemProblem, "cannot move the extracted bundle to \(destination): \(text)")
        }
        committed = true
        AtomicFile.syncDirectory(parent)
    }

    /// Removes the staging tree now (also done on release without a commit).
    public func discard() {
        if !committed { try? FileIO.removeTree(path) }
        committed = true
    }

    deinit { discard() }

    static func realpath(_ p: String) -> String? {
        guard let r = Glibc.realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}
