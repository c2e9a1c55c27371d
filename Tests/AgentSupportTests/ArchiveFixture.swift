import AgentSupport
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A workspace for one archive test: `dest/` (extraction target), `sentinel/` (a sibling that must stay empty)
/// and archives built at test time with Python's `tarfile`.
final class ArchiveFixture {
    let dir = TemporaryDirectory(prefix: "archive-test")
    var dest: String { dir.url("dest") }
    var sentinel: String { dir.url("sentinel") }

    init() throws {
        try dir.mkdir("dest")
        try dir.mkdir("sentinel")
    }

    /// Python prelude: helpers to add entries; `W` is the workspace path.
    static let prelude = """
    import io, sys, tarfile
    out, W = sys.argv[1], sys.argv[2]
    tf = tarfile.open(out, 'w:gz', format=tarfile.GNU_FORMAT)
    def f(name, data=b'x', mode=0o644):
        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = mode; tf.addfile(ti, io.BytesIO(data))
    def d(name, mode=0o755):
        ti = tarfile.TarInfo(name); ti.type = tarfile.DIRTYPE; ti.mode = mode; tf.addfile(ti)
    def sym(name, target):
        ti = tarfile.TarInfo(name); ti.type = tarfile.SYMTYPE; ti.linkname = target; tf.addfile(ti)
    def hard(name, target):
        ti = tarfile.TarInfo(name); ti.type = tarfile.LNKTYPE; ti.linkname = target; tf.addfile(ti)
    def node(name, kind):
        ti = tarfile.TarInfo(name); ti.type = kind; ti.devmajor = 1; ti.devminor = 3; tf.addfile(ti)

    """

    /// Builds `name` from a Python body using the prelude's helpers; returns its path.
    @discardableResult
    func archive(_ body: String, name: String = "archive.tgz") async throws -> String {
        let path = dir.url(name)
        _ = try await Oracle.output(["python3", "-c", Self.prelude + body + "\ntf.close()\n", path, dir.path])
        return path
    }

    /// Everything in the workspace except the archives, recursively: what extraction may have touched.
    func tree(_ relative: String) -> [String] {
        var out: [String] = []
        func walk(_ rel: String) {
            for name in FileIO.list(dir.url(rel)) {
                let child = rel + "/" + name
                out.append(child)
                if FileIO.kind(dir.url(child), followLinks: false) == .directory { walk(child) }
            }
        }
        walk(relative)
        return out
    }

    /// Names directly in the workspace.
    var topLevel: [String] { FileIO.list(dir.path) }
}

/// Starts `/bin/cat file` writing into a new pipe; returns the read end and the child's pid.
func pipeFromFile(_ path: String) throws -> (fd: Int32, pid: pid_t) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw AgentError(.internalError, "pipe: \(FileIO.errnoText())") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/cat"), strdup(path), nil]
    defer { argv.forEach { free($0) } }
    let rc = posix_spawn(&pid, "/bin/cat", &actions, nil, argv, environ)
    close(fds[1])
    guard rc == 0 else { close(fds[0]); throw AgentError(.internalError, "posix_spawn: \(FileIO.errnoText(rc))") }
    return (fds[0], pid)
}

/// Waits for a child started by `pipeFromFile`, returns its exit status.
func waitChild(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status >> 8) & 0xff
}
