#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A bundle file's identity as `stat` reports it: size, modification and status-change times (nanoseconds),
/// inode and device. The receipt keeps the stamp of the file it hashed; a later run whose file has the same stamp
/// has the same bytes unless someone rewrote it in place and then reset both times — the status-change time
/// cannot be set from user space, so that takes a clock change or a raw device write.
public struct BundleFileStamp: Sendable, Codable, Equatable {
    /// Size in bytes.
    public var size: Int64
    /// Modification time, nanoseconds since the epoch.
    public var mtimeNanoseconds: Int64
    /// Status-change time, nanoseconds since the epoch.
    public var ctimeNanoseconds: Int64
    /// Inode number.
    public var inode: UInt64
    /// Device number.
    public var device: UInt64

    /// The stamp of the regular file at `path` (links followed), or nil.
    public static func of(_ path: String) -> BundleFileStamp? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return BundleFileStamp(size: Int64(st.st_size),
                               mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                               ctimeNanoseconds: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec),
                               inode: UInt64(st.st_ino), device: UInt64(st.st_dev))
    }
}
