import AgentSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The settings file chosen for this run (extension contract §3).
public struct SettingsFileLocation: Sendable, Equatable {
    /// The sequence number: the status file is `<statusFolder>/<sequenceNumber>.status`.
    public var sequenceNumber: UInt64
    /// The real path of `<configFolder>/<sequenceNumber>.settings`.
    public var path: String
}

/// Picks `<configFolder>/<seq>.settings`: `ConfigSequenceNumber` when that file exists, else the newest mtime with
/// ties broken by the larger number. Only names `^[0-9]{1,10}\.settings$` count (`HandlerState`,
/// `HandlerStatus` and anything else are ignored).
public enum SettingsFileLocator {
    /// - Parameters:
    ///   - configFolder: the real path of the configuration folder.
    ///   - configSequenceNumber: the `ConfigSequenceNumber` environment value, if any.
    /// - Throws: exit 1 "Unable to locate a .settings file!" when none is found.
    public static func locate(configFolder: String, configSequenceNumber: String?) throws(AgentError) -> SettingsFileLocation {
        if let text = configSequenceNumber, let seq = sequenceNumber(ofName: text + ".settings") {
            let path = configFolder + "/" + text + ".settings"
            if FileIO.kind(path, followLinks: true) == .regular { return SettingsFileLocation(sequenceNumber: seq, path: path) }
        }
        var best: (seq: UInt64, mtime: timespec, name: String)?
        for name in FileIO.list(configFolder) {
            guard let seq = sequenceNumber(ofName: name) else { continue }
            var st = stat()
            guard stat(configFolder + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            let mtime = st.st_mtim
            if let current = best {
                let newer = mtime.tv_sec > current.mtime.tv_sec
                    || (mtime.tv_sec == current.mtime.tv_sec && mtime.tv_nsec > current.mtime.tv_nsec)
                let same = mtime.tv_sec == current.mtime.tv_sec && mtime.tv_nsec == current.mtime.tv_nsec
                if !(newer || (same && seq > current.seq)) { continue }
            }
            best = (seq, mtime, name)
        }
        guard let best else { throw AgentError(.generic, "Unable to locate a .settings file! (in \(configFolder))") }
        return SettingsFileLocation(sequenceNumber: best.seq, path: configFolder + "/" + best.name)
    }

    /// The sequence number of a file name `^[0-9]{1,10}\.settings$`, nil for any other name.
    public static func sequenceNumber(ofName name: String) -> UInt64? {
        guard name.hasSuffix(".settings") else { return nil }
        let digits = name.dropLast(".settings".count)
        guard (1...10).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }
}
