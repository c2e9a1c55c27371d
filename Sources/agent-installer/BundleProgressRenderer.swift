import AgentInstaller
import AgentSupport
import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Shows download progress: a bar on stderr when it is a terminal (bytes, rate, ETA), and JSON-lines events
/// in `--progress-file` for automation (`{"event":"progress","phase":…,"bytes":…,"total":…,"rate":…,"eta":…}`).
final class BundleProgressRenderer: Sendable {
    private struct State {
        var fd: Int32 = -1
        var start: Double = 0
        var lastDraw: Double = 0
        var lastPhase: BundleProgress.Phase?
        var drewBar = false
    }

    private let state: Mutex<State>
    private let tty: Bool

    /// Opens (truncates) `file` for the events when given.
    init(file: String?) throws(AgentError) {
        var s = State()
        if let file {
            s.fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard s.fd >= 0 else { throw AgentError(.usage, "cannot open progress file \(file): \(FileIO.errnoText())") }
        }
        s.start = Self.now()
        state = Mutex(s)
        tty = isatty(2) == 1
    }

    /// The handler to pass to the bundle operations.
    var handler: BundleProgressHandler { { [self] p in self.report(p) } }

    func report(_ p: BundleProgress) {
        state.withLock { s in
            let t = Self.now()
            let phaseChanged = s.lastPhase != p.phase
            guard phaseChanged || t - s.lastDraw >= 0.2 || p.phase == .done else { return }
            s.lastDraw = t
            s.lastPhase = p.phase
            let elapsed = max(t - s.start, 0.001)
            let rate = Double(p.bytes) / elapsed
            let eta: Double? = p.total.flatMap { total in rate > 0 ? Double(max(total - p.bytes, 0)) / rate : nil }
            if s.fd >= 0 {
                var line = "{\"event\":\"progress\",\"phase\":\"\(p.phase.rawValue)\",\"bytes\":\(p.bytes)"
                line += ",\"total\":" + (p.total.map(String.init) ?? "null")
                line += ",\"rate\":\(Int(rate)),\"eta\":" + (eta.map { String(Int($0.rounded())) } ?? "null")
                line += ",\"elapsed\":\(Int((elapsed * 1000).rounded()))"
                if let note = p.note, let json = try? JSONEncoder().encode(note) {
                    line += ",\"note\":" + String(decoding: json, as: UTF8.self)
                }
                line += "}\n"
                line.withUTF8 { _ = write(s.fd, $0.baseAddress, $0.count) }
            }
            if tty {
                var bar = "\r"
                if let total = p.total, total > 0 {
                    let fraction = min(Double(p.bytes) / Double(total), 1)
                    let filled = Int(fraction * 30)
                    bar += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled) + "] "
                    bar += "\(Int(fraction * 100))% "
                }
                bar += Self.size(p.bytes) + (p.total.map { " / " + Self.size($0) } ?? "")
                bar += "  " + Self.size(Int64(rate)) + "/s"
                if let eta { bar += "  ETA \(Int(eta) / 60):" + String(format2: Int(eta) % 60) }
                bar += "   "
                bar.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
                s.drewBar = true
            }
        }
    }

    /// Ends the bar's line and closes the file.
    func finish() {
        state.withLock { s in
            if s.drewBar { _ = write(2, "\n", 1) }
            if s.fd >= 0 { close(s.fd); s.fd = -1 }
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB"]
        var v = Double(bytes)
        var i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? "\(bytes) B" : "\(Int(v * 10) / 10).\(Int(v * 10) % 10) \(units[i])"
    }
}

extension String {
    /// Two digits with a leading zero.
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
