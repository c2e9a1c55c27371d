#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport

/// When this process started, on the continuous clock: the guest agent's time limit (§1.2) runs from the process's
/// start, not from whenever the handler gets going, so budgets are measured from here.
public enum ProcessStart {
    /// The start instant from `/proc/self/stat` (field 22, clock ticks since boot) against `CLOCK_BOOTTIME`; now when
    /// either cannot be read.
    public static func instant() -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        guard let elapsed = elapsed() else { return now }
        return now - elapsed
    }

    /// The time since this process started, nil when `/proc` is unavailable.
    public static func elapsed() -> Duration? {
        guard let bytes = FileIO.read("/proc/self/stat", limit: 4096) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
        guard fields.count > 19, let ticks = UInt64(fields[19]) else { return nil }
        let hertz = sysconf(Int32(_SC_CLK_TCK))
        var boot = timespec()
        guard hertz > 0, clock_gettime(CLOCK_BOOTTIME, &boot) == 0 else { return nil }
        let startNanos = ticks * 1_000_000_000 / UInt64(hertz)
        let nowNanos = UInt64(boot.tv_sec) * 1_000_000_000 + UInt64(boot.tv_nsec)
        guard nowNanos >= startNanos else { return .zero }
        return .nanoseconds(Int64(nowNanos - startNanos))
    }
}
