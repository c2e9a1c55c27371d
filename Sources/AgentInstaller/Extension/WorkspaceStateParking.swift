import AgentSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What update saves and the following install restores (§8.6, §10): `ETC/<ws>` is parked in `ETC/state/<ws>`
/// and, doing better than upstream, `VAR/<ws>/state` in `ETC/state/<ws>.var-state`.
public struct WorkspaceStateParking: Sendable {
    public static let etc = AgentPaths.etc
    public static let varDir = AgentPaths.varDir

    public var root: HostRoot
    public init(root: HostRoot) { self.root = root }

    /// What a park or restore did, for the log.
    public struct Report: Sendable, Equatable {
        public var lines: [String] = []
    }

    /// Update: moves `ETC/<ws>` to `ETC/state/<ws>` unless that backup exists, and `VAR/<ws>/state` likewise.
    /// A missing source is a no-op success. `workspaceID` must be a validated GUID.
    public func park(workspaceID ws: String) throws(AgentError) -> Report {
        var report = Report()
        let stateDir = root.lexical(Self.etc + "/state")
        try moveIfPresent(from: root.lexical(Self.etc + "/" + ws), to: stateDir + "/" + ws, report: &report)
        try moveIfPresent(from: root.lexical(Self.varDir + "/" + ws + "/state"), to: stateDir + "/" + ws + ".var-state",
                          report: &report)
        return report
    }

    /// Install: moves `ETC/state/<ws>` back when `ETC/<ws>` does not exist, and the parked `VAR/<ws>/state` when
    /// `VAR/<ws>/state` does not exist (`VAR/<ws>` is created 0750 with the parked directory's owner).
    public func restore(workspaceID ws: String) throws(AgentError) -> Report {
        var report = Report()
        let stateDir = root.lexical(Self.etc + "/state")
        try moveIfPresent(from: stateDir + "/" + ws, to: root.lexical(Self.etc + "/" + ws), report: &report)
        let parkedVar = stateDir + "/" + ws + ".var-state"
        if FileIO.kind(parkedVar, followLinks: false) == .directory {
            let varWorkspace = root.lexical(Self.varDir + "/" + ws)
            if FileIO.kind(varWorkspace, followLinks: false) == nil {
                try FileIO.makeDirectories(varWorkspace, mode: 0o750)
                if let a = FileIO.attributes(parkedVar) { _ = chown(varWorkspace, a.uid, a.gid) }
            }
            try moveIfPresent(from: parkedVar, to: varWorkspace + "/state", report: &report)
        }
        return report
    }

    private func moveIfPresent(from source: String, to target: String, report: inout Report) throws(AgentError) {
        guard FileIO.kind(source, followLinks: false) == .directory else {
            report.lines.append("nothing to move: \(source) does not exist")
            return
        }
        guard FileIO.kind(target, followLinks: false) == nil else {
            report.lines.append("kept \(source): \(target) already exists")
            return
        }
        try FileIO.makeDirectories(directoryPart(of: target), mode: 0o755)
        if rename(source, target) == 0 {
            report.lines.append("moved \(source) to \(target)")
            return
        }
        guard errno == EXDEV else {
            throw AgentError(.generic, "cannot move \(source) to \(target): \(FileIO.errnoText())")
        }
        // Different file systems (/etc and /var): copy with modes and owners, then remove the source.
        try TreeCopy.copy(from: source, to: target)
        try FileIO.removeTree(source)
        report.lines.append("copied \(source) to \(target) (different file systems) and removed the source")
    }
}

/// Copies a directory tree keeping modes, owners and symlinks (for moves across file systems).
enum TreeCopy {
    static func copy(from source: String, to target: String) throws(AgentError) {
        guard let kind = FileIO.kind(source, followLinks: false), let attributes = FileIO.attributes(source) else { return }
        switch kind {
        case .directory:
            guard mkdir(target, mode_t(attributes.mode)) == 0 || errno == EEXIST else {
                throw AgentError(.generic, "cannot create \(target): \(FileIO.errnoText())")
            }
            for name in FileIO.list(source) { try copy(from: source + "/" + name, to: target + "/" + name) }
            _ = chmod(target, mode_t(attributes.mode))
        case .symlink:
            var buffer = [CChar](repeating: 0, count: 4097)
            let n = readlink(source, &buffer, 4096)
            guard n >= 0 else { throw AgentError(.generic, "cannot read link \(source): \(FileIO.errnoText())") }
            buffer[n] = 0
            guard symlink(buffer, target) == 0 else {
                throw AgentError(.generic, "cannot create link \(target): \(FileIO.errnoText())")
            }
        case .regular:
            guard let bytes = FileIO.read(source, limit: 1 << 30) else {
                throw AgentError(.generic, "cannot read \(source)")
            }
            try AtomicFile.write(target, bytes, mode: mode_t(attributes.mode))
        case .other:
            return
        }
        _ = lchown(target, attributes.uid, attributes.gid)
    }
}
